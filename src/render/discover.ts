/**
 * The views of `discover`: the issuer, its endpoints, what it supports (with the RFC that
 * defines each feature), and its signing keys; or the `--json` document. Readable without
 * colour: every support line says yes or no.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import { ENDPOINTS, grantLabel, type DiscoverySummary } from '../core/discovery-summary.js'
import { formatDuration } from '../core/duration.js'
import { writeJson } from './json.js'
import { printable } from '../core/printable.js'
import { styleFor } from './style.js'

export function renderDiscover(io: Pick<IOStreams, 'out' | 'err' | 'color'>, d: DiscoverySummary, opts: { json: boolean }): void {
  for (const w of d.warnings) io.err.write(`tokentool: warning: ${printable(w)}\n`)
  if (opts.json) return writeJson(io, d)
  io.out.write(discoverText(d, styleFor(io)))
}

type Style = ReturnType<typeof styleFor>

export function discoverText(d: DiscoverySummary, s: Style): string {
  const out: string[] = []
  const kind = d.kind === 'openid' ? 'OpenID Connect discovery' : 'RFC 8414 authorization server metadata'
  out.push(`${s.bold('issuer')}    ${printable(d.issuer)}  ${s.green('✓ matches')}`)
  out.push(`${s.bold('document')}  ${printable(d.discoveryUrl)}  ${s.dim(`(${kind})`)}`)
  if (d.clockSkewSeconds !== undefined) {
    const skew = d.clockSkewSeconds
    // an HTTP Date has whole seconds: a difference of 1s is rounding, not skew
    const text = Math.abs(skew) <= 1 ? 'in step with this machine' : `issuer is ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} this machine`
    out.push(`${s.bold('clock')}     ${text} ${s.dim('(HTTP Date)')}`)
  }

  out.push('', s.bold('Endpoints'))
  const names = ENDPOINTS.filter((e) => d.endpoints[e])
  const w = Math.max(...names.map((e) => endpointLabel(e).length), 0)
  for (const e of names) out.push(`  ${endpointLabel(e).padEnd(w)}  ${printable(String(d.endpoints[e]))}`)

  const p = d.supports
  const yes = (ok: boolean, detail = '') => (ok ? s.green('yes') : s.yellow('no')) + (detail ? ` ${detail}` : '')
  const rows: [string, string, string][] = [
    ['grants', p.grants.map((g) => printable(grantLabel(g))).join(', ') + (p.grantsAdvertised ? '' : ' (not advertised: RFC 8414 default)'), ''],
    ['PKCE', p.pkce.length ? p.pkce.map(printable).join(', ') : s.yellow('not advertised'), 'RFC 7636'],
    ['token exchange', yes(p.tokenExchange), 'RFC 8693'],
    ['introspection', yes(p.introspection), 'RFC 7662'],
    ['revocation', yes(p.revocation), 'RFC 7009'],
    ['device flow', yes(p.deviceFlow), 'RFC 8628'],
    ['DPoP', yes(p.dpop.supported, p.dpop.algs.length ? `(${p.dpop.algs.map(printable).join(', ')})` : ''), 'RFC 9449'],
    ['iss in responses', yes(p.issParameter), 'RFC 9207'],
    ['PAR', yes(p.par, p.parRequired ? '(required)' : ''), 'RFC 9126'],
    ['mTLS', yes(p.mtls.boundTokens || p.mtls.aliases.length > 0, [p.mtls.boundTokens ? 'certificate-bound tokens' : '', p.mtls.aliases.length ? `aliases: ${p.mtls.aliases.map((a) => printable(a.replace(/_endpoint$/, ''))).join(', ')}` : ''].filter(Boolean).join('; ')), 'RFC 8705'],
    ['RAR types', p.authorizationDetailsTypes.length ? `${s.green('yes')} (${printable(p.authorizationDetailsTypes.join(', '))})` : s.yellow('no'), 'RFC 9396'],
    ['claims parameter', yes(p.claimsParameter), 'OIDC Core §5.5'],
  ]
  if (p.clientAuthMethods.length) rows.push(['client auth', p.clientAuthMethods.map(printable).join(', '), ''])
  if (p.responseTypes.length) rows.push(['response types', p.responseTypes.map(printable).join(', '), ''])
  if (p.scopes.length) rows.push(['scopes', p.scopes.map(printable).join(' '), ''])
  out.push('', s.bold('Supports'))
  const rw = Math.max(...rows.map((r) => r[0].length))
  for (const [k, v, ref] of rows) out.push(`  ${k.padEnd(rw)}  ${v}${ref ? `  ${s.dim(ref)}` : ''}`)

  const f = d.fapi2
  out.push('', `${s.bold('FAPI 2.0')}  ${f.ready ? s.green('what a FAPI 2.0 client needs is there') : s.yellow(`missing: ${f.missing.map(printable).join(', ')}`)}`)
  const fw = Math.max(...f.requirements.map((x) => x.name.length))
  for (const x of f.requirements) out.push(`  ${x.ok ? s.green('✓') : s.yellow('✗')} ${x.name.padEnd(fw)}  ${s.dim(printable(x.detail))}`)

  out.push('', s.bold(`Keys (${d.keys.length})`))
  if (d.keys.length === 0) {
    out.push(`  ${s.dim(d.endpoints.jwks_uri ? 'the JWKS is empty' : 'no jwks_uri')}`)
  } else {
    const header = ['KID', 'KTY', 'ALG', 'USE', 'THUMBPRINT (SHA-256)']
    const cells = d.keys.map((k) => [k.kid ?? '-', k.crv ? `${k.kty} ${k.crv}` : k.kty, k.alg ?? '-', k.use ?? '-', k.thumbprint].map((x) => printable(String(x))))
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
    const line = (c: string[]) => '  ' + c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')
    out.push(s.dim(line(header)), ...cells.map(line))
  }
  return out.join('\n') + '\n'
}

function endpointLabel(e: string): string {
  return e === 'jwks_uri' ? 'jwks' : e.replace(/_endpoint$/, '').replace(/_/g, ' ')
}
