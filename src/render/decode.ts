/**
 * The views of `decode`: a human one (kind, status, claims table with time claims coloured by
 * state, a loud "signature not verified", warnings, embedded tokens) readable without colour,
 * and the `--json` document.
 * @module
 */
import type { ChalkInstance } from 'chalk'
import type { IOStreams } from '../io-streams.js'
import { claimMeaning, headerMeaning } from '../core/jwt/claims-glossary.js'
import type { DecodedToken } from '../core/jwt/decode.js'
import { KIND_LABELS } from '../core/jwt/kind.js'
import { looksLikeCompactJwt, type NestedToken } from '../core/jwt/nested.js'
import type { JsonObject } from '../core/jwt/split.js'
import { TIME_CLAIMS, type TimeInfo, type TimeState, type TimesResult } from '../core/jwt/times.js'
import { formatDuration } from '../core/duration.js'
import { relative } from '../core/time.js'
import { writeJson } from './json.js'
import { snakeFields } from './json-fields.js'
import { describeAuthorizationDetails } from '../core/rar.js'
import { styleFor } from './style.js'
import { renderTable, sanitize, truncate, type Cell, type Row, wrap } from './table.js'

/**
 * Claim objects and claim values inside decode's document: kept as the token has them.
 * (`claims` under `times` is walked: its keys are claim names, its values tokentool's own.)
 */
const DECODE_VERBATIM = ['header', 'payload', 'value', 'details', 'disclosedPayload']

/** The `--json` document: the contract's fields first, then the extras; own fields in snake_case (json-fields.ts). */
export function decodedJson(t: DecodedToken): Record<string, unknown> {
  return snakeFields(decodedView(t), { verbatim: DECODE_VERBATIM }) as Record<string, unknown>
}

function decodedView(t: DecodedToken): Record<string, unknown> {
  return {
    kind: t.kind,
    header: t.header,
    payload: t.payload,
    signature: t.signature,
    size: t.size,
    times: t.times,
    warnings: t.warnings,
    nested: t.nested.map((n) => ({ path: n.path, depth: n.depth, kind: n.kind, header: n.header, payload: n.payload, ...(n.times ? { times: n.times } : {}) })),
    format: t.format,
    verified: t.verified,
    kindInfo: t.kindInfo,
    notes: t.notes,
    ...(t.binding ? { binding: t.binding } : {}),
    ...(t.bindingCheck ? { bindingCheck: t.bindingCheck } : {}),
    ...(t.dpopProof ? { dpopProof: t.dpopProof } : {}),
    ...(t.jwe ? { jwe: t.jwe } : {}),
    ...(t.envelope ? { envelope: t.envelope } : {}),
    ...(t.sdJwt ? { sdJwt: t.sdJwt } : {}),
    ...(t.securityEvents ? { events: t.securityEvents } : {}),
  }
}

export function renderDecoded(io: Pick<IOStreams, 'out' | 'color' | 'columns'>, t: DecodedToken, opts: { json: boolean }): void {
  if (opts.json) return writeJson(io, decodedJson(t))
  io.out.write(humanView(t, styleFor(io), io.columns))
}

