/**
 * The test authorization server: panva's oidc-provider v9, in-process, on 127.0.0.1 and a
 * free port. Every flow test (login, device, refresh, client credentials, exchange,
 * introspection, revocation, CAE claims) starts one with `startProvider()` and stops it after.
 *
 * What it offers (see /work/shared/design/provider-notes.md for why some of it is needed):
 * - clients: a native public client (loopback redirects, any port), confidential clients
 *   with client_secret_basic and client_secret_post, a private_key_jwt client whose keys
 *   are generated here and exposed to tests;
 * - devInteractions (any login name works; `browserless-login.ts` drives the forms),
 *   refresh tokens with `offline_access` (+ `prompt=consent`) and rotation on every use,
 *   device flow (with a short `interval` so tests do not wait 5 s), claims parameter, RFC
 *   9207 `iss`, resource indicators with an API whose access tokens are `at+jwt` JWTs,
 *   client credentials, introspection, revocation, userinfo, and an RFC 8693 token exchange
 *   grant (oidc-provider has none built in); client capabilities announced in a claims
 *   request (`access_token.xms_cc`, CAE) come back as `xms_cc` in the access token;
 * - an in-memory adapter without the bundled 1000-entry LRU;
 * - a log of every request (method, path, parameters, grant type, claims) and of
 *   provider events, for assertions such as "the provider received the claims request".
 * @module
 */
import { createPrivateKey, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import Provider, { errors } from 'oidc-provider'
import { createAdapterFactory, type MemoryStore } from './provider-adapter.js'
import { registerTokenExchange, TOKEN_EXCHANGE_GRANT } from './provider-token-exchange.js'

/** The API resource indicator: access tokens for it are `at+jwt` JWTs with this `aud`. */
export const API_RESOURCE = 'https://api.example.test'
export const API_SCOPES = ['api:read', 'api:write'] as const
/**
 * A second API behind the first one, for token exchange: it takes only `api:read`, and its
 * JWT access tokens live 60 s, so an exchange to it changes audience, scope and lifetime.
 */
export const DOWNSTREAM_RESOURCE = 'https://downstream.example.test'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export { TOKEN_EXCHANGE_GRANT }

export interface TestClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'
  redirect_uri: string
}

export interface PrivateKeyJwtClient extends TestClient {
  /** The client's private signing key (ES256) as a JWK with `kid` and `alg`. */
  privateJwk: JWK
  /** The same key as PKCS#8 PEM, for `--client-key FILE`. */
  privateKeyPem: string
}

export interface RequestLogEntry {
  method: string
  /** Path without the query string, e.g. `/token`, `/auth`. */
  path: string
  /** The query parameters (GET) or the form / JSON body (POST) as the provider parsed them. */
  params: Record<string, string | string[]>
  /** `grant_type` at the token endpoint. */
  grantType?: string
  /** The `claims` request parameter parsed as JSON, exactly as the client sent it. */
  claims?: unknown
  /** Whether an Authorization header was sent and its scheme (`Basic`, `Bearer`, `DPoP`). */
  authorization?: string
  /** A Basic header's credentials as sent, base64-decoded but not form-decoded: `tokentool-basic:basic-…` (RFC 6749 §2.3.1 encoding). */
  basicCredentials?: string
  /** The `DPoP` proof header, when one was sent (RFC 9449). */
  dpop?: string
  /** The `DPoP-Nonce` the provider answered with, if any. */
  dpopNonce?: string
  status: number
}

export interface ProviderEvent {
  name: string
  /** For error events, `error` and `error_description` of the OAuth error. */
  error?: string
  description?: string
  /** For token events, the token's kind and client. */
  kind?: string
  clientId?: string
}

