/**
 * Servers that misbehave on purpose, on 127.0.0.1, for the fault tests: one HTTP server whose
 * first path segment picks the fault (each path is an issuer with its own discovery document),
 * and a TCP server that answers anything with bytes that are not HTTP.
 *
 * | issuer path | behaviour |
 * |---|---|
 * | `/ok` | a valid discovery document, JWKS and token endpoint |
 * | `/hang` | accepts, reads the request, never answers |
 * | `/reset` | resets the connection (TCP RST) on every request |
 * | `/flaky` | 503 with `Retry-After: 1` the first time each URL is asked, then as `/ok` |
 * | `/busy` | always 503 with `Retry-After: 3600` |
 * | `/truncated` | announces 5000 bytes of JSON, sends 60, closes |
 * | `/notjson` | 200 with an HTML page |
 * | `/loop` | `/loop/a` → `/loop/b` → `/loop/a` … (302) |
 * | `/huge` | a 5 MiB discovery document; `/huge/jwks` 600 KiB of keys, chunked without a length |
 * | `/mismatch` | a document whose `issuer` is another URL |
 * | `/insecure` | a document whose `token_endpoint` is plain http on a public host |
 * | `/noaccess` | a token endpoint answering 200 without `access_token` |
 * | `/echo` | a token endpoint whose error_description quotes the request (its secrets) and a JWT |
 * | `/hostile` | the terminal-injection corpus everywhere a server's text is shown: discovery (scopes, grants, endpoints' paths), JWKS kids, every error_description (which also quotes the request, its secrets percent-encoded) |
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'

/** The terminal-injection corpus (test/fixtures/terminal-injection), the long line made long. */
export const HOSTILE: string[] = (JSON.parse(readFileSync(new URL('../fixtures/terminal-injection/corpus.json', import.meta.url), 'utf8')) as { strings: { name: string; value: string }[] }).strings.map((x) =>
  x.name === 'very long line' ? x.value.repeat(5000) : x.value,
)

export interface FaultLogEntry {
  method: string
  path: string
  body: string
  /** Every request header as received (a credential sent where it must not go shows here). */
  headers: Record<string, string | string[] | undefined>
}

export interface FaultServers {
  /** `http://127.0.0.1:PORT` */
  base: string
  issuer(fault: string): string
  /** Every request the HTTP server read, in order. */
  log: FaultLogEntry[]
  requestsTo(path: string): FaultLogEntry[]
  /** A TCP port that answers every connection with garbage. */
  garbageUrl: string
  close(): Promise<void>
}

function discovery(issuer: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    ...over,
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

export async function startFaultServers(): Promise<FaultServers> {
  const log: FaultLogEntry[] = []
  const seen = new Set<string>()
  const sockets = new Set<Socket>()
  let base = ''

  const ok = (issuer: string, rest: string, req: IncomingMessage, res: ServerResponse, body: string) => {
    if (rest === '/.well-known/openid-configuration') return json(res, 200, discovery(issuer))
    if (rest === '/jwks') return json(res, 200, { keys: [] })
    if (rest === '/token' && req.method === 'POST') {
      const grant = new URLSearchParams(body).get('grant_type')
      return json(res, 200, { access_token: `at-${grant}-${log.length}`, token_type: 'Bearer', expires_in: 300 })
    }
    json(res, 404, { error: 'not_found' })
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', base)
    const [, fault = '', ...restParts] = url.pathname.split('/')
    const rest = `/${restParts.join('/')}`
    const issuer = `${base}/${fault}`
    switch (fault) {
      case 'ok':
        return ok(issuer, rest, req, res, body)
      case 'hang':
        return // never answered; the socket stays open until the client gives up
      case 'reset':
        return req.socket.resetAndDestroy()
      case 'flaky': {
        const key = `${req.method} ${url.pathname}`
        if (!seen.has(key)) {
          seen.add(key)
          return json(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '1' })
        }
        return ok(issuer, rest, req, res, body)
      }
      case 'busy':
        return json(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '3600' })
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' })
        res.write(JSON.stringify(discovery(issuer)).slice(0, 60))
        return void setTimeout(() => req.socket.destroy(), 20)
      case 'notjson':
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end('<html><body><h1>Welcome to nginx!</h1></body></html>')
      case 'loop':
        res.writeHead(302, { location: rest === '/a' ? `${base}/loop/b` : `${base}/loop/a` })
        return res.end()
      case 'huge':
        if (rest === '/jwks') {
          // no content-length: the limit must hold while streaming
          res.writeHead(200, { 'content-type': 'application/json' })
          const key = JSON.stringify({ kty: 'oct', kid: 'x'.repeat(1000), k: 'AAAA' })
          res.write('{"keys":[')
          for (let i = 0; i < 600; i++) res.write(`${i ? ',' : ''}${key}`)
          return res.end(']}')
        }
        return json(res, 200, discovery(issuer, { padding: 'x'.repeat(5 * 1024 * 1024) }))
      case 'mismatch':
        return json(res, 200, discovery('https://evil.example'))
      case 'insecure':
        return json(res, 200, discovery(issuer, { token_endpoint: 'http://tokens.example.com/token' }))
      case 'noaccess':
        if (rest === '/token') return json(res, 200, { token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-that-must-not-be-stored' })
        return ok(issuer, rest, req, res, body)
      case 'echo':
        if (rest === '/token') {
          const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbi0wMTIzNDU2Nzg5'
          return json(res, 400, { error: 'invalid_grant', error_description: `cannot accept ${body} for ${jwt}` })
        }
        return ok(issuer, rest, req, res, body)
      case 'hostile': {
        if (rest === '/.well-known/openid-configuration') {
          return json(res, 200, discovery(issuer, { scopes_supported: HOSTILE, grant_types_supported: ['client_credentials', ...HOSTILE], response_types_supported: HOSTILE, introspection_endpoint: `${issuer}/introspect`, revocation_endpoint: `${issuer}/revoke`, userinfo_endpoint: `${issuer}/userinfo` }))
        }
        if (rest === '/jwks') return json(res, 200, { keys: HOSTILE.map((kid) => ({ kty: 'oct', kid, k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', alg: 'HS256' })) })
        const quoted = `${HOSTILE.join(' ')} ${'\u001b[2J'.repeat(2000)} you sent: ${body} ${JSON.stringify(req.headers)}`
        return json(res, rest === '/userinfo' ? 401 : 400, { error: 'invalid_client', error_description: quoted }, rest === '/userinfo' ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {})
      }
      default:
        return json(res, 404, { error: 'no such fault' })
    }
  }

  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8').on('data', (d: string) => (body += d))
    req.on('end', () => {
      log.push({ method: req.method ?? '', path: new URL(req.url ?? '/', base).pathname, body, headers: { ...req.headers } })
      handle(req, res, body)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const garbage = createTcpServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    s.once('data', () => s.end(Buffer.from('\u0000\u00ff\u00feSSH-2.0-OpenSSH_9.6\r\n\u0007garbage garbage\r\n\r\n', 'latin1')))
  })
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve))
  const garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`

  return {
    base,
    issuer: (fault) => `${base}/${fault}`,
    log,
    requestsTo: (path) => log.filter((e) => e.path === path),
    garbageUrl,
    close: async () => {
      for (const s of sockets) s.destroy()
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => garbage.close(r))])
    },
  }
}