/** The human view as text (exported for tests and the interactive menu). */
export function humanView(t: DecodedToken, c: ChalkInstance, columns: number): string {
  const width = Math.max(40, columns)
  const out: string[] = []
  const section = (title: string) => c.bold.underline(title)

  // Nothing readable, nothing to trust or distrust: an opaque token or a JWE not decrypted.
  const decoded = t.payload !== null
  if (decoded) out.push(notVerifiedBanner(c, width), '')

  const summary: Row[] = [
    [{ text: 'Kind' }, { text: t.kindInfo.label, style: c.bold }],
    [{ text: 'Why' }, { text: t.kindInfo.reason, style: c.dim }],
  ]
  if (t.times) summary.push([{ text: 'Status' }, statusCell(t.times, c)])
  summary.push([{ text: 'Size' }, sizeCell(t, c)])
  if (t.binding) summary.push([{ text: 'Bound to' }, { text: t.binding.detail, style: c.cyan }])
  if (t.bindingCheck) {
    const b = t.bindingCheck
    summary.push([
      { text: 'Key match' },
      b.matches
        ? { text: `✓ cnf.${b.member} is the thumbprint of ${b.against}`, style: c.green }
        : { text: `✗ cnf.${b.member} is not the thumbprint of ${b.against} (${b.thumbprint}): this token cannot be used with it`, style: c.red },
    ])
  }
  if (t.dpopProof) {
    const p = t.dpopProof
    if (p.htm !== undefined || p.htu !== undefined) summary.push([{ text: 'Proof for' }, { text: `${p.htm ?? '?'} ${p.htu ?? '?'}`, style: c.bold }])
    if (p.jkt !== undefined) summary.push([{ text: 'Proof key' }, { text: `thumbprint ${p.jkt} (the cnf.jkt of the token it goes with)` }])
    if (p.athMatches !== undefined) {
      summary.push([
        { text: 'ath' },
        p.athMatches ? { text: '✓ the hash of the access token given', style: c.green } : { text: p.ath === undefined ? '✗ no ath: the proof is not for an access token' : '✗ not the hash of the access token given', style: c.red },
      ])
    } else if (p.ath !== undefined) {
      summary.push([{ text: 'ath' }, { text: `${p.ath} (give --access-token to check it)`, style: c.dim }])
    }
  }
  out.push(renderTable(summary.map(boldKey(c)), { width }).trimEnd(), '')

  if (t.envelope) {
    const alg = t.envelope.signature.alg ? ` (${truncate(sanitize(t.envelope.signature.alg), 24)})` : ''
    out.push(section('Outer JWS header (cty: JWT)'))
    out.push(headerTable(t.envelope.header, c, width))
    out.push(`  ${c.dim(`outer signature ${t.envelope.signature.bytes} bytes${alg},`)} ${c.red.bold('NOT VERIFIED')}`, '')
  }
  if (t.jwe) {
    out.push(section(t.jwe.decrypted ? 'JWE protected header (decrypted)' : 'JWE protected header'))
    out.push(headerTable(t.jwe.header, c, width))
    const j = t.jwe
    const sizes = `encrypted key ${j.encryptedKeyBytes} bytes · IV ${j.ivBytes} · ciphertext ${j.ciphertextBytes} · tag ${j.tagBytes}`
    out.push(...wrap(sizes, width - 2).map((l) => `  ${c.dim(l)}`), '')
  }
  // A JWE's own header is shown above; a decrypted nested JWS has a header of its own.
  if (t.header && (!t.jwe || t.signature)) {
    out.push(section('Header'))
    out.push(headerTable(t.header, c, width), '')
  }
  if (t.payload) {
    out.push(section('Payload'))
    out.push(payloadTable(t.payload, t.times, c, width) || c.dim('  (no claims)\n'), '')
  }
  const details = describeAuthorizationDetails(t.payload?.authorization_details)
  if (details) {
    out.push(section('Authorization details (RFC 9396)'))
    for (const d of details) out.push(...bullet('·', d, width))
    out.push('')
  }
  if (t.signature) {
    const alg = t.signature.alg ? ` (${truncate(sanitize(t.signature.alg), 24)})` : ''
    const facts = `${t.signature.bytes} bytes${alg}`
    const sep = 'Signature  '.length + facts.length + ' · NOT VERIFIED'.length <= width ? ' · ' : '\n           '
    out.push(`${c.bold('Signature')}  ${facts}${sep}${c.red.bold('NOT VERIFIED')}`, '')
  }
  if (t.sdJwt) out.push(...sdJwtView(t, c, width))
  if (t.securityEvents?.length) {
    out.push(section(`Security events (${t.securityEvents.length})`))
    for (const e of t.securityEvents) {
      out.push(...bullet('·', `${e.profile ? `${e.profile} ` : ''}${e.name}${e.meaning ? `: ${e.meaning}` : ' (an event type tokentool does not know)'}`, width))
      if (e.subject) out.push(...wrap(`subject: ${sanitize(e.subject)}`, width - 6).map((l) => `      ${c.dim(l)}`))
      for (const [k, v] of Object.entries(e.details)) out.push(...wrap(`${k}: ${sanitize(formatValue(v))}`, width - 6).map((l) => `      ${c.dim(l)}`))
    }
    out.push('')
  }
  if (t.warnings.length) {
    out.push(section('Warnings'))
    for (const w of t.warnings) out.push(...bullet(c.yellow('!'), w.message, width, c.yellow))
    out.push('')
  }
  if (t.notes.length) {
    out.push(section('Notes'))
    for (const n of t.notes) out.push(...bullet('·', n, width))
    out.push('')
  }
  if (t.nested.length) {
    out.push(section(`Embedded tokens (${t.nested.length})`))
    for (const n of t.nested) out.push(nestedView(n, c, width))
  }
  if (decoded && t.warnings.length + t.nested.length > 0) {
    out.push(...wrap('Signature not verified. Check it and the claims with: tokentool verify', width).map((l) => c.red(l)))
  }
  const text = out.join('\n')
  // blank lines of sections next to each other become one (the test spares the regular expression most views need not)
  return (text.includes('\n\n\n') ? text.replace(/\n{3,}/g, '\n\n') : text).trimEnd() + '\n'
}

