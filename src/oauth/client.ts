/**
 * The openid-client `Configuration` every grant runs on: server metadata from discovery (or
 * from endpoint flags, for servers without discovery), the client's id and authentication,
 * and tokentool's fetch (undici, `-v` tracing) as openid-client's `customFetch`.
 * @module
 */
import * as client from 'openid-client'
import type { Deps } from '../deps.js'
import { UsageError } from '../errors.js'
import { isLoopbackHost } from '../http/loopback.js'
import { networkFailure } from '../http/net-errors.js'
import { clientSecretBasic, prefersPost } from './client-auth.js'
import { discoverIssuer } from './discovery.js'
import { authTagOf, keepErrorBody, tagAuth, type AuthTag } from './error-body.js'
import { ENDPOINT_FIELDS, endpointUrl, type Endpoints } from './endpoints.js'
import { dpopHandle, type DpopKey } from './dpop.js'

// kept here too for existing importers; defined without openid-client so flags load fast
export { ENDPOINT_FIELDS, flagFor, parseHeaders, type EndpointField, type Endpoints } from './endpoints.js'

export interface ServerSpec {
  issuer?: string | undefined
  /** Override or replace discovered endpoints. With `token_endpoint` set, discovery is skipped. */
  endpoints?: Endpoints | undefined
}

export interface ClientSpec {
  clientId: string
  clientSecret?: string | undefined
  /** Extra request headers for every request to the server (`--header Origin=...`). */
  headers?: Record<string, string> | undefined
  /**
   * Client authentication chosen by the caller (`token --client-auth`, private_key_jwt, a
   * federated client assertion: see client-auth.ts); default: from the secret and metadata.
   */
  auth?: client.ClientAuth | undefined
  /** mTLS (RFC 8705): the client certificate and key (PEM); the server's mtls_endpoint_aliases are used. */
  clientCert?: { cert: string; key: string } | undefined
  /** Sender-constrain the tokens with this DPoP key (RFC 9449): a proof on every token request. */
  dpop?: DpopKey | undefined
}

export interface OAuthClient {
  config: client.Configuration
  /** The metadata the configuration was built from (for saving in the profile and messages). */
  metadata: client.ServerMetadata
  /** Whether the metadata came from discovery. */
  discovered: boolean
  /** The clock that turns `expires_in` into `expires_at`. */
  now: () => Date
  /** openid-client's DPoP handle when the client's tokens are DPoP-bound. */
  dpop?: client.DPoPHandle | undefined
  /** The DPoP key behind `dpop`. */
  dpopKey?: DpopKey | undefined
}

