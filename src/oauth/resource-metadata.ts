/**
 * Fetching a protected resource's metadata (RFC 9728): from its well-known URL, or from the
 * `resource_metadata` parameter of the 401 the resource answers a request without a token
 * with. Either way the document is checked against the resource it was fetched for before
 * anything in it is used.
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @module
 */
import type { Deps } from '../deps.js'
import { paramValue, parseWwwAuthenticateTolerant } from '../core/cae/www-authenticate.js'
import { checkResourceMetadata, resourceMetadataUrl, type ResourceMetadata } from '../core/resource-metadata.js'
import { NetworkError, TokentoolError, UsageError } from '../errors.js'
import { isSecureOrLoopback } from '../http/loopback.js'
import { networkFailure } from '../http/net-errors.js'
import { redactUrl } from '../http/redact.js'

export interface FetchedResourceMetadata {
  metadata: ResourceMetadata
  /** The URL the document came from. */
  url: string
  /** How it was found: the well-known URL, or the resource's 401 challenge. */
  via: 'well-known' | 'challenge'
  warnings: string[]
}

/** Parses a resource URL given by the user: absolute, http(s), https unless loopback, no fragment. */
export function parseResourceUrl(text: string, flag = '--resource'): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${flag} is not a URL: ${text}`, { hint: 'give the API\'s full URL, e.g. https://mcp.example.com/mcp' })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${flag} must be an https URL: ${text}`)
  if (!isSecureOrLoopback(url)) throw new UsageError(`${flag} must use https (plain http is allowed only for loopback): ${text}`)
  if (url.hash) throw new UsageError(`${flag} must not have a fragment (RFC 8707): ${text}`)
  return url
}

async function get(url: string, deps: Pick<Deps, 'fetch'>, accept: string): Promise<Response> {
  const fetch = await deps.fetch()
  try {
    // redirects are not followed: metadata is fetched from where the resource said it is
    return await fetch(url, { headers: { accept }, redirect: 'manual' })
  } catch (e) {
    if (e instanceof TokentoolError) throw e
    throw networkFailure(e, { url })
  }
}

/** Reads and checks one metadata document from the response to a GET of `url`. */
async function readDocument(res: Response, url: string, resource: string, covering: boolean): Promise<{ metadata: ResourceMetadata; warnings: string[] }> {
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {})
    throw new NetworkError(`protected resource metadata at ${redactUrl(url)} answered HTTP ${res.status}, expected 200`)
  }
  let body: unknown
  try {
    body = JSON.parse(await res.text())
  } catch (e) {
    if (e instanceof TokentoolError) throw e
    throw new NetworkError(`protected resource metadata at ${redactUrl(url)} is not JSON`)
  }
  const verdict = checkResourceMetadata(body, resource, isSecureOrLoopback, { covering })
  if (!verdict.ok) throw new NetworkError(`protected resource metadata at ${redactUrl(url)} ${verdict.problem}`)
  const warnings = [...verdict.warnings]
  const type = res.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) warnings.push(`served as ${type || 'no content-type'}, not application/json`)
  return { metadata: verdict.metadata, warnings }
}

/**
 * The `resource_metadata` URL of the 401 that `resource` answers a request without a token
 * with, or undefined when it answers otherwise (RFC 9728 §5.1).
 */
export async function challengeMetadataUrl(resource: URL, deps: Pick<Deps, 'fetch'>): Promise<string | undefined> {
  const res = await get(resource.href, deps, '*/*')
  await res.body?.cancel().catch(() => {})
  if (res.status !== 401) return undefined
  return resourceMetadataFromHeader(res.headers.get('www-authenticate'))
}

/** The first `resource_metadata` parameter of a WWW-Authenticate value, if it parses and has one. */
export function resourceMetadataFromHeader(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  try {
    // tolerant: real servers send resource_metadata unquoted, or after a broken parameter
    for (const c of parseWwwAuthenticateTolerant(header).challenges) {
      const v = paramValue(c, 'resource_metadata')
      if (v) return v
    }
  } catch {
    // a header we cannot read names no metadata
  }
  return undefined
}

/**
 * The metadata of `resource`: the well-known URL first; when that is 404, the resource's own
 * 401 challenge (`metadataUrl` when the caller has it already, e.g. from `call`).
 */
export async function fetchResourceMetadata(
  resourceText: string,
  deps: Pick<Deps, 'fetch'>,
  opts: {
    /** The `resource_metadata` URL of a 401 the caller has seen already. */
    metadataUrl?: string | undefined
    /** `resourceText` is a request URL under the resource (`call`), not the resource itself. */
    covering?: boolean
  } = {},
): Promise<FetchedResourceMetadata> {
  const resource = parseResourceUrl(resourceText)
  const fromChallenge = async (url: string): Promise<FetchedResourceMetadata> => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new NetworkError(`the resource's challenge names resource_metadata ${JSON.stringify(url)}, which is not a URL`)
    }
    if (!isSecureOrLoopback(parsed)) throw new NetworkError(`the resource's challenge names resource_metadata over plain http: ${redactUrl(url)}`)
    const res = await get(parsed.href, deps, 'application/json')
    return { ...(await readDocument(res, parsed.href, resourceText, opts.covering ?? false)), url: parsed.href, via: 'challenge' }
  }
  if (opts.metadataUrl) return fromChallenge(opts.metadataUrl)

  const wellKnown = resourceMetadataUrl(resource).href
  const res = await get(wellKnown, deps, 'application/json')
  if (res.status === 404) {
    await res.body?.cancel().catch(() => {})
    const named = await challengeMetadataUrl(resource, deps)
    if (named) return fromChallenge(named)
    throw new NetworkError(`${resourceText} publishes no protected resource metadata: ${wellKnown} is 404 and a request without a token got no resource_metadata challenge`, {
      hint: 'sign in with --issuer URL --client-id ID instead',
    })
  }
  return { ...(await readDocument(res, wellKnown, resourceText, opts.covering ?? false)), url: wellKnown, via: 'well-known' }
}
