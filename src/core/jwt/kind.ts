/**
 * What kind of token this is, and why we think so. Declared types (`typ` header, RFC 8725 §3.11
 * explicit typing) win; then provider conventions; then claim heuristics, strongest first:
 *
 * 1. JWE (5 segments) → `jwe`.
 * 2. `typ` header: `at+jwt` → access token (RFC 9068); `dpop+jwt` → DPoP proof (RFC 9449);
 *    `logout+jwt` → logout token; `token-introspection+jwt` → introspection response (RFC 9701);
 *    `secevent+jwt` → security event token (RFC 8417); `oauth-authz-req+jwt` → request object
 *    (RFC 9101); `client-authentication+jwt` → client assertion. An `application/` prefix and
 *    case are ignored.
 * 3. Payload `typ` as Keycloak writes it: `Refresh`/`Offline` → refresh token, `Bearer` →
 *    access token, `ID` → ID token, `Logout` → logout token. Cognito's `token_use` likewise.
 * 4. `events` with the back-channel logout event → logout token; other `events` → security event.
 * 5. A `nonce` in the JOSE header (Entra ID tokens for Microsoft Graph) → access token.
 * 6. `htm` + `htu` + `jti` → DPoP proof.
 * 7. `at_hash`, `c_hash`, `s_hash` or `nonce` → ID token (only ID tokens carry these, OIDC Core §2).
 * 8. `scope`, `scp`, `client_id` or `cid` → access token (RFC 9068 §2.2 claims, Entra, Okta).
 * 9. `auth_time` with `iss`, `sub` and `aud` → ID token.
 * 10. `iss` = `sub` with `aud` and `jti` → client assertion (RFC 7523 §3, private_key_jwt).
 * 11. Anything else → `jwt` (some other JWT).
 * @module
 */
import type { JsonObject } from './split.js'

export type TokenKind =
  | 'id_token'
  | 'access_token'
  | 'refresh_token'
  | 'logout_token'
  | 'dpop_proof'
  | 'introspection_response'
  | 'security_event'
  | 'request_object'
  | 'client_assertion'
  | 'sd_jwt'
  | 'kb_jwt'
  | 'entity_statement'
  | 'trust_mark'
  | 'jwe'
  | 'opaque'
  | 'jwt'

export interface KindInfo {
  kind: TokenKind
  /** For people: "access token (RFC 9068)". */
  label: string
  /** Why: "typ header is at+jwt". */
  reason: string
  /** `declared` by a `typ`, else `inferred` from claims. */
  basis: 'declared' | 'inferred'
}

export const KIND_LABELS: Record<TokenKind, string> = {
  id_token: 'ID token',
  access_token: 'access token',
  refresh_token: 'refresh token',
  logout_token: 'logout token (OIDC Back-Channel Logout)',
  dpop_proof: 'DPoP proof (RFC 9449)',
  introspection_response: 'token introspection response (RFC 9701)',
  security_event: 'security event token (RFC 8417)',
  request_object: 'request object (RFC 9101)',
  client_assertion: 'client assertion (RFC 7523)',
  sd_jwt: 'SD-JWT (RFC 9901, selective disclosure)',
  kb_jwt: 'SD-JWT key-binding JWT (RFC 9901, kb+jwt)',
  entity_statement: 'OpenID Federation entity statement',
  trust_mark: 'OpenID Federation trust mark',
  jwe: 'encrypted JWT (JWE)',
  opaque: 'opaque (reference) token',
  jwt: 'JWT (kind not recognised)',
}

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

// Maps: typ comes from the token, and "constructor" must find nothing (an object's would find Object)
const TYP: ReadonlyMap<string, { kind: TokenKind; label?: string }> = new Map([
  ['at+jwt', { kind: 'access_token', label: 'access token (RFC 9068, at+jwt)' }],
  ['dpop+jwt', { kind: 'dpop_proof' }],
  ['logout+jwt', { kind: 'logout_token' }],
  ['token-introspection+jwt', { kind: 'introspection_response' }],
  ['secevent+jwt', { kind: 'security_event' }],
  ['oauth-authz-req+jwt', { kind: 'request_object' }],
  ['client-authentication+jwt', { kind: 'client_assertion' }],
  ['kb+jwt', { kind: 'kb_jwt' }],
  ['trust-mark+jwt', { kind: 'trust_mark' }],
])

const KEYCLOAK_TYP: ReadonlyMap<string, TokenKind> = new Map([
  ['refresh', 'refresh_token'],
  ['offline', 'refresh_token'],
  ['bearer', 'access_token'],
  ['id', 'id_token'],
  ['logout', 'logout_token'],
])

