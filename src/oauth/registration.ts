/**
 * Dynamic client registration (RFC 7591) of tokentool as a native public client: PKCE, no
 * secret, the loopback redirect URI with a fixed port (a registered URI may be matched
 * exactly, so the port must stay the same on every later sign-in).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.4
 * @module
 */
import * as oauth from 'oauth4webapi'
import type { Deps } from '../deps.js'
import { AuthServerError, NetworkError, UsageError } from '../errors.js'
import { isLoopbackHost } from '../http/loopback.js'
import type { DiscoveryMetadata } from './discovery.js'
import { toTokentoolError } from './errors.js'

/** What the server gave back that tokentool keeps. */
export interface RegisteredClient {
  clientId: string
  /** RFC 7592 management credentials, when the server issues them. Secrets: stored 0600. */
  registrationAccessToken?: string
  registrationClientUri?: string
  /** Epoch seconds (`client_id_issued_at`). */
  issuedAt?: number
}

/** The client metadata tokentool registers. Pure. */
export function nativeClientMetadata(redirectUri: string): Record<string, unknown> {
  return {
    client_name: 'tokentool',
    // OpenID Connect Dynamic Registration's name for a loopback/CLI client; RFC 7591 servers ignore it
    application_type: 'native',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  }
}

/** Registers a native public client at `as.registration_endpoint`. Exit 4 when the server refuses. */
export async function registerNativeClient(as: DiscoveryMetadata, redirectUri: string, deps: Pick<Deps, 'fetch'>): Promise<RegisteredClient> {
  const endpoint = as.registration_endpoint
  if (typeof endpoint !== 'string') {
    throw new UsageError(`${as.issuer} offers no dynamic client registration (no registration_endpoint)`, { hint: 'register a client there and give --client-id ID' })
  }
  const options: oauth.DynamicClientRegistrationRequestOptions = { [oauth.customFetch]: await deps.fetch() }
  if (new URL(endpoint).protocol === 'http:' && isLoopbackHost(new URL(endpoint).hostname)) options[oauth.allowInsecureRequests] = true
  let got: oauth.OmitSymbolProperties<oauth.Client>
  try {
    const res = await oauth.dynamicClientRegistrationRequest(as as oauth.AuthorizationServer, nativeClientMetadata(redirectUri) as never, options)
    got = await oauth.processDynamicClientRegistrationResponse(res)
  } catch (err) {
    const e = toTokentoolError(err, { what: `client registration at ${endpoint}`, url: endpoint })
    if (e instanceof AuthServerError) {
      throw new AuthServerError(e.error, e.errorDescription, { cause: err, status: e.status, hint: 'the server refused to register tokentool: register a client there by hand and give --client-id ID' })
    }
    throw e
  }
  if (got.token_endpoint_auth_method !== undefined && got.token_endpoint_auth_method !== 'none') {
    throw new NetworkError(`client registration at ${endpoint} made a client with token_endpoint_auth_method ${JSON.stringify(got.token_endpoint_auth_method)}, not the public client asked for`)
  }
  const out: RegisteredClient = { clientId: got.client_id }
  if (typeof got.registration_access_token === 'string') out.registrationAccessToken = got.registration_access_token
  if (typeof got.registration_client_uri === 'string') out.registrationClientUri = got.registration_client_uri
  if (typeof got.client_id_issued_at === 'number') out.issuedAt = got.client_id_issued_at
  return out
}
