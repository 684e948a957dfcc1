/**
 * The view of `discover --resource URL`: a protected resource's metadata (RFC 9728) as a
 * person reads it, or the `--json` document. Every value came from a server: shown through
 * the terminal-safety escape.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import { printable } from '../core/printable.js'
import { resourceLoginCommand, type ResourceMetadata } from '../core/resource-metadata.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { snakeFields } from './json-fields.js'

export interface ResourceMetadataView {
  resource: string
  metadataUrl: string
  via: 'well-known' | 'challenge'
  metadata: ResourceMetadata
  warnings: string[]
}

export function renderResourceMetadata(io: Pick<IOStreams, 'out' | 'err' | 'color'>, v: ResourceMetadataView, opts: { json: boolean }): void {
  for (const w of v.warnings) io.err.write(`tokentool: warning: ${printable(w)}\n`)
  if (opts.json) return writeJson(io, snakeFields(v, { verbatim: ['metadata'] }))
  io.out.write(resourceMetadataText(v, styleFor(io)))
}

type Style = ReturnType<typeof styleFor>

export function resourceMetadataText(v: ResourceMetadataView, s: Style): string {
  const m = v.metadata
  const list = (l: readonly string[] | undefined, none: string) => (l?.length ? l.map(printable).join(', ') : s.dim(none))
  const yes = (b: unknown) => (b === true ? s.green('yes') : 'no')
  const how = v.via === 'well-known' ? 'well-known URL, RFC 9728 §3' : "the resource's 401 challenge (resource_metadata)"
  const rows: [string, string][] = [
    ['resource', `${printable(m.resource)}  ${s.green('✓ matches')}`],
    ['document', `${printable(v.metadataUrl)}  ${s.dim(`(${how})`)}`],
  ]
  if (typeof m.resource_name === 'string') rows.push(['name', printable(m.resource_name)])
  rows.push(
    ['authorization servers', list(m.authorization_servers, 'none named')],
    ['scopes', m.scopes_supported?.length ? m.scopes_supported.map(printable).join(' ') : s.dim('not listed')],
    ['bearer methods', list(m.bearer_methods_supported, 'not listed (RFC 6750 header assumed)')],
    ['signing algorithms', list(m.resource_signing_alg_values_supported, 'not listed')],
    ['DPoP', m.dpop_signing_alg_values_supported?.length ? `${m.dpop_signing_alg_values_supported.map(printable).join(', ')}${m.dpop_bound_access_tokens_required === true ? `  ${s.yellow('required')}` : ''}` : s.dim('not listed')],
    ['mTLS-bound tokens', yes(m.tls_client_certificate_bound_access_tokens)],
  )
  if (m.authorization_details_types_supported?.length) rows.push(['authorization details', list(m.authorization_details_types_supported, '')])
  for (const [k, label] of [['jwks_uri', 'jwks'], ['resource_documentation', 'documentation'], ['resource_policy_uri', 'policy'], ['resource_tos_uri', 'terms of service']] as const) {
    if (typeof m[k] === 'string') rows.push([label, printable(m[k] as string)])
  }
  const w = Math.max(...rows.map(([k]) => k.length))
  const out = rows.map(([k, val]) => `${s.bold(k.padEnd(w))}  ${val}`)
  const servers = m.authorization_servers ?? []
  if (servers.length) {
    const cmd = resourceLoginCommand(m.resource, servers.length > 1 ? { issuer: servers[0] } : {})
    out.push('', s.dim(`sign in with: ${cmd}`))
  }
  return out.join('\n') + '\n'
}
