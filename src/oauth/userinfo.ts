/**
 * The OpenID Connect userinfo endpoint (Core §5.3): plain JSON, or a signed JWT
 * (`application/jwt`) when the client registered `userinfo_signed_response_alg`. A JWT
 * response is kept as received so the view can show its header; openid-client has checked
 * its signature against the issuer's JWKS.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @module
 */
import * as client from 'openid-client'
import type { OAuthClient } from './client.js'
import { toTokentoolError } from './errors.js'
import { endpointOf } from './introspect.js'
import { withCapturedResponse } from './raw-response.js'

export interface UserinfoResult {
  endpoint: string
  format: 'json' | 'jwt'
  claims: Record<string, unknown>
  /** The signed response as received, for `format: 'jwt'`. */
  jwt?: { token: string; signatureVerified: boolean }
}

/**
 * `dpop`: the token is DPoP-bound (RFC 9449 §7): it goes as `Authorization: DPoP` with a proof
 * carrying `ath`; openid-client answers a `use_dpop_nonce` once with the nonce given.
 */
export async function fetchUserinfo(oc: OAuthClient, accessToken: string, dpop?: client.DPoPHandle): Promise<UserinfoResult> {
  const endpoint = endpointOf(oc, 'userinfo_endpoint', 'userinfo')
  try {
    const { result, response } = await withCapturedResponse(oc.config, endpoint, () => client.fetchUserInfo(oc.config, accessToken, client.skipSubjectCheck, dpop ? { DPoP: dpop } : undefined))
    const claims = { ...result } as Record<string, unknown>
    if (response?.contentType === 'application/jwt' && response.body) {
      return { endpoint, format: 'jwt', claims, jwt: { token: response.body.trim(), signatureVerified: typeof oc.metadata.jwks_uri === 'string' } }
    }
    return { endpoint, format: 'json', claims }
  } catch (err) {
    throw toTokentoolError(err, { what: `userinfo at ${endpoint}`, url: endpoint })
  }
}
