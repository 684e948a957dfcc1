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
import { visibleWidth, wrapText, wrapUnits, type Span } from './wrap.js'
import { snakeFields } from './json-fields.js'

export function renderDiscover(io: Pick<IOStreams, 'out' | 'err' | 'color' | 'columns'>, d: DiscoverySummary, opts: { json: boolean }): void {
  for (const w of d.warnings) io.err.write(`tokentool: warning: ${printable(w)}\n`)
  // the server's metadata (and its endpoint names) as it sent them; tokentool's summary in snake_case
  if (opts.json) return writeJson(io, snakeFields(d, { verbatim: ['metadata', 'endpoints'] }))
  io.out.write(discoverText(d, styleFor(io), io.columns))
}

type Style = ReturnType<typeof styleFor>

/** Narrowest a value column may get before values continue under their labels instead. */
const MIN_VALUE = 24

/**
 * The human view, wrapped to `columns` at spaces (server text escaped by the wrapper): a value
 * continues under itself, a URL or thumbprint is never cut.
 */
export function discoverText(d: DiscoverySummary, s: Style, columns = 80): string {
  const out: string[] = []
  const put = (text: string | Span[], first: string, rest?: string) => out.push(...wrapText(text, columns, { first, ...(rest !== undefined ? { rest } : {}) }))
  /** `  label  value` rows: the value hangs under itself, or under the label when narrow. */
  const rows = (items: [label: string, value: string | Span[]][], indent = '  ') => {
    const w = Math.max(0, ...items.map(([k]) => k.length))
    const hang = indent.length + w + 2
    const rest = ' '.repeat(columns - hang >= MIN_VALUE ? hang : indent.length + 2)
    for (const [k, v] of items) put(v, `${indent}${k.padEnd(w)}  `, rest)
  }
  const kind = d.kind === 'openid' ? 'OpenID Connect discovery' : 'RFC 8414 authorization server metadata'
  put([{ text: d.issuer }, { text: '  ' }, { text: '✓ matches', style: s.green }], `${s.bold('issuer')}    `)
  put([{ text: d.discoveryUrl }, { text: '  ' }, { text: `(${kind})`, style: s.dim }], `${s.bold('document')}  `)
  if (d.clockSkewSeconds !== undefined) {
    const skew = d.clockSkewSeconds
    // an HTTP Date has whole seconds: a difference of 1s is rounding, not skew
    const text = Math.abs(skew) <= 1 ? 'in step with this machine' : `issuer is ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} this machine`
    put([{ text }, { text: ' ' }, { text: '(HTTP Date)', style: s.dim }], `${s.bold('clock')}     `)
  }

  out.push('', s.bold('Endpoints'))
  rows(ENDPOINTS.filter((e) => d.endpoints[e]).map((e) => [endpointLabel(e), String(d.endpoints[e])]))

  const p = d.supports
  const yes = (ok: boolean, detail = ''): Span[] => [ok ? { text: 'yes', style: s.green } : { text: 'no', style: s.yellow }, ...(detail ? [{ text: ` ${detail}` }] : [])]
  const ref = (v: Span[], r: string): Span[] => (r ? [...v, { text: '  ' }, { text: r, style: s.dim }] : v)
  const support: [string, Span[], string][] = [
    ['grants', [{ text: p.grants.map((g) => grantLabel(g)).join(', ') + (p.grantsAdvertised ? '' : ' (not advertised: RFC 8414 default)') }], ''],
    ['PKCE', p.pkce.length ? [{ text: p.pkce.join(', ') }] : [{ text: 'not advertised', style: s.yellow }], 'RFC 7636'],
    ['token exchange', yes(p.tokenExchange), 'RFC 8693'],
    ['introspection', yes(p.introspection), 'RFC 7662'],
    ['revocation', yes(p.revocation), 'RFC 7009'],
    ['device flow', yes(p.deviceFlow), 'RFC 8628'],
    ['DPoP', yes(p.dpop.supported, p.dpop.algs.length ? `(${p.dpop.algs.join(', ')})` : ''), 'RFC 9449'],
    ['iss in responses', yes(p.issParameter), 'RFC 9207'],
    ['PAR', yes(p.par, p.parRequired ? '(required)' : ''), 'RFC 9126'],
    ['mTLS', yes(p.mtls.boundTokens || p.mtls.aliases.length > 0, [p.mtls.boundTokens ? 'certificate-bound tokens' : '', p.mtls.aliases.length ? `aliases: ${p.mtls.aliases.map((a) => a.replace(/_endpoint$/, '')).join(', ')}` : ''].filter(Boolean).join('; ')), 'RFC 8705'],
    ['RAR types', p.authorizationDetailsTypes.length ? [{ text: 'yes', style: s.green }, { text: ` (${p.authorizationDetailsTypes.join(', ')})` }] : [{ text: 'no', style: s.yellow }], 'RFC 9396'],
    ['claims parameter', yes(p.claimsParameter), 'OIDC Core §5.5'],
  ]
  if (p.clientAuthMethods.length) support.push(['client auth', [{ text: p.clientAuthMethods.join(', ') }], ''])
  if (p.responseTypes.length) support.push(['response types', [{ text: p.responseTypes.join(', ') }], ''])
  if (p.scopes.length) support.push(['scopes', [{ text: p.scopes.join(' ') }], ''])
  out.push('', s.bold('Supports'))
  rows(support.map(([k, v, r]) => [k, ref(v, r)]))

  const f = d.fapi2
  out.push('')
  put(f.ready ? [{ text: 'what a FAPI 2.0 client needs is there', style: s.green }] : [{ text: `missing: ${f.missing.join(', ')}`, style: s.yellow }], `${s.bold('FAPI 2.0')}  `, ' '.repeat(10))
  const fw = Math.max(...f.requirements.map((x) => x.name.length))
  const fhang = 4 + fw + 2
  for (const x of f.requirements) put([{ text: x.detail, style: s.dim }], `  ${x.ok ? s.green('✓') : s.yellow('✗')} ${x.name.padEnd(fw)}  `, ' '.repeat(columns - fhang >= MIN_VALUE ? fhang : 6))

  out.push('', s.bold(`Keys (${d.keys.length})`))
  if (d.keys.length === 0) {
    out.push(`  ${s.dim(d.endpoints.jwks_uri ? 'the JWKS is empty' : 'no jwks_uri')}`)
  } else {
    const header = ['KID', 'KTY', 'ALG', 'USE', 'THUMBPRINT (SHA-256)']
    const cells = d.keys.map((k) => [k.kid ?? '-', k.crv ? `${k.kty} ${k.crv}` : k.kty, k.alg ?? '-', k.use ?? '-', k.thumbprint].map((x) => printable(String(x))))
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => visibleWidth(c[i]!))))
    if (2 + widths.reduce((a, b) => a + b + 2, -2) <= columns) {
      const line = (c: string[]) => '  ' + c.map((x, i) => (i === c.length - 1 ? x : x + ' '.repeat(widths[i]! - visibleWidth(x)))).join('  ')
      out.push(s.dim(line(header)), ...cells.map(line))
    } else {
      // too narrow for the table: the same columns as one block per key, the thumbprint below
      put([{ text: header.join('  '), style: s.dim }], '  ')
      for (const c of cells) {
        out.push(...wrapUnits(c.slice(0, 4), columns, { first: '  ', rest: '    ', separator: '  ' }))
        put(c[4]!, '    ')
      }
    }
  }
  return out.join('\n') + '\n'
}

function endpointLabel(e: string): string {
  return e === 'jwks_uri' ? 'jwks' : e.replace(/_endpoint$/, '').replace(/_/g, ' ')
}
