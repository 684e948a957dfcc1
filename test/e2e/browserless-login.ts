/**
 * A browserless user for the test provider's devInteractions: follows an authorization URL
 * with a cookie jar, fills the login form (any login name works), submits consent, and
 * returns the final redirect to the client (the loopback redirect URI) without following it
 * unless asked to deliver it. Also completes device-flow verification (user code, confirm).
 * Only for oidc-provider's development pages; a real browser test uses Chromium.
 * @module
 */
import { fetch, type Dispatcher } from 'undici'

export interface BrowserlessOptions {
  /** Login name (becomes `sub`). Default `alice`. */
  login?: string
  password?: string
  /** For device flow: the user code to type when the page asks for it. */
  userCode?: string
  /** Refuse: abort at the consent page, or at the device confirmation page. */
  deny?: boolean
  /** GET the final redirect URL (so a CLI's loopback listener receives it) and return its page too. */
  deliver?: boolean
  /** Cookie jar to reuse across calls (an existing provider session: no login form then). */
  jar?: CookieJar
  maxSteps?: number
  /** The connection pool to use, e.g. an undici Agent trusting a test CA for a provider on HTTPS. */
  dispatcher?: Dispatcher
}

export interface BrowserlessResult {
  /** The redirect to the client (authorization response), or the last page's URL (device flow). */
  url: string
  /** What was done on the way: 'login', 'consent', 'abort', 'user-code', 'confirm', 'auto-post', 'done'. */
  steps: string[]
  /** The last page's title when the flow ended on a page (device flow success). */
  title?: string
  /** With `deliver`: status and body of the client's redirect page. */
  delivered?: { status: number; body: string }
}

/** Minimal cookie jar keyed by host and name (oidc-provider's cookies need nothing more). */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>()

  store(url: URL, setCookies: string[]): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>()
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      if (eq < 0) continue
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split('=')
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0
        if (k?.toLowerCase() === 'expires') return new Date(v ?? '').getTime() <= Date.now()
        return false
      })
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    this.cookies.set(url.host, jar)
  }

  header(url: URL): string {
    return [...(this.cookies.get(url.host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

interface Form {
  id: string | undefined
  action: string
  fields: Record<string, string>
}

function decodeHtml(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)
  return m ? decodeHtml(m[1]!) : undefined
}

function parseForms(html: string): Form[] {
  const forms: Form[] = []
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const fields: Record<string, string> = {}
    for (const input of m[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(input[1]!, 'name')
      if (name) fields[name] = attr(input[1]!, 'value') ?? ''
    }
    forms.push({ id: attr(m[1]!, 'id'), action: attr(m[1]!, 'action') ?? '', fields })
  }
  return forms
}

function title(html: string): string {
  return /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() ?? ''
}

/** The error oidc-provider shows on its error page, for a useful test failure. */
function pageError(html: string): string {
  const text = html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
  return text.slice(0, 300)
}

/**
 * Drives the provider's pages from `startUrl` to the redirect back to the client.
 *
 * @example
 * const { url } = await browserlessLogin(authorizationUrl, { login: 'alice' })
 * new URL(url).searchParams.get('code')
 */
export async function browserlessLogin(startUrl: string, opts: BrowserlessOptions = {}): Promise<BrowserlessResult> {
  const jar = opts.jar ?? new CookieJar()
  const origin = new URL(startUrl).origin
  const steps: string[] = []
  let url = new URL(startUrl)
  let method: 'GET' | 'POST' = 'GET'
  let body: URLSearchParams | undefined
  const submitted = new Set<string>()

  for (let step = 0; step < (opts.maxSteps ?? 20); step++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      headers: { cookie: jar.header(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body: body.toString() } : {}),
    })
    jar.store(url, res.headers.getSetCookie())
    method = 'GET'
    body = undefined

    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel()
      const next = new URL(res.headers.get('location') ?? '', url)
      if (next.origin !== origin) {
        // the authorization response: the client's redirect URI
        if (!opts.deliver) return { url: next.href, steps }
        const d = await fetch(next)
        return { url: next.href, steps, delivered: { status: d.status, body: await d.text() } }
      }
      url = next
      continue
    }

    const html = await res.text()
    if (res.status >= 400) throw new Error(`provider answered HTTP ${res.status} at ${url.pathname}: ${pageError(html)}`)
    if (steps.at(-1) === 'abort') {
      // after a refusal the provider shows a page (the device flow's code input, an error): the walk ends
      steps.push('done')
      return { url: url.href, steps, title: title(html) }
    }
    const forms = parseForms(html)
    const form = forms.find((f) => f.fields.prompt === 'login' || f.fields.prompt === 'consent' || f.id === 'op.deviceInputForm' || f.id === 'op.deviceConfirmForm') ?? forms[0]
    if (!form) {
      // a page without a form: the device flow's success page, or the end of the road
      steps.push('done')
      return { url: url.href, steps, title: title(html) }
    }
    const fields = { ...form.fields }
    const kind = fields.prompt ?? (form.id === 'op.deviceInputForm' ? 'user-code' : form.id === 'op.deviceConfirmForm' ? 'confirm' : 'auto-post')
    steps.push(opts.deny && (kind === 'consent' || kind === 'confirm') ? 'abort' : kind)
    if (fields.prompt === 'login') {
      fields.login = opts.login ?? 'alice'
      fields.password = opts.password ?? 'any-password'
    } else if (fields.prompt === 'consent' && opts.deny) {
      // devInteractions' abort is a plain link next to the consent form
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1]
      if (!abort) throw new Error('no abort link on the consent page')
      url = new URL(decodeHtml(abort), url)
      continue
    } else if (kind === 'confirm' && opts.deny) {
      // the device confirmation page's "Abort" button submits the same form with abort=yes
      fields.abort = 'yes'
    } else if (form.id === 'op.deviceInputForm') {
      if (!opts.userCode) throw new Error('the provider asks for a user code; pass userCode')
      fields.user_code = opts.userCode
    }
    const key = `${url.pathname}|${kind}`
    if (submitted.has(key)) throw new Error(`the provider showed the same form again at ${url.pathname}: ${pageError(html)}`)
    submitted.add(key)
    url = new URL(form.action, url)
    method = 'POST'
    body = new URLSearchParams(fields)
  }
  throw new Error(`no redirect to the client after ${opts.maxSteps ?? 20} steps (${steps.join(' → ')})`)
}

/**
 * Device flow: opens `verification_uri_complete` (or `verification_uri` with `userCode`),
 * signs in and consents; resolves when the provider shows its success page.
 */
export async function browserlessDeviceApproval(
  verificationUri: string,
  opts: BrowserlessOptions = {},
): Promise<BrowserlessResult> {
  return browserlessLogin(verificationUri, opts)
}