/** Builds the client configuration: discovery unless endpoint flags make it unnecessary. */
export async function createOAuthClient(
  server: ServerSpec,
  spec: ClientSpec,
  deps: Pick<Deps, 'fetch' | 'now'> & Partial<Pick<Deps, 'global' | 'io'>>,
): Promise<OAuthClient> {
  const endpoints = cleanEndpoints(server.endpoints ?? {})
  let metadata: client.ServerMetadata
  let discovered = false
  if (endpoints.token_endpoint) {
    // no discovery: the issuer names the ID tokens' `iss`; without one, the token endpoint's origin
    const issuer = server.issuer ?? new URL(endpoints.token_endpoint).origin
    metadata = { issuer, ...endpoints }
  } else if (server.issuer) {
    const found = await discoverIssuer(server.issuer, deps)
    metadata = { ...(found.metadata as client.ServerMetadata), ...endpoints }
    discovered = true
  } else {
    throw new UsageError('no issuer: give --issuer URL (or --token-endpoint for a server without discovery)', {
      hint: 'a profile remembers it after the first login',
    })
  }

  const fetchImpl = await deps.fetch(spec.clientCert ? { clientCert: spec.clientCert } : undefined)
  const auth = spec.auth ?? clientAuth(metadata, spec.clientSecret)
  const clientMeta: Partial<client.ClientMetadata> = {
    ...(spec.clientSecret ? { client_secret: spec.clientSecret } : {}),
    // RFC 8705 §5: with a client certificate, the server's mTLS endpoint aliases where it has them
    ...(spec.clientCert ? { use_mtls_endpoint_aliases: true } : {}),
  }
  const config = new client.Configuration(metadata, spec.clientId, Object.keys(clientMeta).length ? clientMeta : undefined, auth)
  // `-v` notes what a server sent that it should not have (and what tokentool read anyway)
  const err = deps.global?.verbose ? deps.io?.err : undefined
  config[client.customFetch] = wrapFetch(fetchImpl, spec.headers ?? {}, authTagOf(auth), err ? (line) => void err.write(`${line}\n`) : undefined)
  if (allLoopback(metadata)) client.allowInsecureRequests(config)
  // openid-client checks an ID token's claims but, trusting TLS (OIDC Core §3.1.3.7), not its
  // signature; tokentool is a debugger: check the signature against the issuer's JWKS too
  if (metadata.jwks_uri) client.enableNonRepudiationChecks(config)
  const dpop = spec.dpop ? await dpopHandle(config, spec.dpop) : undefined
  return { config, metadata, discovered, now: deps.now, ...(dpop ? { dpop, dpopKey: spec.dpop } : {}) }
}

function cleanEndpoints(endpoints: Endpoints): Endpoints {
  const out: Endpoints = {}
  for (const field of ENDPOINT_FIELDS) {
    const v = endpoints[field]
    if (v === undefined) continue
    out[field] = endpointUrl(field, v).href
  }
  return out
}

/** Basic when the server supports it (RFC 6749 §2.3.1 makes it mandatory), else post; none without a secret. */
function clientAuth(metadata: client.ServerMetadata, secret: string | undefined): client.ClientAuth {
  if (!secret) return tagAuth(client.None(), { method: 'none' })
  if (prefersPost(metadata.token_endpoint_auth_methods_supported)) {
    return tagAuth(client.ClientSecretPost(secret), { method: 'post' })
  }
  return clientSecretBasic(secret)
}

/** Plain http is allowed only when every endpoint is on a loopback host. */
function allLoopback(metadata: client.ServerMetadata): boolean {
  const urls = [metadata.issuer, ...ENDPOINT_FIELDS.map((f) => metadata[f])].filter((u): u is string => typeof u === 'string')
  return urls.every((u) => {
    const url = new URL(u)
    return url.protocol === 'https:' || isLoopbackHost(url.hostname)
  })
}

/**
 * openid-client's customFetch: our fetch, the extra headers, network failures named by host,
 * and the body of every 4xx kept for the error translation (see error-body.ts).
 */
function wrapFetch(fetchImpl: typeof globalThis.fetch, headers: Record<string, string>, auth: AuthTag | undefined, note: ((line: string) => void) | undefined): client.CustomFetch {
  return async (url, options) => {
    let res: Response
    try {
      res = await fetchImpl(url, { ...options, headers: mergeHeaders(options.headers, headers) } as RequestInit)
    } catch (err) {
      throw networkFailure(err, { url })
    }
    const unusual = await keepErrorBody(res, auth)
    if (unusual) note?.(unusual)
    return res
  }
}

/**
 * The request's headers with the user's `--header`s over them. Names compare without case: a
 * user's `Accept` replaces the `accept` tokentool set instead of being added to it (which
 * would send both values, joined by a comma).
 */
export function mergeHeaders(base: Record<string, string> | undefined, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  const names = new Map<string, string>()
  for (const [k, v] of [...Object.entries(base ?? {}), ...Object.entries(extra)]) {
    const lower = k.toLowerCase()
    const prev = names.get(lower)
    if (prev !== undefined) delete out[prev]
    names.set(lower, k)
    out[k] = v
  }
  return out
}
