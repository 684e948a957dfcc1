/**
 * The loopback redirect listener of RFC 8252 §7.3: an HTTP server on the loopback address of
 * the redirect URI that waits for exactly one callback whose `state` matches. Callbacks with a
 * wrong or missing state get 400 and do not end the wait; the matching one is held open until
 * the token exchange is over, so that the page the browser shows tells the real outcome.
 * `judgeCallback` is the pure decision, testable without sockets.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { UsageError } from '../errors.js'

export type RedirectHost = '127.0.0.1' | 'localhost' | '[::1]'
export const REDIRECT_HOSTS: readonly RedirectHost[] = ['127.0.0.1', 'localhost', '[::1]']

/** A callback the flow accepts: the provider's answer for our state. */
export type Callback =
  | { kind: 'code'; url: URL }
  | { kind: 'error'; url: URL; error: string; description: string | undefined }
  | { kind: 'malformed'; url: URL; reason: string }

export type Judgement =
  | { accept: false; status: number; page: Page }
  | { accept: true; callback: Callback }

export interface Page {
  title: string
  message: string
  ok: boolean
}

/**
 * Decides what to do with one request to the listener. `target` is the request line's path
 * and query; `redirectUri` the URI the flow registered; `state` the value we sent.
 */
export function judgeCallback(method: string, target: string, redirectUri: URL, state: string): Judgement {
  let url: URL
  try {
    url = new URL(target, redirectUri)
  } catch {
    return { accept: false, status: 400, page: failPage('Bad request', 'The request could not be read.') }
  }
  if (url.pathname !== redirectUri.pathname) {
    return { accept: false, status: 404, page: failPage('Not found', `tokentool is waiting on ${redirectUri.pathname}.`) }
  }
  if (method !== 'GET') {
    return { accept: false, status: 405, page: failPage('Method not allowed', 'The redirect must be a GET request.') }
  }
  return judgeRedirectUrl(url, state)
}

/** The state check and the shape of the answer; used for callbacks and for pasted URLs alike. */
export function judgeRedirectUrl(url: URL, state: string): Judgement {
  const p = url.searchParams
  const got = p.get('state')
  if (got === null) {
    return { accept: false, status: 400, page: failPage('Missing state', 'This redirect has no state parameter; tokentool is still waiting for the right one.') }
  }
  if (got !== state) {
    return { accept: false, status: 400, page: failPage('State mismatch', 'This redirect does not belong to the sign-in tokentool started; it is still waiting for the right one.') }
  }
  const error = p.get('error')
  if (error !== null) {
    return { accept: true, callback: { kind: 'error', url, error, description: p.get('error_description') ?? undefined } }
  }
  if (!p.get('code')) {
    return { accept: true, callback: { kind: 'malformed', url, reason: 'the redirect carried neither a code nor an error' } }
  }
  return { accept: true, callback: { kind: 'code', url } }
}

export function okPage(message: string): Page {
  return { title: 'Signed in', message, ok: true }
}
export function failPage(title: string, message: string): Page {
  return { title, message, ok: false }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The small page the browser shows. No scripts, no external resources. */
export function renderPage(page: Page): string {
  const colour = page.ok ? '#1a7f37' : '#cf222e'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>tokentool: ${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}h1{color:${colour};font-size:1.4em}</style>
</head><body><h1 id="tokentool-result" data-ok="${page.ok}">${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p><p>You can close this window and return to the terminal.</p></body></html>
`
}

/** The redirect URI for a host and port: `http://127.0.0.1:PORT/callback`. */
export function redirectUriFor(host: RedirectHost, port: number, path: string): URL {
  return new URL(`http://${host}:${port}${path.startsWith('/') ? path : '/' + path}`)
}

/** Addresses to bind: only the loopback address the redirect URI names (both for `localhost`). */
export function bindAddresses(host: RedirectHost): string[] {
  if (host === 'localhost') return ['127.0.0.1', '::1']
  if (host === '[::1]') return ['::1']
  return ['127.0.0.1']
}

export interface PendingCallback {
  callback: Callback
  /** Sends the final page to the browser that delivered the callback. */
  reply(page: Page): void
}

export interface Listener {
  redirectUri: URL
  /** Resolves with the one accepted callback. */
  next: Promise<PendingCallback>
  /** Offers a URL from elsewhere (pasted by the user); returns why it was refused, if it was. */
  offer(url: URL): Judgement
  close(): Promise<void>
}

export interface ListenOptions {
  host: RedirectHost
  port: number
  path: string
  state: string
  /** Told about each refused request (e.g. to say so on stderr). */
  onRejected?: (status: number, page: Page) => void
}

/** Starts the listener. Throws UsageError when the port cannot be bound. */
export async function listenForCallback(opts: ListenOptions): Promise<Listener> {
  const servers: Server[] = []
  let settle!: (p: PendingCallback) => void
  const next = new Promise<PendingCallback>((r) => (settle = r))
  let done = false
  let redirectUri = redirectUriFor(opts.host, opts.port, opts.path)

  const accept = (callback: Callback, res: ServerResponse | undefined) => {
    done = true
    settle({
      callback,
      reply(page) {
        if (!res || res.writableEnded) return
        send(res, page.ok ? 200 : 400, page)
      },
    })
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (done) {
      send(res, 409, failPage('Already done', 'tokentool has already received the sign-in response.'))
      return
    }
    const j = judgeCallback(req.method ?? 'GET', req.url ?? '/', redirectUri, opts.state)
    if (!j.accept) {
      send(res, j.status, j.page)
      if (j.status !== 404) opts.onRejected?.(j.status, j.page)
      return
    }
    accept(j.callback, res)
  }

  const addresses = bindAddresses(opts.host)
  let port = opts.port
  for (let attempt = 0; ; attempt++) {
    try {
      for (const [i, address] of addresses.entries()) {
        const server = createServer(handler)
        server.keepAliveTimeout = 1000
        try {
          await bind(server, address, port)
        } catch (e) {
          // a machine without IPv6 still serves `localhost` on 127.0.0.1
          if (i > 0 && (e as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') continue
          throw e
        }
        servers.push(server)
        if (i === 0) port = (server.address() as AddressInfo).port
      }
      break
    } catch (e) {
      await Promise.all(servers.splice(0).map(closeServer))
      const code = (e as NodeJS.ErrnoException).code
      // with port 0, the second address may have the first one's port taken: try another
      if (opts.port === 0 && code === 'EADDRINUSE' && attempt < 5) {
        port = 0
        continue
      }
      if (code === 'EADDRINUSE') throw new UsageError(`port ${opts.port} is in use on the loopback address; choose another with --port, or 0 for any free port`)
      if (code === 'EACCES') throw new UsageError(`not allowed to listen on port ${opts.port}; choose a port above 1023 with --port`)
      throw new UsageError(`cannot listen on ${addresses.join(' and ')}: ${(e as Error).message}`)
    }
  }
  redirectUri = redirectUriFor(opts.host, port, opts.path)

  return {
    redirectUri,
    next,
    offer(url) {
      if (done) return { accept: false, status: 409, page: failPage('Already done', 'already received') }
      const j = judgeRedirectUrl(url, opts.state)
      if (j.accept) accept(j.callback, undefined)
      return j
    },
    async close() {
      await Promise.all(servers.map(closeServer))
    },
  }
}

function send(res: ServerResponse, status: number, page: Page): void {
  const body = renderPage(page)
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  })
  res.end(body)
}

function bind(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: address, port, exclusive: true, ipv6Only: address === '::1' }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // let a page being written reach the browser; then cut whatever is left (keep-alive sockets)
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 500).unref()
  })
}
