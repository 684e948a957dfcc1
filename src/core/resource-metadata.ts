/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): where a resource's metadata lives, and
 * whether a document a server sent is metadata tokentool may act on. Pure: the fetching is
 * oauth/resource-metadata.ts's.
 * @module
 */
import { shellQuote } from './cae/answer.js'
import { printable } from './printable.js'

/** The fields tokentool reads or shows; others are kept as the server sent them. */
export interface ResourceMetadata {
  resource: string
  authorization_servers?: string[]
  jwks_uri?: string
  scopes_supported?: string[]
  bearer_methods_supported?: string[]
  resource_signing_alg_values_supported?: string[]
  resource_name?: string
  resource_documentation?: string
  resource_policy_uri?: string
  resource_tos_uri?: string
  tls_client_certificate_bound_access_tokens?: boolean
  authorization_details_types_supported?: string[]
  dpop_signing_alg_values_supported?: string[]
  dpop_bound_access_tokens_required?: boolean
  [k: string]: unknown
}

/** Why a document cannot be used: the message of a NetworkError (exit 3) the caller throws. */
export type MetadataVerdict =
  | { ok: true; metadata: ResourceMetadata; warnings: string[] }
  | { ok: false; problem: string }

/**
 * The well-known URL of `resource`'s metadata: `/.well-known/oauth-protected-resource`
 * inserted between the host and the path (and query), a terminating slash after the host
 * dropped first.
 * @example resourceMetadataUrl(new URL('https://api.example.com/mcp')).href
 * // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function resourceMetadataUrl(resource: URL): URL {
  const url = new URL(resource.origin)
  const path = resource.pathname === '/' ? '' : resource.pathname
  url.pathname = `/.well-known/oauth-protected-resource${path}`
  url.search = resource.search
  return url
}

/**
 * Whether `resource` (as the user wrote it) and the metadata's `resource` name the same
 * resource. RFC 9728 §3.3 asks for identical values; the one difference tolerated is the
 * empty path an origin-only URL gets when parsed (`https://api.example` and
 * `https://api.example/` are one URL to every HTTP client).
 */
export function sameResource(expected: string, got: string): boolean {
  if (expected === got) return true
  try {
    return new URL(expected).href === new URL(got).href && new URL(expected).pathname === '/'
  } catch {
    return false
  }
}

/**
 * Whether the resource `resource` covers the request URL `url`: the same URL, or the same
 * origin with `url`'s path under `resource`'s at a segment boundary (`/mcp` covers
 * `/mcp/tools`, not `/mcpx`). For `call`, whose URL is an endpoint of the resource.
 */
export function resourceCovers(resource: string, url: string): boolean {
  if (sameResource(url, resource)) return true
  try {
    const r = new URL(resource)
    const u = new URL(url)
    if (r.origin !== u.origin || r.search || r.hash) return false
    const base = r.pathname.endsWith('/') ? r.pathname : `${r.pathname}/`
    return u.pathname === r.pathname || u.pathname.startsWith(base)
  } catch {
    return false
  }
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')
const LIST_FIELDS = [
  'authorization_servers',
  'scopes_supported',
  'bearer_methods_supported',
  'resource_signing_alg_values_supported',
  'authorization_details_types_supported',
  'dpop_signing_alg_values_supported',
] as const
const BOOLEAN_FIELDS = ['tls_client_certificate_bound_access_tokens', 'dpop_bound_access_tokens_required'] as const
const URL_FIELDS = ['jwks_uri', 'resource_documentation', 'resource_policy_uri', 'resource_tos_uri'] as const

/** Whether a URL string may be used: https (or http on loopback), decided by the caller's rule. */
function secureUrl(value: string, isSecure: (url: URL) => boolean): boolean {
  try {
    return isSecure(new URL(value))
  } catch {
    return false
  }
}

/**
 * Checks a metadata document against the resource it was fetched for (RFC 9728 §3.2–3.3 and
 * §7.3): a JSON object, `resource` identical to `expected` (else the document may describe
 * another resource and "MUST NOT be used"; with `covering`, `expected` is a request URL and the
 * resource may be the same origin and a parent path of it: see `resourceCovers`), lists of strings where lists are defined,
 * authorization servers as https URLs (`isSecure`: the http layer's https-or-loopback rule). What is unusual but harmless comes back as warnings.
 */
export function checkResourceMetadata(
  body: unknown,
  expected: string,
  isSecure: (url: URL) => boolean,
  opts: { covering?: boolean } = {},
): MetadataVerdict {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problem: 'is not a JSON object' }
  const doc = body as Record<string, unknown>
  if (typeof doc.resource !== 'string') return { ok: false, problem: 'has no "resource" string' }
  if (opts.covering ? !resourceCovers(doc.resource, expected) : !sameResource(expected, doc.resource)) {
    return { ok: false, problem: `is for the resource ${JSON.stringify(doc.resource)}, not ${JSON.stringify(expected)} (RFC 9728 §3.3: such metadata must not be used)` }
  }
  for (const f of LIST_FIELDS) {
    if (doc[f] !== undefined && !isStringList(doc[f])) return { ok: false, problem: `has a "${f}" that is not a list of strings` }
  }
  const warnings: string[] = []
  for (const f of BOOLEAN_FIELDS) {
    if (doc[f] !== undefined && typeof doc[f] !== 'boolean') warnings.push(`"${f}" is not a boolean; ignored`)
  }
  for (const f of URL_FIELDS) {
    if (doc[f] !== undefined && (typeof doc[f] !== 'string' || !secureUrl(doc[f] as string, isSecure))) warnings.push(`"${f}" is not an https URL`)
  }
  const servers = (doc.authorization_servers as string[] | undefined) ?? []
  for (const s of servers) {
    if (!secureUrl(s, isSecure)) return { ok: false, problem: `names an authorization server that is not an https URL: ${JSON.stringify(s)}` }
  }
  if (doc.signed_metadata !== undefined) warnings.push('"signed_metadata" is present and was not verified: the plain values were used')
  return { ok: true, metadata: doc as ResourceMetadata, warnings }
}

/** How a sign-in picks the authorization server among those the metadata names. */
export type ServerChoice =
  | { kind: 'chosen'; issuer: string }
  | { kind: 'ask'; servers: string[] }
  | { kind: 'none' }
  | { kind: 'not-listed'; wanted: string; servers: string[] }

/** The only server, `--issuer` among several (it must be one of them), or a question. */
export function chooseAuthorizationServer(metadata: ResourceMetadata, wanted: string | undefined): ServerChoice {
  const servers = metadata.authorization_servers ?? []
  if (wanted !== undefined) return servers.includes(wanted) ? { kind: 'chosen', issuer: wanted } : { kind: 'not-listed', wanted, servers }
  if (servers.length === 0) return { kind: 'none' }
  if (servers.length === 1) return { kind: 'chosen', issuer: servers[0]! }
  return { kind: 'ask', servers }
}

/** The `tokentool login --resource ...` that signs in for `resource`, quoted for a POSIX shell. */
export function resourceLoginCommand(resource: string, opts: { issuer?: string | undefined; profile?: string | undefined } = {}): string {
  const profile = opts.profile && opts.profile !== 'default' ? ` --profile ${shellQuote(opts.profile)}` : ''
  const issuer = opts.issuer ? ` --issuer ${shellQuote(opts.issuer)}` : ''
  return printable(`tokentool${profile} login --resource ${shellQuote(resource)}${issuer}`)
}
