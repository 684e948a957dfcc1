/**
 * `cae decode` views: the human one (each challenge, its parameters, the claims request
 * pretty-printed and explained, the commands that answer it) and the `--json` one.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { CaeDecodeResult, DecodedChallenge } from '../core/cae/decode.js'
import { printable, safeJson } from '../core/printable.js'
import { styleFor } from './style.js'
import { visibleWidth, wrapCommand, wrapText, type Span, type WrapOptions } from './wrap.js'
import { snakeFields } from './json-fields.js'

/** The `--json` document of the contract: `{ "challenges": [{"scheme", "params", "claims", ...}] }`. */
export function caeDecodeJson(result: CaeDecodeResult): Record<string, unknown> {
  return snakeFields(caeDecodeView(result), { verbatim: ['params', 'claims'] }) as Record<string, unknown>
}

function caeDecodeView(result: CaeDecodeResult) {
  return {
    challenges: result.challenges.map((c) => ({
      scheme: c.scheme,
      params: c.params,
      token68: c.token68,
      claims: c.claims,
      claimsError: c.claimsError,
      explanation: c.explanation,
      commands: c.commands,
      warnings: c.warnings,
    })),
    ...(result.dpopNonce !== undefined ? { dpopNonce: result.dpopNonce } : {}),
  }
}

export function renderCaeDecode(io: Pick<IOStreams, 'out' | 'color'> & { columns?: number }, result: CaeDecodeResult, opts: { json: boolean }): void {
  // safeJson, not writeJson: the same JSON, with C1/bidi characters of the input escaped too
  if (opts.json) return void io.out.write(safeJson(caeDecodeJson(result), 2) + '\n')
  const columns = io.columns ?? 80
  const n = result.challenges.length
  const s = styleFor(io)
  io.out.write(result.challenges.map((c, i) => challengeText(c, i, n, s, columns)).join('\n'))
  if (result.dpopNonce !== undefined) {
    const lines = wrapText([{ text: result.dpopNonce }, { text: ' (put it in the DPoP proof as "nonce"; tokentool call --dpop does)', style: s.dim }], columns, { first: `${s.bold('DPoP-Nonce')} `, rest: '  ' })
    io.out.write(`\n${lines.join('\n')}\n`)
  }
}

/** Narrowest a value column may get before values continue under their names instead. */
const MIN_VALUE = 24

/**
 * One challenge, wrapped to `columns` at spaces (its text escaped by the wrapper): a parameter's
 * value continues under itself, an explanation under its dash, and an answering command with
 * the shell's ` \` continuation, so it still pastes.
 */
function challengeText(c: DecodedChallenge, i: number, n: number, s: ReturnType<typeof styleFor>, columns: number): string {
  const lines: string[] = []
  const put = (text: string | Span[], opts: WrapOptions) => lines.push(...wrapText(text, columns, opts))
  const title = n > 1 ? `Challenge ${i + 1} of ${n}: ` : 'Challenge: '
  put([{ text: `${title}${c.scheme === '' ? '(no scheme)' : c.scheme}`, style: s.bold }], {})
  const width = Math.max(18, ...c.paramList.map((p) => visibleWidth(printable(p.name))))
  const hang = 2 + width + 1
  const rest = ' '.repeat(columns - hang >= MIN_VALUE ? hang : 4)
  const row = (name: string, value: Span[]) => put(value, { first: `  ${s.dim(printable(name).padEnd(width))} `, rest })
  if (c.token68 !== null) row('token68', [{ text: c.token68 }])
  for (const p of c.paramList) {
    // an empty value shows as "" so that `realm=""` stays visible
    const v = p.value === '' ? '""' : p.value
    row(p.name, [{ text: v, ...(p.name.toLowerCase() === 'error' ? { style: s.red } : {}) }])
  }
  if (c.token68 === null && c.paramList.length === 0) lines.push(s.dim('  (no parameters)'))
  for (const w of c.warnings) put([{ text: `warning: ${w}`, style: s.yellow }], { first: '  ', rest: '    ' })

  if (c.claims) {
    lines.push('')
    put([{ text: 'Claims request', style: s.bold }, { text: ' (the claims parameter, decoded):', style: s.dim }], { first: '  ', rest: '    ' })
    // each JSON line keeps its own indent; a long string value continues two deeper
    for (const l of JSON.stringify(c.claims, null, 2).split('\n')) {
      const indent = '    ' + /^ */.exec(l)![0]
      put(l.trimStart(), { first: indent, rest: indent + '  ' })
    }
  }
  if (c.explanation.length) {
    lines.push('', s.bold('  What it means:'))
    for (const e of c.explanation) put(e, { first: '    - ', rest: '      ' })
  }
  if (c.commands) {
    lines.push('')
    put([{ text: 'Answer it with', style: s.bold }, { text: ' (refresh first; login when refresh cannot):', style: s.dim }], { first: '  ', rest: '    ' })
    for (const cmd of [c.commands.refresh, c.commands.login]) lines.push(...commandLines(cmd, columns, s))
  }
  return lines.join('\n') + '\n'
}

/** `$ tokentool …` as wrapCommand lays it out, in cyan. */
function commandLines(cmd: string, columns: number, s: ReturnType<typeof styleFor>): string[] {
  return wrapCommand(cmd, columns, { first: '    $ ', rest: '        ' }).map((l, i) => (i === 0 ? `    $ ${s.cyan(l.slice(6))}` : s.cyan(l)))
}
