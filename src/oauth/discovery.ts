/**
 * Authorization server discovery: OpenID Connect Discovery 1.0, falling back to RFC 8414
 * metadata on a 404, validated (issuer identical, endpoints https except loopback).
 * The protocol work is oauth4webapi's; this module only translates its failures into
 * one-line errors a user can act on.
 * @module
 */
import * as oauth from 'oauth4webapi'
import type { Deps } from '../deps.js'
import { NetworkError, UsageError } from '../errors.js'
import { isLoopbackHost, isSecureOrLoopback } from '../http/loopback.js'
import { networkFailure } from '../http/net-errors.js'
import { redactText, redactUrl } from '../http/redact.js'

export interface DiscoveryMetadata {
  issuer: string
  jwks_uri?: string
  [k: string]: unknown
}

export interface DiscoveryResult {
  metadata: DiscoveryMetadata
  /** The server's `Date` header, for clock-skew warnings. */
  serverDate?: Date
  /** Where the document came from (the OpenID or the RFC 8414 well-known URL). */
  url: string
}

/** Parses `--issuer`: an absolute http(s) URL, https unless loopback. Exit 2 otherwise. */
export function parseIssuer(issuer: string): URL {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new UsageError(`issuer is not a URL: ${issuer}`, { hint: 'e.g. --issuer https://login.example.com' })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`issuer must be an https URL: ${issuer}`)
  }
  if (!isSecureOrLoopback(url)) {
    throw new UsageError(`issuer must use https (plain http is allowed only for loopback): ${issuer}`)
  }
  if (url.search || url.hash) {
    throw new UsageError(`issuer must not have a query or fragment: ${issuer}`)
  }
  return url
}

/**
 * Fetches and validates the discovery document of `issuer`.
 *
 * @example
 * const { metadata } = await discoverIssuer('https://login.example.com', deps)
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discoverIssuer(
  issuer: string,
  deps: Pick<Deps, 'fetch' | 'now'>,
): Promise<DiscoveryResult> {
  const issuerUrl = parseIssuer(issuer)
  const fetchImpl = await deps.fetch()
  const options: oauth.DiscoveryRequestOptions = { [oauth.customFetch]: fetchImpl }
  // oauth4webapi refuses http outright; loopback http is fine for local servers (RFC 8252)
  if (issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname)) options[oauth.allowInsecureRequests] = true

  let response = await request(issuerUrl, 'oidc', options)
  if (response.status === 404) {
    await response.body?.cancel()
    response = await request(issuerUrl, 'oauth2', options)
    if (response.status === 404) {
      await response.body?.cancel()
      throw new NetworkError(`no discovery document for ${issuer}: ${wellKnown(issuerUrl, 'oidc')} and ${wellKnown(issuerUrl, 'oauth2')} both returned HTTP 404`, {
        hint: 'check the issuer URL (it is the "iss" of the tokens)',
      })
    }
  }
  const where = response.url || wellKnown(issuerUrl, 'oidc')
  if (response.status !== 200) {
    await response.body?.cancel()
    const redirect = response.status >= 300 && response.status < 400 ? ` to ${redactUrl(response.headers.get('location') ?? '?')}` : ''
    throw new NetworkError(`discovery at ${where} returned HTTP ${response.status}${redirect}, expected 200`)
  }
  const serverDate = parseDate(response.headers.get('date'))

  let metadata: oauth.AuthorizationServer
  try {
    metadata = await oauth.processDiscoveryResponse(issuerUrl, response)
  } catch (err) {
    throw translate(err, issuer, where)
  }
  // oauth4webapi compares normalised URLs; OpenID Discovery §4.3 wants the exact string
  if (metadata.issuer !== issuer) throw mismatch(issuer, metadata.issuer, where)
  checkEndpoints(metadata, where)
  return serverDate ? { metadata: metadata as DiscoveryMetadata, serverDate, url: where } : { metadata: metadata as DiscoveryMetadata, url: where }
}

async function request(
  issuer: URL,
  algorithm: 'oidc' | 'oauth2',
  options: oauth.DiscoveryRequestOptions,
): Promise<Response> {
  try {
    return await oauth.discoveryRequest(issuer, { ...options, algorithm })
  } catch (err) {
    throw networkFailure(err, { url: wellKnown(issuer, algorithm) })
  }
}

/** The well-known URL oauth4webapi builds for `algorithm`, for messages. */
function wellKnown(issuer: URL, algorithm: 'oidc' | 'oauth2'): string {
  const url = new URL(issuer.href)
  const path = url.pathname.replace(/\/$/, '')
  url.pathname =
    algorithm === 'oidc'
      ? `${path}/.well-known/openid-configuration`
      : `/.well-known/oauth-authorization-server${path}`
  return url.href
}

