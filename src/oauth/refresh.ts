/**
 * The refresh token grant (RFC 6749 §6): `scope` narrows the grant, `claims` asks for claims
 * (OIDC Core §5.5; Entra ID's CAE challenges end up here). A server that rotates refresh
 * tokens sends a new one, which the caller must store before anyone spends the old one again.
 * @module
 */
import * as client from 'openid-client'
import type { OAuthClient } from './client.js'
import { dpopOptions } from './dpop.js'
import { toTokentoolError } from './errors.js'
import { toTokenResult, tokenEndpointParams, type GrantParams, type TokenResult } from './tokens.js'

export interface RefreshRequest extends GrantParams {
  refreshToken: string
}

export interface RefreshResult extends TokenResult {
  /** Whether the server sent a new refresh token (rotation). */
  rotated: boolean
}

/** Spends `refreshToken` once; an `invalid_grant` surfaces as AuthServerError (exit 4). */
export async function refreshGrant(oc: OAuthClient, req: RefreshRequest): Promise<RefreshResult> {
  const { refreshToken, ...params } = req
  try {
    const res = await client.refreshTokenGrant(oc.config, refreshToken, tokenEndpointParams(params), dpopOptions(oc.dpop))
    const result = toTokenResult(res, oc.now())
    return { ...result, rotated: result.refreshToken !== undefined && result.refreshToken !== refreshToken }
  } catch (err) {
    throw toTokentoolError(err, { what: `refresh at ${oc.metadata.token_endpoint}`, url: oc.metadata.token_endpoint })
  }
}
