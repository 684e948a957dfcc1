/**
 * Endpoint flags and extra headers, without openid-client: `cli/oauth-flags.ts` needs these to
 * define flags, and `token` must answer from its cache without loading the OAuth client.
 * @module
 */
import { UsageError } from '../errors.js'

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