export interface ProviderOptions {
  /** Lifetimes in seconds (oidc-provider `ttl`). */
  ttl?: Partial<Record<'AccessToken' | 'ClientCredentials' | 'RefreshToken' | 'IdToken' | 'DeviceCode' | 'AuthorizationCode' | 'Session' | 'Grant' | 'Interaction', number>>
  /** Rotate refresh tokens on every use (default true). */
  rotateRefreshToken?: boolean
  /** `interval` added to device authorization responses (default 1; `null` = none, as oidc-provider does). */
  deviceInterval?: number | null
  /** Lifetime of the API's JWT access tokens in seconds (default 300). */
  apiAccessTokenTTL?: number
  /** More client metadata to register. */
  extraClients?: Record<string, unknown>[]
  /** Claims added to every access token. (`xms_cc` from a claims request is echoed already.) */
  extraTokenClaims?: (token: { kind: string; clientId: string; accountId?: string }) => Record<string, unknown> | undefined
  /**
   * Serve over HTTPS with this key and certificate (PEM), asking clients for a certificate
   * (`requestCert`, verified by `ca` but not required: mTLS tests read it with getPeerCertificate).
   */
  https?: { key: string; cert: string; ca: string }
  /** A last-resort hook to change the oidc-provider configuration before it is built. */
  configure?: (config: Record<string, unknown>) => void
}

export interface TestProvider {
  /** `http://127.0.0.1:PORT` (no trailing slash), the `iss` of its tokens. */
  issuer: string
  port: number
  /** The oidc-provider instance (untyped). */
  provider: any
  clients: {
    /** Native public client: PKCE, loopback redirect on any port, refresh, device flow, exchange. */
    native: TestClient
    /** Confidential, client_secret_basic: code, refresh, client credentials, exchange, introspection. */
    basic: TestClient & { client_secret: string }
    /** Confidential, client_secret_post. */
    post: TestClient & { client_secret: string }
    /** private_key_jwt with an ES256 key generated for this run. */
    privateKeyJwt: PrivateKeyJwtClient
  }
  /** Every request the provider handled, in order. */
  requests: RequestLogEntry[]
  /** Provider events (grant.success, grant.error, refresh_token.consumed, …), in order. */
  events: ProviderEvent[]
  /** The adapter's store, to check growth. */
  store: MemoryStore
  /** The provider's public signing keys (its `jwks_uri` content). */
  publicJwks: { keys: JWK[] }
  /** Requests to one path, e.g. `requestsTo('/token')`. */
  requestsTo(path: string): RequestLogEntry[]
  stop(): Promise<void>
}

async function signingKey(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(privateKey)
  jwk.kid = await calculateJwkThumbprint(jwk)
  jwk.alg = alg
  jwk.use = 'sig'
  return jwk
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk
  return pub
}

/** Loopback redirect URIs; oidc-provider accepts any port on them for native clients. */
const LOOPBACK_REDIRECTS = ['http://127.0.0.1/callback', 'http://localhost/callback', 'http://[::1]/callback']

function accountClaims(id: string): Record<string, unknown> {
  // any login name works in devInteractions; the claims are derived from it, stably
  return {
    sub: id,
    name: `Test User ${id}`,
    given_name: 'Test',
    family_name: `User ${id}`,
    preferred_username: id,
    email: `${id}@example.test`,
    email_verified: true,
    updated_at: 1_700_000_000,
  }
}

