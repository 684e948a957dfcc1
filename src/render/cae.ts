/**
 * `cae decode` views: the human one (each challenge, its parameters, the claims request
 * pretty-printed and explained, the commands that answer it) and the `--json` one.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { CaeDecodeResult, DecodedChallenge } from '../core/cae/decode.js'
import { printable, safeJson } from '../core/printable.js'
import { styleFor } from './style.js'

/** The `--json` document of the contract: `{ "challenges": [{"scheme", "params", "claims", ...}] }`. */
export function caeDecodeJson(result: CaeDecodeResult) {
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

export function renderCaeDecode(io: Pick<IOStreams, 'out' | 'color'>, result: CaeDecodeResult, opts: { json: boolean }): void {
  // safeJson, not writeJson: the same JSON, with C1/bidi characters of the input escaped too
  if (opts.json) return void io.out.write(safeJson(caeDecodeJson(result), 2) + '\n')
  const n = result.challenges.length
  io.out.write(result.challenges.map((c, i) => challengeText(c, i, n, io)).join('\n'))
  if (result.dpopNonce !== undefined) {
    const s = styleFor(io)
    io.out.write(`\n${s.bold('DPoP-Nonce')} ${printable(result.dpopNonce)}${s.dim(' (put it in the DPoP proof as "nonce"; tokentool call --dpop does)')}\n`)
  }
}

function challengeText(c: DecodedChallenge, i: number, n: number, io: Pick<IOStreams, 'color'>): string {
  const s = styleFor(io)
  const lines: string[] = []
  const title = n > 1 ? `Challenge ${i + 1} of ${n}: ` : 'Challenge: '
  lines.push(s.bold(`${title}${c.scheme === '' ? '(no scheme)' : printable(c.scheme)}`))
  if (c.token68 !== null) lines.push(`  ${s.dim('token68'.padEnd(18))} ${c.token68}`)
  const width = Math.max(18, ...c.paramList.map((p) => p.name.length))
  for (const p of c.paramList) {
    // an empty value shows as "" so that `realm=""` stays visible; values may hold ESC: printable()
    const v = p.value === '' ? '""' : printable(p.value)
    const shown = p.name.toLowerCase() === 'error' ? s.red(v) : v
    lines.push(`  ${s.dim(printable(p.name).padEnd(width))} ${shown}`)
  }
  if (c.token68 === null && c.paramList.length === 0) lines.push(s.dim('  (no parameters)'))
  for (const w of c.warnings) lines.push(s.yellow(`  warning: ${printable(w)}`))

  if (c.claims) {
    lines.push('', s.bold('  Claims request') + s.dim(' (the claims parameter, decoded):'))
    for (const l of JSON.stringify(c.claims, null, 2).split('\n')) lines.push(`    ${printable(l)}`)
  }
  if (c.explanation.length) {
    lines.push('', s.bold('  What it means:'))
    for (const e of c.explanation) lines.push(`    - ${printable(e)}`)
  }
  if (c.commands) {
    lines.push('', s.bold('  Answer it with') + s.dim(' (refresh first; login when refresh cannot):'))
    lines.push(`    $ ${s.cyan(printable(c.commands.refresh))}`, `    $ ${s.cyan(printable(c.commands.login))}`)
  }
  return lines.join('\n') + '\n'
}