/** The disclosures, each matched to where its digest sits, and the key-binding JWT. */
function sdJwtView(t: DecodedToken, c: ChalkInstance, width: number): string[] {
  const sd = t.sdJwt!
  const out = [c.bold.underline(`Disclosures (${sd.disclosures.length}, ${sd.hashAlg})`)]
  for (const d of sd.disclosures) {
    const what = d.name !== undefined ? `${d.name} = ${formatValue(d.value)}` : d.value !== undefined ? `array element ${formatValue(d.value)}` : '(unreadable)'
    const where = d.path ? c.green(`at ${d.path}`) : c.yellow(d.problem ?? 'not matched')
    out.push(...bullet(`${d.index}.`, `${sanitize(what)} — ${where}`, width))
    if (d.path && d.problem) out.push(...wrap(d.problem, width - 6).map((l) => `      ${c.yellow(l)}`))
  }
  if (sd.undisclosed) out.push(c.dim(`  ${sd.undisclosed} more digest${sd.undisclosed === 1 ? '' : 's'} not disclosed here`))
  out.push('')
  if (sd.keyBinding) {
    out.push(c.bold.underline('Key-binding JWT'))
    out.push(headerTable(sd.keyBinding.header, c, width))
    out.push(payloadTable(sd.keyBinding.payload, null, c, width) || c.dim('  (no claims)\n'))
    out.push(`  sd_hash ${sd.keyBinding.sdHash.ok ? c.green('matches this presentation') : c.red('does NOT match this presentation')} · signature ${c.red.bold('NOT VERIFIED')}`, '')
  }
  return out
}

/** Loud in colour, and still unmissable without it. */
function notVerifiedBanner(c: ChalkInstance, width: number): string {
  const text = 'SIGNATURE NOT VERIFIED'
  const tail = 'decoded only: check it with tokentool verify'
  const head = c.level > 0 ? c.bgRed.whiteBright.bold(` ${text} `) : `!! ${text} !!`
  const headWidth = text.length + (c.level > 0 ? 2 : 6)
  if (headWidth + 1 + tail.length <= width) return `${head} ${c.red(tail)}`
  return [head, ...wrap(tail, width - 3).map((l) => `   ${c.red(l)}`)].join('\n')
}

const boldKey = (c: ChalkInstance) => (r: Row): Row => (r[2] ? [{ ...r[0], style: c.bold }, r[1], r[2]] : [{ ...r[0], style: c.bold }, r[1]])

function statusCell(times: TimesResult, c: ChalkInstance): Cell {
  const { exp, nbf } = times.claims
  const lifetime = times.lifetimeSeconds !== undefined ? ` · lifetime ${formatDuration(times.lifetimeSeconds)}` : ''
  const at = ` (at ${times.now})`
  switch (times.state) {
    case 'expired':
      return { text: `EXPIRED ${exp!.relative.replace(/^expired /, '')}${lifetime}${at}`, style: c.red.bold }
    case 'not_yet_valid':
      return { text: `NOT YET VALID: ${nbf!.relative}${lifetime}${at}`, style: c.yellow.bold }
    case 'valid':
      return { text: `valid, ${exp!.relative}${lifetime}${at}`, style: c.green }
    default:
      return { text: `no expiry: no exp claim${at}`, style: c.yellow }
  }
}

function sizeCell(t: DecodedToken, c: ChalkInstance): Cell {
  const over = t.size.budgets.filter((b) => !b.fits).map((b) => b.name)
  const base = `${t.size.bytes} bytes`
  if (over.length === 0) return { text: `${base} · fits the 4 KiB and 8 KiB header budgets` }
  return { text: `${base} · header line ${t.size.headerBytes} bytes: OVER ${over.join(' and ')}`, style: over.length > 1 ? c.red.bold : c.yellow.bold }
}