/** Minimal device-flow pages: the stock ones pull web fonts from the internet. */
const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`

export async function startProvider(opts: ProviderOptions = {}): Promise<TestProvider> {
  const server: Server = opts.https ? createHttpsServer({ ...opts.https, requestCert: true, rejectUnauthorized: false }) : createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const issuer = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`

  const [rsa, ec, clientJwk] = await Promise.all([signingKey('RS256'), signingKey('ES256'), signingKey('ES256')])
  // the private_key_jwt client's key, also as PEM for the CLI's --client-key
  const privateKeyPem = createPrivateKey({ key: clientJwk as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString()

  const clients: TestProvider['clients'] = {
    native: { client_id: 'tokentool-native', token_endpoint_auth_method: 'none', redirect_uri: LOOPBACK_REDIRECTS[0]! },
    basic: { client_id: 'tokentool-basic', client_secret: `basic-${randomBytes(16).toString('hex')}`, token_endpoint_auth_method: 'client_secret_basic', redirect_uri: LOOPBACK_REDIRECTS[0]! },
    post: { client_id: 'tokentool-post', client_secret: `post-${randomBytes(16).toString('hex')}`, token_endpoint_auth_method: 'client_secret_post', redirect_uri: LOOPBACK_REDIRECTS[0]! },
    privateKeyJwt: { client_id: 'tokentool-pkjwt', token_endpoint_auth_method: 'private_key_jwt', redirect_uri: LOOPBACK_REDIRECTS[0]!, privateJwk: clientJwk, privateKeyPem },
  }
  const userGrants = ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT]
  const common = { application_type: 'native', redirect_uris: LOOPBACK_REDIRECTS, response_types: ['code'] }

  const requests: RequestLogEntry[] = []
  const events: ProviderEvent[] = []
  const { factory, store } = createAdapterFactory()
  const apiTTL = opts.apiAccessTokenTTL ?? 300
  const exchangeExtras = new WeakMap<object, Record<string, unknown>>()
  async function resourceServerInfo(resourceIndicator: string): Promise<Record<string, unknown>> {
    if (resourceIndicator === API_RESOURCE) {
      return { scope: API_SCOPES.join(' '), accessTokenFormat: 'jwt', accessTokenTTL: apiTTL, jwt: { sign: { alg: 'RS256' } } }
    }
    if (resourceIndicator === DOWNSTREAM_RESOURCE) {
      return { scope: 'api:read', accessTokenFormat: 'jwt', accessTokenTTL: 60, jwt: { sign: { alg: 'RS256' } } }
    }
    throw new errors.InvalidTarget()
  }

  const config: Record<string, unknown> = {
    adapter: factory,
    clients: [
      { ...common, client_id: clients.native.client_id, token_endpoint_auth_method: 'none', grant_types: userGrants },
      { ...common, client_id: clients.basic.client_id, client_secret: clients.basic.client_secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: [...userGrants, 'client_credentials'] },
      { ...common, client_id: clients.post.client_id, client_secret: clients.post.client_secret, token_endpoint_auth_method: 'client_secret_post', grant_types: [...userGrants, 'client_credentials'] },
      {
        ...common,
        client_id: clients.privateKeyJwt.client_id,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [publicPart(clientJwk)] },
        grant_types: [...userGrants, 'client_credentials'],
      },
      ...(opts.extraClients ?? []),
    ],
    jwks: { keys: [rsa, ec] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => accountClaims(id) }
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'updated_at'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', ...API_SCOPES],
    features: {
      devInteractions: { enabled: true },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      // the stock policies (which log a NOTICE on every call): a public client may only
      // introspect its own tokens; a client may only revoke its own
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx: any, client: any, token: any) => !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId),
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: any, token: any) => {
          if (token.clientId === client.clientId) return true
          if (client.clientAuthMethod === 'none') return false
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token')
        },
      },
      userinfo: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx: any, form: string) => {
          ctx.body = page('Enter code', `${form}<button type="submit" form="op.deviceInputForm">Continue</button>`)
        },
        userCodeConfirmSource: async (ctx: any, form: string, _client: unknown, _info: unknown, userCode: string) => {
          ctx.body = page('Confirm device', `<p>Code <code>${userCode}</code></p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>`)
        },
        successSource: async (ctx: any) => {
          ctx.body = page('Sign-in Success', '<p>You can close this page.</p>')
        },
      },
      resourceIndicators: {
        enabled: true,
        // with a single granted resource the client may omit `resource` at the token endpoint
        useGrantedResource: async () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => resourceServerInfo(resourceIndicator),
      },
    },
    async extraTokenClaims(ctx: any, token: any) {
      const fromExchange = exchangeExtras.get(token)
      const fromTest = opts.extraTokenClaims?.({ kind: token.kind, clientId: token.clientId, accountId: token.accountId })
      // as Entra ID does: client capabilities announced through the claims request
      // ({"access_token":{"xms_cc":{"values":["cp1"]}}}) come back as `xms_cc` in the token
      // (an access token for a resource server does not carry `claims`: read them from what was exchanged)
      const e = ctx?.oidc?.entities
      const claims = token.claims ?? e?.AuthorizationCode?.claims ?? e?.RefreshToken?.claims ?? e?.DeviceCode?.claims
      const cc = claims?.access_token?.xms_cc?.values
      const capabilities = Array.isArray(cc) && cc.length ? { xms_cc: cc } : undefined
      return fromExchange || fromTest || capabilities ? { ...capabilities, ...fromTest, ...fromExchange } : undefined
    },
    // scope claims (email, profile) in the ID token as well, as Entra ID and Google do
    conformIdTokenClaims: false,
    rotateRefreshToken: opts.rotateRefreshToken ?? true,
    ttl: {
      AccessToken: 600,
      ClientCredentials: 600,
      IdToken: 600,
      RefreshToken: 24 * 3600,
      DeviceCode: 600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 24 * 3600,
      ...opts.ttl,
    },
    // the stock helper logs a NOTICE on every call; no browser-based CORS in these tests
    clientBasedCORS: () => false,
  }
  opts.configure?.(config)

  const provider = new Provider(issuer, config)
  registerTokenExchange(provider, { issuer, publicJwks: { keys: [publicPart(rsa), publicPart(ec)] }, exchangeExtras, getResourceServerInfo: resourceServerInfo })

  // The request log and two small accommodations, as a Koa middleware around every route.
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    let originalClaims: unknown
    if (ctx.method === 'GET' && ctx.path === '/auth' && typeof ctx.query.claims === 'string') {
      originalClaims = parseJson(ctx.query.claims)
      // oidc-provider rejects a claims request without `userinfo`/`id_token` (Entra ID takes
      // `{"access_token":{...}}` as is); give it an empty `id_token` member so it passes
      const c = originalClaims as Record<string, unknown> | undefined
      if (c && typeof c === 'object' && c.userinfo === undefined && c.id_token === undefined) {
        ctx.query = { ...ctx.query, claims: JSON.stringify({ ...c, id_token: {} }) }
      }
    }
    try {
      await next()
    } finally {
      const params = (ctx.method === 'POST' ? ctx.oidc?.body : ctx.query) ?? {}
      const claims = originalClaims ?? (typeof params.claims === 'string' ? parseJson(params.claims) : undefined)
      const auth = ctx.get('authorization')
      const dpop = ctx.get('dpop')
      const dpopNonce = ctx.response.get('dpop-nonce')
      requests.push({
        method: ctx.method,
        path: ctx.path,
        params: { ...params },
        ...(typeof params.grant_type === 'string' ? { grantType: params.grant_type } : {}),
        ...(claims !== undefined ? { claims } : {}),
        ...(auth ? { authorization: auth.split(' ')[0] } : {}),
        ...(/^basic /i.test(auth) ? { basicCredentials: Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8') } : {}),
        ...(dpop ? { dpop } : {}),
        ...(dpopNonce ? { dpopNonce } : {}),
        status: ctx.status,
      })
    }
    // RFC 8628 §3.2: a client defaults to 5 s without `interval`; tests need not wait that long
    const interval = opts.deviceInterval === undefined ? 1 : opts.deviceInterval
    if (interval !== null && ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      ctx.body = { ...ctx.body, interval }
    }
  })

  for (const name of ['grant.success', 'grant.error', 'authorization.error', 'authorization.success', 'introspection.error', 'revocation.error', 'userinfo.error', 'device_authorization.error', 'server_error', 'refresh_token.consumed', 'refresh_token.destroyed', 'access_token.issued', 'access_token.saved', 'client_credentials.issued', 'client_credentials.saved', 'grant.revoked']) {
    provider.on(name, (...args: any[]) => {
      const err = args.find((a) => a instanceof Error) as (Error & { error?: string; error_description?: string }) | undefined
      const token = args.find((a) => a && typeof a === 'object' && typeof a.kind === 'string') as { kind: string; clientId?: string } | undefined
      events.push({
        name,
        ...(err ? { error: err.error ?? err.name, description: err.error_description ?? err.message } : {}),
        ...(token ? { kind: token.kind, ...(token.clientId ? { clientId: token.clientId } : {}) } : {}),
      })
    })
  }

  server.on('request', provider.callback())

  return {
    issuer,
    port,
    provider,
    clients,
    requests,
    events,
    store,
    publicJwks: { keys: [publicPart(rsa), publicPart(ec)] },
    requestsTo: (path) => requests.filter((r) => r.path === path),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}
