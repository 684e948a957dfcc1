/**
 * Endpoint flags and extra headers, without openid-client: `cli/oauth-flags.ts` needs these to
 * define flags, and `token` must answer from its cache without loading the OAuth client.
 * @module
 */
import { UsageError } from '../errors.js'
import { isSecureOrLoopback } from '../http/loopback.js'

/** Endpoint flags (`--token-endpoint` …) by their metadata names. */
export const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'device_authorization_endpoint',
  'userinfo_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
] as const
export type EndpointField = (typeof ENDPOINT_FIELDS)[number]
export type Endpoints = Partial<Record<EndpointField, string>>

/** `--authorization-endpoint` ⇄ `authorization_endpoint`. */
export function flagFor(field: EndpointField): string {
  return '--' + field.replace(/_/g, '-')
}

/**
 * The endpoint `value` of `field` as a URL: absolute, http(s), https unless loopback. A
 * UsageError (exit 2) names it as `name` gives it: the flag (`--token-endpoint`) or the
 * profile's setting. Asked before anything takes the URL apart (the issuer of a server without
 * discovery is its token endpoint's origin: `--token-endpoint null` was exit 70 there).
 */
export function endpointUrl(field: EndpointField, value: string, name: string = flagFor(field)): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`${name} is not a URL: ${value}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${name} is not an http(s) URL: ${value}`)
  if (!isSecureOrLoopback(url)) throw new UsageError(`${name} must use https (http only for loopback): ${value}`)
  return url
}

/** Every endpoint of `endpoints` checked (endpointUrl), each named by `nameOf`. */
export function checkEndpoints(endpoints: Endpoints, nameOf: (field: EndpointField) => string = flagFor): void {
  for (const field of ENDPOINT_FIELDS) {
    const v = endpoints[field]
    if (v !== undefined) endpointUrl(field, v, nameOf(field))
  }
}

/** `--header k=v` / `k: v` pairs into a header record. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values) {
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(v)
    if (!m) throw new UsageError(`--header must look like Name=value or "Name: value": ${v}`)
    out[m[1]!] = m[2]!
  }
  return out
}
