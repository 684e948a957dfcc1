/**
 * A test API (resource server) on 127.0.0.1 that accepts the test provider's JWT access
 * tokens (`at+jwt`, audience API_RESOURCE) checked with jose against the provider's JWKS,
 * and behaves as a CAE-enabled API after a "revocation event" (a critical event such as a
 * password reset): tokens issued at or before the event time get
 * `401 WWW-Authenticate: Bearer ... error="insufficient_claims", claims="<base64 of
 * {"access_token":{"nbf":{"essential":true,"value":"<event time>"}}}>"`.
 *
 * Every request is logged (method, path, headers without Authorization, body, the token's
 * `iat` and what was answered) for assertions such as "the API saw exactly 2 requests".
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { API_RESOURCE } from './provider.js'

export interface ApiLogEntry {
  method: string
  path: string
  /** Request headers, lower-cased, without `authorization`. */
  headers: Record<string, string>
  body: string
  /** The bearer token that came (for tests that compare it with what the profile stored). */
  token: string | undefined
  /** The token's `iat`, when it verified. */
  iat?: number
  status: number
  /** The `error` of the challenge sent, if any. */
  error?: string
}

/** How the API answers. */
export type ApiMode =
  /** Valid tokens pass. */
  | { kind: 'normal' }
  /** The claims challenge for every token, even new ones (an API whose claims cannot be satisfied). */
  | { kind: 'always-challenge' }
  /** `invalid_token` for every token. */
  | { kind: 'invalid-token'; description: string }
  /**
   * RFC 9470 step-up: tokens issued at or before `since` get `insufficient_user_authentication`
   * with these `acr_values`/`max_age`; a token from a newer sign-in passes.
   */
  | { kind: 'step-up'; since: number; acrValues?: string; maxAge?: number }

export interface ResourceServer {
  url: string
  requests: ApiLogEntry[]
  /** The revocation event's time (epoch seconds), once `revoke()` was called. */
  eventTime: number | undefined
  /** Marks now as the revocation event: tokens issued up to this second must be replaced. */
  revoke(at?: number): number
  setMode(mode: ApiMode): void
  /** The `claims` parameter the API sends for the current event (base64). */
  claimsValue(): string
  close(): Promise<void>
}

const challenge = (params: Record<string, string>) =>
  'Bearer ' + Object.entries(params).map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`).join(', ')

export async function startResourceServer(issuer: string): Promise<ResourceServer> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  const requests: ApiLogEntry[] = []
  let mode: ApiMode = { kind: 'normal' }
  let eventTime: number | undefined

  const claimsValue = () => {
    const at = eventTime ?? Math.floor(Date.now() / 1000)
    return Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(at) } } })).toString('base64')
  }
  const claimsChallenge = () =>
    challenge({ realm: '', authorization_uri: `${issuer}/auth`, error: 'insufficient_claims', claims: claimsValue() })

  async function handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<Omit<ApiLogEntry, 'method' | 'path' | 'headers' | 'body' | 'token'>> {
    const send = (status: number, json: unknown, wwwAuthenticate?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-test-api': 'yes', ...(wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {}) })
      res.end(JSON.stringify(json))
    }
    const auth = req.headers.authorization ?? ''
    const m = /^Bearer (\S+)$/.exec(auth)
    if (!m) {
      send(401, { error: 'no token' }, challenge({ realm: '' }))
      return { status: 401 }
    }
    if (mode.kind === 'invalid-token') {
      send(401, { error: 'invalid_token' }, challenge({ realm: '', error: 'invalid_token', error_description: mode.description }))
      return { status: 401, error: 'invalid_token' }
    }
    let payload
    try {
      ;({ payload } = await jwtVerify(m[1]!, jwks, { issuer, audience: API_RESOURCE, typ: 'at+jwt' }))
    } catch (e) {
      send(401, { error: 'invalid_token' }, challenge({ realm: '', error: 'invalid_token', error_description: (e as Error).message }))
      return { status: 401, error: 'invalid_token' }
    }
    const iat = payload.iat ?? 0
    if (mode.kind === 'step-up' && iat <= mode.since) {
      const params: Record<string, string> = { error: 'insufficient_user_authentication', error_description: 'A different authentication level is required' }
      if (mode.acrValues !== undefined) params.acr_values = mode.acrValues
      if (mode.maxAge !== undefined) params.max_age = String(mode.maxAge)
      send(401, { error: 'insufficient_user_authentication' }, challenge(params))
      return { status: 401, iat, error: 'insufficient_user_authentication' }
    }
    if (mode.kind === 'always-challenge' || (eventTime !== undefined && iat <= eventTime)) {
      send(401, { error: 'insufficient_claims' }, claimsChallenge())
      return { status: 401, iat, error: 'insufficient_claims' }
    }
    send(200, { ok: true, sub: payload.sub, method: req.method, path: req.url, body })
    return { status: 200, iat }
  }

  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8').on('data', (d: string) => (body += d))
    req.on('end', () => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (k !== 'authorization' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
      void handle(req, body, res).then(
        (r) => requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body, token, ...r }),
        (e: unknown) => {
          res.writeHead(500).end(String(e))
          requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body, token, status: 500 })
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    requests,
    get eventTime() {
      return eventTime
    },
    revoke(at = Math.floor(Date.now() / 1000)) {
      eventTime = at
      return at
    },
    setMode(next) {
      mode = next
    },
    claimsValue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