/** Strings as they are, everything else as compact JSON; embedded JWTs abbreviated (they are decoded below). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return looksLikeCompactJwt(v) ? abbreviateJwt(v) : v
  if (v === undefined) return 'undefined'
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && looksLikeCompactJwt(x) ? abbreviateJwt(x) : x)) ?? String(v)
}

function abbreviateJwt(s: string): string {
  return `${s.slice(0, 12)}… (JWT, ${s.length} chars, decoded below)`
}

export function headerTable(h: JsonObject, c: ChalkInstance, width: number, indent = 2): string {
  const rows: Row[] = Object.entries(h).map(([k, v]) => [{ text: k, style: c.cyan }, { text: formatValue(v) }, noteCell(headerMeaning(k), c)])
  return renderTable(rows, { width, indent, maxValueLines: 4 }).trimEnd()
}

const isTimeClaim = (k: string): k is (typeof TIME_CLAIMS)[number] => (TIME_CLAIMS as readonly string[]).includes(k)

export function payloadTable(p: JsonObject, times: TimesResult | null, c: ChalkInstance, width: number, indent = 2): string {
  const rows: Row[] = Object.entries(p).map(([k, v]) => {
    const t = isTimeClaim(k) ? times?.claims[k] : undefined
    const value: Cell = t ? timeCell(t, c) : { text: formatValue(v) }
    return [{ text: k, style: c.cyan }, value, noteCell(claimMeaning(k), c)]
  })
  return renderTable(rows, { width, indent, maxValueLines: 6 }).trimEnd()
}

const noteCell = (text: string | undefined, c: ChalkInstance): Cell | undefined => (text ? { text, style: c.dim } : undefined)

const TIME_COLOUR: Record<TimeState, (c: ChalkInstance) => (s: string) => string> = {
  expired: (c) => c.red,
  not_yet_valid: (c) => c.yellow,
  valid: (c) => c.green,
  future: (c) => c.yellow,
  past: (c) => (s) => s,
  invalid: (c) => c.red,
}

function timeCell(t: TimeInfo, c: ChalkInstance): Cell {
  const text = t.iso ? `${formatValue(t.value)} · ${t.iso} · ${shortRelative(t)}` : `${formatValue(t.value)} · ${t.relative}`
  return { text, style: TIME_COLOUR[t.state](c) }
}

/** The relative time without the verb the claim name already gives, except where the state matters. */
function shortRelative(t: TimeInfo): string {
  const rel = t.inSeconds === undefined ? t.relative : relative(t.inSeconds)
  switch (t.state) {
    case 'expired':
      return `expired ${rel}`
    case 'not_yet_valid':
      return `NOT YET VALID, ${rel}`
    case 'future':
      return `${rel}, IN THE FUTURE`
    default:
      return rel
  }
}

function bullet(mark: string, text: string, width: number, style: (s: string) => string = (s) => s): string[] {
  return wrap(text, width - 4).map((line, i) => `  ${i === 0 ? mark : ' '} ${style(line)}`)
}

function nestedView(n: NestedToken, c: ChalkInstance, width: number): string {
  const lines: string[] = []
  const label = KIND_LABELS[n.kind]
  const facts = [
    ...(n.depth > 1 ? [`depth ${n.depth}`] : []),
    ...(n.times && n.times.state !== 'no_expiry' ? [statusCell(n.times, c).text.replace(/ \(at .*\)$/, '')] : []),
    ...(n.signature ? [`signature ${n.signature.bytes} bytes, not verified`] : []),
  ]
  const [first, ...rest] = wrap(`${n.path} → ${label}`, width - 2)
  lines.push(`  ${c.bold(first ?? '')}`, ...rest.map((l) => `  ${c.bold(l)}`))
  if (facts.length) lines.push(...wrap(facts.join(' · '), width - 4).map((l) => `    ${c.dim(l)}`))
  lines.push(headerTable(n.header, c, width, 4))
  if (n.payload) lines.push(c.dim('    ──'), payloadTable(n.payload, n.times ?? null, c, width, 4) || c.dim('    (no claims)'))
  else lines.push(c.dim('    (encrypted)'))
  return lines.join('\n') + '\n'
}
