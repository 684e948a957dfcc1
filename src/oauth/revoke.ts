/**
 * RFC 7009 token revocation. The server answers 200 whether or not the token was valid
 * (§2.2), so success means "the server no longer honours it", not "it was live".
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 * @module
 */
import * as client from 'openid-client'
import { AuthServerError } from '../errors.js'
import type { OAuthClient } from './client.js'
import { toTokentoolError } from './errors.js'
import { endpointOf, type TokenTypeHint } from './introspect.js'

export interface RevokeResult {
  endpoint: string
  hint?: TokenTypeHint | undefined
}

export async function revokeToken(oc: OAuthClient, token: string, hint?: TokenTypeHint): Promise<RevokeResult> {
  const endpoint = endpointOf(oc, 'revocation_endpoint', 'revocation')
  try {
    await client.tokenRevocation(oc.config, token, hint ? { token_type_hint: hint } : {})
    return { endpoint, hint }
  } catch (err) {
    const e = toTokentoolError(err, { what: `revocation at ${endpoint}`, url: endpoint })
    if (e instanceof AuthServerError && e.error === 'unsupported_token_type') {
      throw new AuthServerError(e.error, e.errorDescription, {
        cause: e,
        status: e.status,
        hint: 'this server revokes only its opaque (reference) tokens; a JWT access token stays valid until it expires — keep JWT lifetimes short, or use reference tokens where revocation matters',
      })
    }
    throw e
  }
}