function mismatch(expected: string, got: string, where: string): NetworkError {
  // the server's value is echoed: through redact, like everything a server sends back
  return new NetworkError(`issuer mismatch: asked for ${JSON.stringify(expected)} but the document at ${where} says ${redactText(JSON.stringify(got))}`, {
    hint: 'the issuer must match exactly, including any trailing slash',
  })
}

function translate(err: unknown, issuer: string, where: string): NetworkError {
  // the body stream failed (reset, timeout, size limit) and oauth4webapi called it a parse error
  const cause = (err as { cause?: unknown } | undefined)?.cause
  if (cause instanceof NetworkError) return cause
  if (err instanceof oauth.OperationProcessingError) {
    const cause = err.cause as { body?: unknown; expected?: string } | undefined
    switch (err.code) {
      case oauth.JSON_ATTRIBUTE_COMPARISON: {
        const body = cause?.body as { issuer?: unknown } | undefined
        return mismatch(issuer, String(body?.issuer), where)
      }
      case oauth.PARSE_ERROR:
      case oauth.RESPONSE_IS_NOT_JSON:
        return new NetworkError(`discovery document at ${where} is not JSON`, { cause: err })
      case oauth.INVALID_RESPONSE:
        if (cause?.body !== null && typeof cause?.body === 'object' && !Array.isArray(cause.body)) {
          return new NetworkError(`discovery document at ${where} has no "issuer" string`, { cause: err })
        }
        return new NetworkError(`discovery document at ${where} is not a JSON object`, { cause: err })
    }
    return new NetworkError(`invalid discovery document at ${where}: ${err.message}`, { cause: err })
  }
  if ((err as { code?: unknown }).code === 'ERR_INVALID_URL') {
    return new NetworkError(`discovery document at ${where}: "issuer" is not a URL, expected ${JSON.stringify(issuer)}`, { cause: err })
  }
  // the body stream itself failed (reset, timeout while reading)
  return networkFailure(err, { url: where })
}

/** Every endpoint the client may call, and `jwks_uri`, must be https (http only for loopback). */
function checkEndpoints(metadata: oauth.AuthorizationServer, where: string): void {
  const urls: [string, unknown][] = Object.entries(metadata).filter(
    ([k]) => k.endsWith('_endpoint') || k === 'jwks_uri',
  )
  const aliases = metadata.mtls_endpoint_aliases
  if (aliases && typeof aliases === 'object') {
    for (const [k, v] of Object.entries(aliases)) urls.push([`mtls_endpoint_aliases.${k}`, v])
  }
  for (const [name, value] of urls) {
    let url: URL
    try {
      url = new URL(String(value))
    } catch {
      throw new NetworkError(`discovery document at ${where}: "${name}" is not a URL: ${redactText(JSON.stringify(value))}`)
    }
    if (!isSecureOrLoopback(url)) {
      throw new NetworkError(`discovery document at ${where}: "${name}" must use https (http only for loopback): ${redactUrl(url.href)}`)
    }
  }
}

function parseDate(value: string | null): Date | undefined {
  if (!value) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d
}
