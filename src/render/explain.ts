/**
 * `explain` views: the ranked causes with their evidence and fix, the token and the clocks
 * (human), and the `--json` document of the contract. Every string from the response, the
 * token or argv goes through the terminal-safety escape.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { Cause, ExplainResult } from '../core/explain/causes.js'
import { safeJson } from '../core/printable.js'
import { redactText } from '../http/redact.js'
import { styleFor } from './style.js'
import { wrapText, type Span } from './wrap.js'
import { snakeFields } from './json-fields.js'

/** The contract's `--json`: `{ status, challenges, causes: [{code, confidence, evidence, fix}], token }` plus the clocks and warnings. */
export function explainJson(r: ExplainResult): Record<string, unknown> {
  // challenge parameters and claims requests as the server sent them; the token's claims as it has them
  return snakeFields(explainView(r), { verbatim: ['params', 'claims'] }) as Record<string, unknown>
}

function explainView(r: ExplainResult) {
  return {
    status: r.status,
    challenges: r.challenges.map((c) => ({ ...c, params: Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, redactText(v)])), warnings: c.warnings.map(redactText) })),
    causes: r.causes.map((c) => ({ code: c.code, confidence: c.confidence, summary: redactText(c.summary), evidence: c.evidence.map(redactText), fix: c.fix })),
    token: r.token,
    response: r.response,
    clock: r.clock,
    warnings: r.warnings.map(redactText),
  }
}

const WIDTH_DEFAULT = 80

export function renderExplain(io: Pick<IOStreams, 'out' | 'color'> & { columns?: number }, r: ExplainResult, opts: { json: boolean }): void {
  if (opts.json) return void io.out.write(safeJson(explainJson(r), 2) + '\n')
  const s = styleFor(io)
  const width = io.columns ?? WIDTH_DEFAULT
  // the one wrapper escapes what it lays out (core/printable): server and token text included
  const put = (text: string | Span[], first: string, rest = first) => out.push(...wrapText(text, width, { first, rest }))
  const out: string[] = []
  const head = r.status !== null ? `The API answered ${r.status}` : 'The API refused the token'
  put([{ text: `${head}: ${r.causes.length ? `${r.causes.length} possible cause${r.causes.length > 1 ? 's' : ''}, most likely first` : 'no cause found'}`, style: s.bold }], '')
  r.causes.forEach((c, i) => out.push('', ...causeLines(c, i, width, s)))
  if (r.causes.length === 0) out.push('', ...wrapText('Nothing in the response or the token points to a cause. Give the token (and --issuer to check its signature) and the whole response head.', width, { first: '  ' }))
  if (r.token) {
    out.push('', s.bold('Token'))
    const t = r.token
    put(`${t.label}, ${t.bytes} bytes${t.verified === true ? ', signature verified' : t.verified === false ? ', signature NOT verified' : ', signature not checked (no key source)'}`, '  ')
    for (const [k, v] of Object.entries(t.claims)) put(`${k}: ${claimText(k, v)}`, '  ', '    ')
  }
  out.push('', s.bold('Clock'))
  put(`${r.clock.source === '--now' ? '--now' : 'local'} ${r.clock.now}${r.clock.serverDate ? `; server Date ${r.clock.serverDate}` : '; no Date header'}`, '  ')
  if (r.response.dpopNonce) out.push('', s.bold('DPoP-Nonce'), ...wrapText(r.response.dpopNonce, width, { first: '  ' }))
  if (r.warnings.length) {
    out.push('')
    for (const w of r.warnings) put([{ text: `warning: ${redactText(w)}`, style: s.yellow }], '', '  ')
  }
  io.out.write(out.join('\n') + '\n')
}

type Style = ReturnType<typeof styleFor>

function causeLines(c: Cause, i: number, width: number, s: Style): string[] {
  const tone = c.confidence === 'certain' ? s.red : c.confidence === 'likely' ? s.yellow : s.dim
  // server text quoted in the evidence may echo a token: redacted (JWTs and the run's secrets)
  const lines = wrapText([{ text: `${i + 1}. ${c.code}`, style: s.bold }, { text: ' ' }, { text: `(${c.confidence})`, style: tone }, { text: ` ${redactText(c.summary)}` }], width, { rest: '   ' })
  for (const e of c.evidence) lines.push(...wrapText(redactText(e), width, { first: `   ${s.dim('-')} `, rest: '     ' }))
  if (c.fix) lines.push(...wrapText([{ text: c.fix, style: s.cyan }], width, { first: `   ${s.dim('fix:')} `, rest: '     ' }))
  return lines
}

const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time'])

/** A time claim as ISO time with its number; anything else as a string or compact JSON. */
function claimText(name: string, v: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e12) {
    return `${new Date(v * 1000).toISOString().replace('.000Z', 'Z')} (${v})`
  }
  return typeof v === 'string' ? v : JSON.stringify(v)
}
