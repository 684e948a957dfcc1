/**
 * Machine grants: client credentials (RFC 6749 §4.4) and a JWT as the authorization grant
 * (RFC 7523 §2.1, `urn:ietf:params:oauth:grant-type:jwt-bearer`). Both return the token
 * result and the server's response as sent, for `token --json`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @module
 */
import * as client from 'openid-client'
import { JWT_BEARER_GRANT } from '../core/token-decision.js'
import type { OAuthClient } from './client.js'
import { dpopOptions } from './dpop.js'
import { toTokentoolError } from './errors.js'
import { toTokenResult, tokenEndpointParams, type GrantParams, type TokenResult } from './tokens.js'

export interface MachineTokenResult extends TokenResult {
  /** The token endpoint's JSON response, as the server sent it. */
  response: Record<string, unknown>
}

type Response = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers

/** The response's own data members (openid-client adds helper methods to it). */
function responseBody(res: Response): Record<string, unknown> {
  return Object.fromEntries(Object.entries(res).filter(([, v]) => typeof v !== 'function'))
}

async function run(oc: OAuthClient, what: string, request: () => Promise<Response>): Promise<MachineTokenResult> {
  try {
    const res = await request()
    const result = toTokenResult(res, oc.now())
    // oauth4webapi lowercases token_type in place; show it as the cache and the server spell it
    return { ...result, response: { ...responseBody(res), token_type: result.tokenType } }
  } catch (err) {
    throw toTokentoolError(err, { what: `${what} at ${oc.metadata.token_endpoint}`, url: oc.metadata.token_endpoint })
  }
}

/** The client credentials grant with the client's configured authentication. */
export function clientCredentialsToken(oc: OAuthClient, params: GrantParams): Promise<MachineTokenResult> {
  return run(oc, 'client credentials grant', () => client.clientCredentialsGrant(oc.config, tokenEndpointParams(params), dpopOptions(oc.dpop)))
}

/** The jwt-bearer grant: `assertion` (a JWT) is the authorization grant. */
export function jwtBearerToken(oc: OAuthClient, assertion: string, params: GrantParams): Promise<MachineTokenResult> {
  const body = tokenEndpointParams(params)
  body.set('assertion', assertion)
  return run(oc, 'jwt-bearer grant', () => client.genericGrantRequest(oc.config, JWT_BEARER_GRANT, body, dpopOptions(oc.dpop)))
}