/** `application/at+jwt` → `at+jwt` (RFC 7515 §4.1.9: the prefix may be omitted; compare case-insensitively). */
export function normalizeTyp(typ: unknown): string | undefined {
  if (typeof typ !== 'string') return undefined
  const t = typ.trim().toLowerCase()
  return t.startsWith('application/') ? t.slice('application/'.length) : t
}

function make(kind: TokenKind, reason: string, basis: KindInfo['basis'], label = KIND_LABELS[kind]): KindInfo {
  return { kind, label, reason, basis }
}

/** An OpenID Federation entity statement without its typ: iss, sub, a jwks and federation claims. */
function looksLikeEntityStatement(p: JsonObject): boolean {
  return typeof p.iss === 'string' && typeof p.sub === 'string' && !!p.jwks && typeof p.jwks === 'object' && ('authority_hints' in p || 'metadata' in p || 'metadata_policy' in p || 'trust_marks' in p)
}

const has = (o: JsonObject, k: string) => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined

/** The kind of a decoded JWS from its header and payload (see the module comment for the order). */
export function detectKind(header: JsonObject, payload: JsonObject): KindInfo {
  const typ = normalizeTyp(header.typ)
  const declared = typ !== undefined ? TYP.get(typ) : undefined
  if (declared) return make(declared.kind, `typ header is ${String(header.typ)}`, 'declared', declared.label)
  // dc+sd-jwt (SD-JWT VC), vc+sd-jwt, example+sd-jwt: any media type ending in +sd-jwt
  if (typ !== undefined && typ.endsWith('+sd-jwt')) return make('sd_jwt', `typ header is ${String(header.typ)}`, 'declared')
  if (typ === 'entity-statement+jwt' || ((typ === undefined || typ === 'jwt') && looksLikeEntityStatement(payload))) {
    const self = typeof payload.iss === 'string' && payload.iss === payload.sub
    const label = self ? 'OpenID Federation entity configuration (iss = sub: the entity about itself)' : 'OpenID Federation subordinate statement (a superior entity about sub)'
    const declaredTyp = typ === 'entity-statement+jwt'
    return make('entity_statement', declaredTyp ? `typ header is ${String(header.typ)}` : 'has iss, sub, jwks and metadata/authority_hints', declaredTyp ? 'declared' : 'inferred', label)
  }

  if (typeof payload.typ === 'string') {
    const k = KEYCLOAK_TYP.get(payload.typ.toLowerCase())
    if (k) {
      const label = k === 'refresh_token' && payload.typ.toLowerCase() === 'offline' ? 'refresh token (offline)' : undefined
      return make(k, `typ claim is "${payload.typ}" (Keycloak)`, 'declared', label)
    }
  }
  if (payload.token_use === 'id' || payload.token_use === 'access') {
    return make(payload.token_use === 'id' ? 'id_token' : 'access_token', `token_use claim is "${payload.token_use}" (Amazon Cognito)`, 'declared')
  }

  if (Array.isArray(payload._sd) || typeof payload._sd_alg === 'string') return make('sd_jwt', 'has _sd digests (selectively disclosable claims)', 'inferred')
  const events = payload.events
  if (events !== null && typeof events === 'object' && !Array.isArray(events)) {
    if (has(events as JsonObject, BACKCHANNEL_LOGOUT_EVENT)) return make('logout_token', 'events claim holds the back-channel logout event', 'inferred')
    return make('security_event', 'has an events claim', 'inferred')
  }
  if (has(header, 'nonce')) return make('access_token', 'nonce in the JOSE header (Entra ID access token for Microsoft Graph)', 'inferred')
  if (has(payload, 'htm') && has(payload, 'htu') && has(payload, 'jti')) return make('dpop_proof', 'has htm, htu and jti claims', 'inferred')

  const idClaims = ['at_hash', 'c_hash', 's_hash', 'nonce'].filter((c) => has(payload, c))
  if (idClaims.length) return make('id_token', `has ${idClaims.join(', ')} (only ID tokens carry ${idClaims.length > 1 ? 'these' : 'it'})`, 'inferred')
  const atClaims = ['scope', 'scp', 'client_id', 'cid'].filter((c) => has(payload, c))
  if (atClaims.length) return make('access_token', `has ${atClaims.join(', ')} (access token claims)`, 'inferred')
  if (has(payload, 'auth_time') && has(payload, 'iss') && has(payload, 'sub') && has(payload, 'aud')) {
    return make('id_token', 'has auth_time with iss, sub and aud', 'inferred')
  }
  if (typeof payload.iss === 'string' && payload.iss === payload.sub && has(payload, 'aud') && has(payload, 'jti')) {
    return make('client_assertion', 'iss equals sub, with aud and jti (RFC 7523 client authentication)', 'inferred')
  }
  return make('jwt', typ ? `typ header is ${String(header.typ)}; no claim tells the kind` : 'no typ header and no claim tells the kind', 'inferred')
}
