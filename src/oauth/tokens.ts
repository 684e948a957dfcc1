/**
 * A token endpoint response in tokentool's terms: absolute expiry, the ID token's validated
 * claims, and the parameters every grant request shares (resource, scope, claims).
 * @module
 */
import type * as client from 'openid-client'
import { expiresAtFrom } from '../core/time.js'

export interface TokenResult {
  tokenType: string
  accessToken: string
  /** Epoch seconds, from `expires_in` and the time the response arrived. */
  expiresAt?: number | undefined
  scope?: string | undefined
  idToken?: string | undefined
  refreshToken?: string | undefined
  /** The ID token's claims, validated by openid-client (iss, aud, exp, iat, nonce, azp). */
  idTokenClaims?: Record<string, unknown> | undefined
  /** RFC 9396 §7: the authorization details the server granted, as it sent them. */
  authorizationDetails?: unknown[] | undefined
}

type Response = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers

/** oauth4webapi lowercases `token_type`; show the schemes as RFC 6750 and RFC 9449 spell them. */
// a Map: the type is the server's, and "constructor" must find nothing
const CANONICAL_TYPES: ReadonlyMap<string, string> = new Map([['bearer', 'Bearer'], ['dpop', 'DPoP'], ['n_a', 'N_A']])
export const canonicalTokenType = (t: string): string => CANONICAL_TYPES.get(t.toLowerCase()) ?? t

export function toTokenResult(res: Response, receivedAt: Date): TokenResult {
  const claims = res.id_token ? res.claims() : undefined
  return {
    tokenType: canonicalTokenType(res.token_type),
    accessToken: res.access_token,
    expiresAt: expiresAtFrom(receivedAt, res.expires_in),
    scope: typeof res.scope === 'string' ? res.scope : undefined,
    idToken: res.id_token,
    refreshToken: res.refresh_token,
    idTokenClaims: claims ? { ...claims } : undefined,
    ...(Array.isArray(res.authorization_details) ? { authorizationDetails: res.authorization_details as unknown[] } : {}),
  }
}

export interface GrantParams {
  scope?: string | undefined
  /** Claims request, JSON text. */
  claims?: string | undefined
  resources?: readonly string[] | undefined
  audience?: string | undefined
  extra?: readonly (readonly [string, string])[] | undefined
}

/** Extra token endpoint parameters. Pure. */
export function tokenEndpointParams(p: GrantParams): URLSearchParams {
  const out = new URLSearchParams()
  if (p.scope) out.set('scope', p.scope)
  if (p.claims) out.set('claims', p.claims)
  for (const r of p.resources ?? []) out.append('resource', r)
  if (p.audience) out.set('audience', p.audience)
  for (const [k, v] of p.extra ?? []) out.append(k, v)
  return out
}
