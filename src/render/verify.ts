/**
 * The views of `verify`: a checklist (one row per check, pass/fail/skip with the reason), the
 * clock and leeway used, the key source, warnings; the `--json` document; and the compact
 * NDJSON line of `--batch`. Readable without colour: every row starts with PASS/FAIL/SKIP.
 * @module
 */
import { escapeJsonText, printable, safeJson } from '../core/printable.js'
import type { IOStreams } from '../io-streams.js'
import type { Check } from '../core/jwt/verify-checks.js'
import type { VerifyResult } from '../core/jwt/verify.js'
import { formatDuration } from '../core/duration.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { wrapText } from './wrap.js'

export interface VerifyReport extends VerifyResult {
  clock: { now: string; source: 'local' | '--now'; leeway: number }
  keySource: string
  warnings: string[]
}

/** The `--json` document: the contract's fields first; `keySource` is the deprecated alias of `key_source` (json-fields.ts). */
export function verifyJson(r: VerifyReport): Record<string, unknown> {
  return { valid: r.valid, checks: r.checks, header: r.header, payload: r.payload, clock: r.clock, key_source: r.keySource, warnings: r.warnings, keySource: r.keySource }
}

export function renderVerify(io: Pick<IOStreams, 'out' | 'err' | 'color' | 'columns'>, r: VerifyReport, opts: { json: boolean }): void {
  for (const w of r.warnings) io.err.write(`tokentool: warning: ${printable(w)}\n`)
  if (opts.json) return writeJson(io, verifyJson(r))
  io.out.write(verifyText(r, styleFor(io), io.columns))
}

/**
 * The checklist, wrapped to `columns` at spaces: a row's detail continues under itself (under
 * the check's name when the terminal is too narrow for that), so PASS/FAIL stays a column.
 */
export function verifyText(r: VerifyReport, s: ReturnType<typeof styleFor>, columns: number): string {
  const width = Math.max(...r.checks.map((c) => c.name.length))
  const hang = 4 + 2 + width + 2
  const rest = ' '.repeat(columns - hang >= MIN_DETAIL ? hang : 6)
  // a detail quotes the token (a kid, a claim): the wrapper escapes it (core/printable)
  const lines = r.checks.flatMap((c) =>
    wrapText([{ text: c.detail, ...(c.skipped ? { style: s.dim } : {}) }], columns, { first: `${mark(c, s)}  ${c.name.padEnd(width)}  `, rest }),
  )
  const failed = r.checks.filter((c) => !c.ok).length
  const verdict = r.valid ? s.green.bold('VALID: every check passed') : s.red.bold(`INVALID: ${failed} check${failed === 1 ? '' : 's'} failed`)
  const clock = `${r.clock.now} (${r.clock.source === '--now' ? 'from --now' : 'this machine'}), leeway ${formatDuration(r.clock.leeway)} for exp/nbf/iat/max-age`
  const footer = (label: string, text: string) => wrapText([{ text, style: s.dim }], columns, { first: s.dim(label.padEnd(10)) })
  return [verdict, '', ...lines, '', ...footer('clock', clock), ...footer('key from', r.keySource), ''].join('\n')
}

/** Narrowest a detail column may get before details continue under the check names instead. */
const MIN_DETAIL = 20

function mark(c: Check, s: ReturnType<typeof styleFor>): string {
  if (c.skipped) return s.dim('SKIP')
  return c.ok ? s.green('PASS') : s.red('FAIL')
}

/**
 * One `--batch` output line, built by hand: it runs once per token. Tokens of one issuer give
 * the same few check rows (the same alg, key, signature, iss…), so each row's JSON, escaped as
 * safeJson escapes, is remembered by its name and detail: the escape replaces character by
 * character, so escaped rows joined are the escape of the joined line, the same text as before.
 */
export function batchLine(line: number, r: VerifyResult): string {
  let checks = ''
  for (const c of r.checks) {
    if (checks !== '') checks += ','
    checks += checkJson(c)
  }
  const warnings = r.warnings && r.warnings.length > 0 ? escapeJsonText(`,"warnings":${JSON.stringify(r.warnings)}`) : ''
  return `{"line":${line},"valid":${r.valid},"checks":[${checks}]${warnings}}\n`
}

// name → detail → the row's JSON for [ok: false, ok: true, ok and skipped]
const rows = new Map<string, Map<string, (string | undefined)[]>>()
/** Bounds the rows remembered per check name: tokens whose details all differ keep memory flat. */
const ROWS_PER_NAME = 256

// a row made once and handed out again (verify-checks.ts remembers rows, frozen) is found by itself
const rowsByCheck = new WeakMap<Check, string>()

function checkJson(c: Check): string {
  let json = rowsByCheck.get(c)
  if (json !== undefined) return json
  json = checkJsonByText(c)
  if (Object.isFrozen(c)) rowsByCheck.set(c, json)
  return json
}

function checkJsonByText(c: Check): string {
  let byDetail = rows.get(c.name)
  if (byDetail === undefined) {
    if (rows.size >= ROWS_PER_NAME) rows.clear()
    rows.set(c.name, (byDetail = new Map()))
  }
  let row = byDetail.get(c.detail)
  if (row === undefined) {
    if (byDetail.size >= ROWS_PER_NAME) byDetail.clear()
    byDetail.set(c.detail, (row = []))
  }
  const i = !c.ok ? 0 : c.skipped ? 2 : 1
  return (row[i] ??= escapeJsonText(`{"name":${JSON.stringify(c.name)},"ok":${c.ok},"detail":${JSON.stringify(c.detail)}${c.skipped ? ',"skipped":true' : ''}}`))
}

/** A `--batch` line for input that is not a token at all (malformed: exit 2 when alone). */
export function batchErrorLine(line: number, message: string): string {
  return `{"line":${line},"valid":false,"error":${safeJson(message)}}\n`
}
