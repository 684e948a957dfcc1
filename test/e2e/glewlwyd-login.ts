/**
 * A browserless user at glewlwyd's login page. glewlwyd's login form is a single-page app
 * (login.html + login.js) that talks to glewlwyd's auth API; this does exactly what the page
 * does when a user signs in and grants the client its scopes: follow the authorization URL to
 * the login page, `POST /api/auth/` with the user name and password (the session cookie), `PUT
 * /api/auth/grant/{client_id}/` with the scopes asked for, then follow the page's callback URL
 * (the authorization request again) to the redirect with the code, and deliver that redirect
 * to the client's loopback listener. The device flow's verification is the same session and
 * grant, then the verification URL with the user code.
 * @module
 */
import { fetch } from 'undici'
import { CookieJar } from './browserless-login.js'

export interface GlewlwydUser {
  username: string
  password: string
}

export interface GlewlwydLoginResult {
  /** The redirect to the client (authorization response). */
  url: string
  steps: string[]
  /** The client's page for the delivered redirect. */
  delivered?: { status: number; body: string }
}

async function get(url: URL, jar: CookieJar): Promise<{ status: number; location?: URL; body: string }> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } })
  jar.store(url, res.headers.getSetCookie())
  const loc = res.headers.get('location')
  return { status: res.status, body: await res.text(), ...(loc ? { location: new URL(loc, url) } : {}) }
}

async function api(base: URL, method: string, path: string, body: unknown, jar: CookieJar): Promise<void> {
  const url = new URL(`api${path}`, base)
  const res = await fetch(url, { method, headers: { cookie: jar.header(url), 'content-type': 'application/json' }, body: JSON.stringify(body) })
  jar.store(url, res.headers.getSetCookie())
  const text = await res.text()
  if (res.status !== 200) throw new Error(`glewlwyd ${method} ${path}: HTTP ${res.status} ${text}`)
}

/** Signs `user` in and grants what the login page asks for; returns the login page's query. */
async function signInAtLoginPage(loginPage: URL, user: GlewlwydUser, jar: CookieJar, steps: string[]): Promise<URLSearchParams> {
  if (!/\/login\.html$/.test(loginPage.pathname)) throw new Error(`expected glewlwyd's login page, got ${loginPage.href}`)
  const base = new URL('/', loginPage)
  const q = loginPage.searchParams
  await api(base, 'POST', '/auth/', { username: user.username, password: user.password }, jar)
  steps.push('login')
  const clientId = q.get('client_id')
  const scope = q.get('scope')
  if (clientId && scope) {
    await api(base, 'PUT', `/auth/grant/${encodeURIComponent(clientId)}/`, { scope }, jar)
    steps.push('grant')
  }
  return q
}

/** Where the login page goes when the user is done: its callback_url, with `g_continue` as the page adds it. */
function continueUrl(q: URLSearchParams, fallback: string): URL {
  const url = new URL(q.get('callback_url') ?? fallback)
  url.searchParams.set('g_continue', '')
  return url
}

/** Follows an authorization URL through glewlwyd's login to the redirect to the client. */
export async function glewlwydLogin(startUrl: string, user: GlewlwydUser, opts: { deliver?: boolean; jar?: CookieJar } = {}): Promise<GlewlwydLoginResult> {
  const jar = opts.jar ?? new CookieJar()
  const steps: string[] = []
  const start = new URL(startUrl)
  let url = start
  for (let i = 0; i < 8; i++) {
    const r = await get(url, jar)
    if (!r.location) throw new Error(`glewlwyd answered ${url.href} with HTTP ${r.status} and no redirect: ${r.body.slice(0, 300)}`)
    if (r.location.origin !== start.origin) {
      // the redirect to the client
      const out: GlewlwydLoginResult = { url: r.location.href, steps }
      if (opts.deliver) {
        const page = await fetch(r.location)
        out.delivered = { status: page.status, body: await page.text() }
      }
      return out
    }
    if (/\/login\.html$/.test(r.location.pathname)) {
      const q = await signInAtLoginPage(r.location, user, jar, steps)
      url = continueUrl(q, startUrl)
      continue
    }
    url = r.location
  }
  throw new Error(`too many redirects from ${startUrl}`)
}

/**
 * Device flow: the user opens the verification URL, signs in, grants, and the code is
 * accepted. Returns glewlwyd's final page URL.
 */
export async function glewlwydDeviceApproval(verificationUrl: string, user: GlewlwydUser): Promise<GlewlwydLoginResult> {
  const jar = new CookieJar()
  const steps: string[] = []
  let url = new URL(verificationUrl)
  for (let i = 0; i < 8; i++) {
    const r = await get(url, jar)
    if (!r.location) throw new Error(`glewlwyd answered ${url.href} with HTTP ${r.status} and no redirect: ${r.body.slice(0, 300)}`)
    // glewlwyd ends on its login page saying how it went (prompt=deviceComplete, deviceCodeError, ...)
    const prompt = r.location.searchParams.get('prompt')
    if (prompt?.startsWith('device')) {
      steps.push(prompt)
      return { url: r.location.href, steps }
    }
    if (/\/login\.html$/.test(r.location.pathname)) {
      const q = await signInAtLoginPage(r.location, user, jar, steps)
      url = continueUrl(q, verificationUrl)
      continue
    }
    url = r.location
  }
  throw new Error(`too many redirects from ${verificationUrl}`)
}
