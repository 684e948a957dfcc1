/**
 * How `tokentool token` gets its token, decided without I/O: the cached access token while it
 * has more than `--min-ttl` left, else a refresh of the profile's session, else a machine grant
 * (client credentials, or the RFC 7523 jwt-bearer grant) when there are credentials for one.
 * Also the cache keys of both kinds of token. Pure.
 * @module
 */
import { cacheKey, type CacheKeyParts } from './cache-key.js'
// the freshness rule the store uses too; the shapes are core's own (core does not know the store)
import { usableAccessToken, type CachedAccessToken, type CachedTokens } from './cached-tokens.js'

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials'
/** RFC 7523 §2.1: a JWT as the authorization grant. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/**
 * The grant name in the cache key of a user's tokens (login, device flow, refresh): the same
 * as `USER_GRANT` in oauth/user-session.ts, which cannot be imported here without loading the
 * OAuth client (a unit test keeps the two equal).
 */
export const USER_TOKEN_GRANT = 'authorization_code'

export type MachineGrant = 'client_credentials' | 'jwt_bearer'

/** What shapes the token asked for. Lists and claims as given; normalised by `cacheKey`. */
export interface TokenShape {
  issuer: string
  clientId: string
  scope?: string | undefined
  audience?: string | readonly string[] | undefined
  resource?: string | readonly string[] | undefined
  /** The claims request (JSON text). */
  claims?: string | undefined
  /** The DPoP key's thumbprint when the token is DPoP-bound (RFC 9449): another key, another token. */
  dpopJkt?: string | undefined
  /** RFC 9396 `authorization_details` (compact JSON): they shape the token as a scope does. */
  authorizationDetails?: string | undefined
  /** RFC 8705: the client certificate's `x5t#S256` when the token is certificate-bound. */
  mtlsX5t?: string | undefined
}

export interface MachineShape extends TokenShape {
  grant: MachineGrant
  /** jwt-bearer: who the assertion speaks for (`iss`, `sub`), since that shapes the token. */
  assertionSubject?: { iss?: string | undefined; sub?: string | undefined } | undefined
}

/** The cache key of a token obtained on the user's behalf (what login and refresh store). */
export function userTokenKey(s: TokenShape): string {
  return cacheKey({ issuer: s.issuer, clientId: s.clientId, grant: USER_TOKEN_GRANT, scope: s.scope, audience: s.audience, resource: s.resource, claims: s.claims, extra: bindingExtra(s.dpopJkt, s.authorizationDetails, s.mtlsX5t) })
}

/** The sender constraint as a cache-key member (absent for a bearer token: keys stay as they were). */
export function bindingExtra(dpopJkt: string | undefined, authorizationDetails?: string | undefined, mtlsX5t?: string | undefined): Record<string, string> | undefined {
  if (!dpopJkt && !authorizationDetails && !mtlsX5t) return undefined
  return { ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}), ...(authorizationDetails ? { authorization_details: authorizationDetails } : {}), ...(mtlsX5t ? { x5t_s256: mtlsX5t } : {}) }
}

export function machineKeyParts(s: MachineShape): CacheKeyParts {
  const assertion = s.grant === 'jwt_bearer' ? { assertion_iss: s.assertionSubject?.iss, assertion_sub: s.assertionSubject?.sub } : undefined
  const binding = bindingExtra(s.dpopJkt, s.authorizationDetails, s.mtlsX5t)
  const extra = assertion || binding ? { ...assertion, ...binding } : undefined
  return {
    issuer: s.issuer,
    clientId: s.clientId,
    grant: s.grant === 'jwt_bearer' ? JWT_BEARER_GRANT : CLIENT_CREDENTIALS_GRANT,
    scope: s.scope,
    audience: s.audience,
    resource: s.resource,
    claims: s.claims,
    extra,
  }
}

/** The cache key of a token from a machine grant. */
export function machineTokenKey(s: MachineShape): string {
  return cacheKey(machineKeyParts(s))
}

export interface TokenDecisionInput<E extends CachedAccessToken = CachedAccessToken> {
  tokens: CachedTokens<E> | undefined
  now: Date
  /** Seconds a cached token must still have. */
  minTtl: number
  /** `--force`: never from the cache. */
  force: boolean
  /** A claims request always bypasses the cache (the cached token did not answer it). */
  claims: boolean
  /** The client in use: a refresh token belongs to the client it was issued to. */
  clientId: string
  /** Cache key of the user's token; absent when the user's session is not to be used. */
  userKey?: string | undefined
  /** The machine grant the credentials allow, with its cache key; absent without credentials. */
  machine?: { grant: MachineGrant; key: string } | undefined
}

export type TokenDecision<E extends CachedAccessToken = CachedAccessToken> =
  | { kind: 'cached'; entry: E; from: 'user' | 'machine' }
  | { kind: 'refresh' }
  | { kind: 'grant'; grant: MachineGrant }
  /** Nothing to work with: no usable cached token, no refresh token, no client credentials. */
  | { kind: 'none'; /** whether a token for this request is cached but has too little time left */ expired: boolean }

const usable = <E extends CachedAccessToken>(t: CachedTokens<E> | undefined, key: string | undefined, now: Date, minTtl: number): E | undefined =>
  key ? usableAccessToken(t, key, now, minTtl) : undefined

/**
 * cached (user, then machine) → refresh (the user's session) → machine grant → none.
 * @example decideToken({ tokens, now, minTtl: 60, force: false, claims: false, clientId: 'ci', machine: { grant: 'client_credentials', key } })
 */
export function decideToken<E extends CachedAccessToken>(i: TokenDecisionInput<E>): TokenDecision<E> {
  const machineKey = i.machine?.key
  if (!i.force && !i.claims) {
    const user = usable(i.tokens, i.userKey, i.now, i.minTtl)
    if (user) return { kind: 'cached', entry: user, from: 'user' }
    const machine = usable(i.tokens, i.machine?.key, i.now, i.minTtl)
    if (machine) return { kind: 'cached', entry: machine, from: 'machine' }
  }
  if (i.userKey && canRefresh(i.tokens, i.clientId)) return { kind: 'refresh' }
  if (i.machine) return { kind: 'grant', grant: i.machine.grant }
  // a token for this very request was cached, but is (nearly) expired: say so, it is what the user sees
  const had = (key: string | undefined) => key !== undefined && i.tokens?.accessTokens[key] !== undefined
  return { kind: 'none', expired: had(i.userKey) || had(machineKey) }
}

/** Whether the profile holds a refresh token issued to `clientId`. */
export function canRefresh(tokens: CachedTokens | undefined, clientId: string): boolean {
  return !!tokens?.refreshToken && (tokens.clientId === undefined || tokens.clientId === clientId)
}
