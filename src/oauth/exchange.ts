/**
 * RFC 8693 token exchange at the token endpoint, through openid-client's generic grant: a
 * subject token (and, for delegation, an actor token) traded for a new token for another
 * audience or resource, usually with a narrower scope.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @module
 */
import * as client from 'openid-client'
import { expiresAtFrom } from '../core/time.js'
import type { OAuthClient } from './client.js'
import { dpopOptions } from './dpop.js'
import { toTokentoolError } from './errors.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'

export interface ExchangeRequest {
  subjectToken: string
  /** Token type URI (see core/token-types.ts). */
  subjectTokenType: string
  actorToken?: string | undefined
  actorTokenType?: string | undefined
  audiences?: readonly string[] | undefined
  resources?: readonly string[] | undefined
  scope?: string | undefined
  requestedTokenType?: string | undefined
}

export interface ExchangeResult {
  /** The issued token (`access_token` in the response, whatever its type). */
  token: string
  /** `issued_token_type` (REQUIRED by §2.2.1; absent from some servers). */
  issuedTokenType?: string | undefined
  /** `Bearer`, or `N_A` when the issued token is not an access token. */
  tokenType: string
  /** Epoch seconds, from `expires_in`. */
  expiresAt?: number | undefined
  scope?: string | undefined
  refreshToken?: string | undefined
}

/** The form parameters of the request, in the RFC's order. Pure. */
export function exchangeParams(r: ExchangeRequest): URLSearchParams {
  const p = new URLSearchParams()
  for (const res of r.resources ?? []) p.append('resource', res)
  for (const aud of r.audiences ?? []) p.append('audience', aud)
  if (r.scope) p.set('scope', r.scope)
  if (r.requestedTokenType) p.set('requested_token_type', r.requestedTokenType)
  p.set('subject_token', r.subjectToken)
  p.set('subject_token_type', r.subjectTokenType)
  if (r.actorToken) {
    p.set('actor_token', r.actorToken)
    if (r.actorTokenType) p.set('actor_token_type', r.actorTokenType)
  }
  return p
}

/** Runs the exchange; OAuth errors become AuthServerError (exit 4), transport failures NetworkError (exit 3). */
export async function exchangeToken(oc: OAuthClient, req: ExchangeRequest): Promise<ExchangeResult> {
  const endpoint = oc.metadata.token_endpoint
  try {
    const res = await client.genericGrantRequest(oc.config, TOKEN_EXCHANGE_GRANT, exchangeParams(req), dpopOptions(oc.dpop))
    const receivedAt = oc.now()
    return {
      token: res.access_token,
      issuedTokenType: typeof res.issued_token_type === 'string' ? res.issued_token_type : undefined,
      tokenType: res.token_type,
      expiresAt: expiresAtFrom(receivedAt, res.expires_in),
      scope: typeof res.scope === 'string' ? res.scope : undefined,
      refreshToken: res.refresh_token,
    }
  } catch (err) {
    throw toTokentoolError(err, { what: `token exchange at ${endpoint}`, url: endpoint })
  }
}
