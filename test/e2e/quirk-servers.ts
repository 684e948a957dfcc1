/**
 * Authorization servers that behave as real ones were seen to, on 127.0.0.1, for the
 * provider-quirk tests: the first path segment picks the behaviour (each is an issuer with its
 * own discovery document). Each quirk is one that glewlwyd 2.7 or LemonLDAP::NG 2.16 showed
 * when tokentool was first pointed at them (issue 14).
 *
 * | issuer path | behaviour |
 * |---|---|
 * | `/strict-basic` | decodes Basic credentials without percent-decoding them (glewlwyd); a wrong one gets 401 with no body; also takes client_secret_post |
 * | `/lemon` | 401 `WWW-Authenticate: Basic realm=...` with `{"error":"invalid_client"}` in the body (LemonLDAP::NG) |
 * | `/textplain` | 400 with a JSON OAuth error sent as text/plain |
 * | `/empty` | every token, userinfo and introspection request refused with no body: 403, 401 without a challenge |
 * | `/rotate` | a refresh of `rt1` answers with `rt2`; any later refresh gets 400 with no body (reuse detection) |
 * | `/echo-accept` | introspection answers JSON `{"active":true}` whatever is asked (the tests read the request's `Accept`) |
 * | `/pkjwt` | private_key_jwt whose assertion must be signed by `clientKey` with the token endpoint as `aud` (glewlwyd) |
 */
import { exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'

export const STRICT_CLIENT = { id: 'webc', secret: 'webc-secret-1._~*' }

export interface QuirkServers extends TinyServer {
  issuer(quirk: string): string
  /** The private JWK whose public half `/pkjwt` trusts. */
  clientJwk: JWK
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

const token = (res: ServerResponse, extra: Record<string, unknown> = {}) => json(res, 200, { access_token: `at-${Math.random().toString(36).slice(2)}`, token_type: 'Bearer', expires_in: 300, ...extra })

export async function startQuirkServers(): Promise<QuirkServers> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const clientJwk = { ...(await exportJWK(privateKey)), kid: 'quirk-client', alg: 'ES256' }
  let rotated = false
  const server = await startHttpServer((req, res, base) => {
    const url = new URL(req.url ?? '/', base)
    const [, quirk = '', ...restParts] = url.pathname.split('/')
    const rest = `/${restParts.join('/')}`
    const issuer = `${base}/${quirk}`
    const body = new URLSearchParams(server.requests.at(-1)?.body ?? '')
    if (rest === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        introspection_endpoint: `${issuer}/introspect`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      })
    }
    if (rest === '/jwks') return json(res, 200, { keys: [] })
    void handle(quirk, rest, req, res, body, issuer).catch(() => json(res, 500, { error: 'server_error' }))
  })

  async function handle(quirk: string, rest: string, req: IncomingMessage, res: ServerResponse, body: URLSearchParams, issuer: string): Promise<void> {
    switch (quirk) {
      case 'strict-basic': {
        if (rest !== '/token') break
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        // glewlwyd's way: base64, split at the first ':', no percent-decoding at all
        const raw = basic ? Buffer.from(basic, 'base64').toString('utf8') : undefined
        const [id, secret] = raw ? [raw.slice(0, raw.indexOf(':')), raw.slice(raw.indexOf(':') + 1)] : [body.get('client_id'), body.get('client_secret')]
        if (id === STRICT_CLIENT.id && secret === STRICT_CLIENT.secret) return token(res)
        res.writeHead(401)
        return void res.end()
      }
      case 'lemon':
        return json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="LemonLDAP::NG"' })
      case 'textplain':
        res.writeHead(400, { 'content-type': 'text/plain' })
        return void res.end(JSON.stringify({ error: 'invalid_scope', error_description: 'scope "admin" is not allowed' }))
      case 'empty':
        if (rest === '/userinfo') res.writeHead(401)
        else res.writeHead(403, { 'content-length': '0' })
        return void res.end()
      case 'rotate':
        if (rest !== '/token') break
        if (body.get('refresh_token') === 'rt1' && !rotated) {
          rotated = true
          return token(res, { refresh_token: 'rt2' })
        }
        res.writeHead(400)
        return void res.end()
      case 'echo-accept':
        if (rest === '/introspect') return json(res, 200, { active: true, client_id: 'cli' })
        break
      case 'pkjwt': {
        if (rest !== '/token') break
        try {
          await jwtVerify(body.get('client_assertion') ?? '', publicKey as CryptoKey, { audience: `${issuer}/token`, issuer: 'pk-client', subject: 'pk-client' })
        } catch {
          return json(res, 401, { error: 'invalid_client', error_description: 'client assertion rejected' })
        }
        return token(res)
      }
    }
    json(res, 404, { error: 'not_found' })
  }

  return { ...server, issuer: (quirk) => `${server.url}/${quirk}`, clientJwk }
}
