/**
 * What an authorization server supports, read from its (already validated) discovery
 * document: grants, PKCE, token exchange, introspection, revocation, device flow, DPoP,
 * RFC 9207 `iss`, and the signing keys of its JWKS. Pure: the caller fetches.
 * @module
 */
import { formatDuration } from './duration.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/** The endpoints shown, in the order a person reads them. */
export const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'device_authorization_endpoint',
  'pushed_authorization_request_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'registration_endpoint',
] as const

export interface KeySummary {
  kid?: string
  kty: string
  alg?: string
  use?: string
  crv?: string
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  thumbprint: string
}

export interface Support {
  /** `grant_types_supported`, or the RFC 8414 default when absent. */
  grants: string[]
  /** False when `grant_types_supported` is absent and `grants` is the default. */
  grantsAdvertised: boolean
  pkce: string[]
  tokenExchange: boolean
  introspection: boolean
  revocation: boolean
  deviceFlow: boolean
  dpop: { supported: boolean; algs: string[] }
  /** RFC 9207: `iss` in authorization responses. */
  issParameter: boolean
  par: boolean
  /** `require_pushed_authorization_requests`. */
  parRequired: boolean
  /** RFC 8705: `mtls_endpoint_aliases` names and `tls_client_certificate_bound_access_tokens`. */
  mtls: { aliases: string[]; boundTokens: boolean }
  /** RFC 9396 `authorization_details_types_supported`. */
  authorizationDetailsTypes: string[]
  claimsParameter: boolean
  clientAuthMethods: string[]
  scopes: string[]
  responseTypes: string[]
}

export interface DiscoverySummary {
  issuer: string
  /** Where the document came from. */
  discoveryUrl: string
  /** `openid` for OpenID Connect discovery, `oauth` for RFC 8414 metadata. */
  kind: 'openid' | 'oauth'
  endpoints: Partial<Record<(typeof ENDPOINTS)[number], string>>
  supports: Support
  keys: KeySummary[]
  /** The issuer's clock (HTTP `Date`) minus this machine's, in seconds, when known. */
  clockSkewSeconds?: number
  warnings: string[]
  /** What a FAPI 2.0 client needs, and what of it the server lacks. */
  fapi2: FapiSummary
  metadata: Record<string, unknown>
}

export interface SummaryInput {
  metadata: Record<string, unknown>
  discoveryUrl: string
  keys: KeySummary[]
  serverDate?: Date
  now: Date
  /** Clock difference tolerated before a warning, in seconds (default 60, as `verify`'s leeway). */
  leewaySeconds?: number
}

import { fapi2Summary, type FapiSummary } from './fapi.js'

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function summarizeDiscovery(input: SummaryInput): DiscoverySummary {
  const m = input.metadata
  const advertised = Array.isArray(m.grant_types_supported)
  // RFC 8414 §2: omitted grant_types_supported means ["authorization_code", "implicit"]
  const grants = advertised ? strings(m.grant_types_supported) : ['authorization_code', 'implicit']
  const endpoints: DiscoverySummary['endpoints'] = {}
  for (const e of ENDPOINTS) {
    const v = str(m[e])
    if (v) endpoints[e] = v
  }
  const pkce = strings(m.code_challenge_methods_supported)
  const dpopAlgs = strings(m.dpop_signing_alg_values_supported)
  const supports: Support = {
    grants,
    grantsAdvertised: advertised,
    pkce,
    tokenExchange: grants.includes(TOKEN_EXCHANGE_GRANT),
    introspection: Boolean(endpoints.introspection_endpoint),
    revocation: Boolean(endpoints.revocation_endpoint),
    deviceFlow: Boolean(endpoints.device_authorization_endpoint) || grants.includes(DEVICE_CODE_GRANT),
    dpop: { supported: dpopAlgs.length > 0, algs: dpopAlgs },
    issParameter: m.authorization_response_iss_parameter_supported === true,
    par: Boolean(endpoints.pushed_authorization_request_endpoint),
    parRequired: m.require_pushed_authorization_requests === true,
    mtls: {
      aliases: m.mtls_endpoint_aliases && typeof m.mtls_endpoint_aliases === 'object' && !Array.isArray(m.mtls_endpoint_aliases) ? Object.keys(m.mtls_endpoint_aliases) : [],
      boundTokens: m.tls_client_certificate_bound_access_tokens === true,
    },
    authorizationDetailsTypes: strings(m.authorization_details_types_supported),
    claimsParameter: m.claims_parameter_supported === true,
    clientAuthMethods: strings(m.token_endpoint_auth_methods_supported),
    scopes: strings(m.scopes_supported),
    responseTypes: strings(m.response_types_supported),
  }

  const warnings: string[] = []
  if (!pkce.includes('S256')) {
    warnings.push(
      pkce.length
        ? `PKCE S256 is not advertised (only ${pkce.join(', ')}); tokentool login always sends S256`
        : 'code_challenge_methods_supported is absent: PKCE support is not advertised (many servers support S256 anyway)',
    )
  }
  if (!endpoints.jwks_uri) warnings.push('no jwks_uri: its tokens cannot be verified with --issuer')
  if (input.keys.length > 1 && input.keys.some((k) => !k.kid)) warnings.push('the JWKS has several keys and some have no kid: verifiers must try each key')

  let clockSkewSeconds: number | undefined
  if (input.serverDate) {
    clockSkewSeconds = Math.round((input.serverDate.getTime() - input.now.getTime()) / 1000)
    const leeway = input.leewaySeconds ?? 60
    if (Math.abs(clockSkewSeconds) > leeway) {
      const ahead = clockSkewSeconds < 0
      warnings.push(
        `this machine's clock is ${formatDuration(Math.abs(clockSkewSeconds))} ${ahead ? 'ahead of' : 'behind'} the issuer's (HTTP Date header): tokens may look ${ahead ? 'expired early' : 'used before issued'}`,
      )
    }
  }

  return {
    issuer: String(m.issuer),
    discoveryUrl: input.discoveryUrl,
    kind: input.discoveryUrl.includes('/.well-known/oauth-authorization-server') ? 'oauth' : 'openid',
    endpoints,
    supports,
    keys: input.keys,
    ...(clockSkewSeconds !== undefined ? { clockSkewSeconds } : {}),
    warnings,
    fapi2: fapi2Summary(m),
    metadata: m,
  }
}

/** Short names for well-known grant type URIs, for the human view. */
export function grantLabel(grant: string): string {
  switch (grant) {
    case TOKEN_EXCHANGE_GRANT:
      return 'token-exchange'
    case DEVICE_CODE_GRANT:
      return 'device_code'
    case JWT_BEARER_GRANT:
      return 'jwt-bearer'
    case 'urn:openid:params:grant-type:ciba':
      return 'ciba'
    default:
      return grant
  }
}
