/**
 * Inspect: paste a token (not echoed), see the decode view, then walk it — a claim's value and
 * meaning, into objects and arrays, into an embedded token, verify it against an issuer, save
 * the decoded JSON. The views are decode's and verify's own.
 * @module
 */
import { writeFile, rename, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join, resolve } from 'node:path'
import { decodeToken, type DecodedToken } from '../core/jwt/decode.js'
import { claimMeaning, headerMeaning } from '../core/jwt/claims-glossary.js'
import { looksLikeCompactJwt } from '../core/jwt/nested.js'
import { TIME_CLAIMS, describeTime, type TimeClaim } from '../core/jwt/times.js'
import { printable } from '../core/printable.js'
import { decodedJson, formatValue, humanView } from '../render/decode.js'
import { truncate } from '../render/table.js'
import { wrapText, type Span } from '../render/wrap.js'
import { BACK } from './prompter.js'
import { chooseToken } from './choose-token.js'
import { shortToken, type KnownToken, type Session } from './session.js'
import { verifyToken } from './verify.js'

/** The inspect flow; `given` skips the paste (`tokentool inspect TOKEN`, "inspect the token just obtained"). */
export async function inspectFlow(s: Session, given?: KnownToken): Promise<void> {
  const token = given ?? (await chooseToken(s, 'Inspect which token?'))
  if (token === BACK) return
  s.lastToken = token
  await walkToken(s, token)
}

async function walkToken(s: Session, token: KnownToken, depth = 0): Promise<void> {
  const io = s.deps.io
  let t: DecodedToken
  try {
    t = decodeToken(token.text, { now: s.deps.now() })
  } catch (e) {
    s.prose([{ text: `tokentool: ${e instanceof Error ? e.message : String(e)}`, style: s.style.red }], { rest: '  ' })
    return
  }
  io.out.write(humanView(t, s.style, io.columns))
  const embedded = t.payload ? embeddedTokens(t.payload) : []
  for (;;) {
    type Step = 'claim' | 'header' | 'view' | 'embedded' | 'verify' | 'save' | 'introspect'
    const choices = [
      ...(t.payload ? [{ name: 'Walk the claims: value and meaning', value: 'claim' as Step }] : []),
      ...(t.header ? [{ name: 'Walk the header', value: 'header' as Step }] : []),
      ...(embedded.length > 0 ? [{ name: `Open an embedded token (${embedded.length})`, value: 'embedded' as Step }] : []),
      ...(t.format === 'jws' ? [{ name: 'Verify it (issuer, JWKS, key file or secret)', value: 'verify' as Step }] : []),
      // an opaque token means something only to its server
      ...(t.format === 'opaque' && s.has('introspect') ? [{ name: 'Ask the server about it (introspect)', value: 'introspect' as Step }] : []),
      ...(t.payload || t.header ? [{ name: 'Save the decoded JSON to a file', value: 'save' as Step }] : []),
      { name: 'Show the decoded view again', value: 'view' as Step },
    ]
    const where = depth > 0 ? ` (embedded, ${token.label})` : ''
    const step = await s.prompt.select<Step>(`${t.kindInfo.label}${where}: what next?`, choices)
    if (step === BACK) return
    if (step === 'view') io.out.write(humanView(t, s.style, io.columns))
    if (step === 'claim') await walkObject(s, t.payload!, '', 'claim')
    if (step === 'header') await walkObject(s, t.header!, '', 'header')
    if (step === 'embedded') {
      const pick = await s.prompt.select(
        'Which embedded token?',
        embedded.map((e) => ({ name: `${e.path}: ${shortToken(e.text)}`, value: e })),
      )
      if (pick !== BACK) await walkToken(s, { text: pick.text, label: `claim ${pick.path}` }, depth + 1)
    }
    if (step === 'verify') await verifyToken(s, token, typeof t.payload?.iss === 'string' ? t.payload.iss : undefined)
    if (step === 'save') await saveJson(s, t)
    if (step === 'introspect') await (await import('./introspect.js')).introspectFlow(s, token)
  }
}

/** Walks an object or array: pick a member to see it; objects and arrays open, JWT strings decode. */
async function walkObject(s: Session, obj: Record<string, unknown> | unknown[], path: string, what: 'claim' | 'header'): Promise<void> {
  let last: string | undefined
  for (;;) {
    const entries: [string, unknown][] = Array.isArray(obj) ? obj.map((v, i) => [String(i), v]) : Object.entries(obj)
    const timeNote = (k: string, v: unknown) =>
      what === 'claim' && path === '' && (TIME_CLAIMS as readonly string[]).includes(k) ? ` · ${describeTime(k as TimeClaim, v, s.deps.now()).relative}` : ''
    const label = (k: string) => (Array.isArray(obj) ? `${path}[${k}]` : path ? `${path}.${k}` : k)
    const width = Math.max(20, s.deps.io.columns - 10)
    const pick = await s.prompt.select(
      path ? `${path}: pick a member` : what === 'claim' ? 'Pick a claim' : 'Pick a header parameter',
      entries.map(([k, v]) => ({ name: truncate(`${printable(k).padEnd(10)} ${preview(v)}${timeNote(k, v)}`, width), value: k })),
      last !== undefined ? { default: last } : {},
    )
    if (pick === BACK) return
    last = pick
    const value = Array.isArray(obj) ? obj[Number(pick)] : obj[pick]
    const full = label(pick)
    if (opens(value)) {
      showMember(s, full, pick, value, what, path === '')
      await walkObject(s, value as Record<string, unknown>, full, what)
      continue
    }
    showMember(s, full, pick, value, what, path === '')
    if (typeof value === 'string' && looksLikeCompactJwt(value)) {
      const go = await s.prompt.confirm('This value is a token itself: open it?', true)
      if (go === true) await walkToken(s, { text: value, label: `claim ${full}` }, 1)
    }
  }
}

function showMember(s: Session, path: string, key: string, value: unknown, what: 'claim' | 'header', topLevel: boolean): void {
  const c = s.style
  const lines: string[] = []
  const put = (text: string | Span[], first: string) => lines.push(...wrapText(text, s.deps.io.columns, { first, rest: ' '.repeat(11) }))
  put([{ text: path, style: c.bold }], '')
  const meaning = topLevel ? (what === 'claim' ? claimMeaning(key) : headerMeaning(key)) : undefined
  put(meaning ? meaning : [{ text: "(not a claim tokentool knows; see the issuer's documentation)", style: c.dim }], '  meaning  ')
  if (what === 'claim' && topLevel && (TIME_CLAIMS as readonly string[]).includes(key)) {
    const info = describeTime(key as TimeClaim, value, s.deps.now())
    put(`${info.iso ?? '(not a number of seconds)'} · ${info.relative}`, '  time     ')
  }
  // JSON's own line breaks are layout (each line keeps its indent); the wrapper escapes the rest
  const text =
    typeof value === 'string'
      ? looksLikeCompactJwt(value)
        ? shortToken(value) + ' (a JWT)'
        : printable(value)
      : (JSON.stringify(value, null, 2) ?? String(value))
  put(text, '  value    ')
  s.say(lines.join('\n') + '\n')
}

/** Objects open into their members; arrays only when they hold more than plain values. */
function opens(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false
  if (!Array.isArray(v)) return true
  return v.some((x) => (x !== null && typeof x === 'object') || (typeof x === 'string' && looksLikeCompactJwt(x)))
}

function preview(v: unknown): string {
  if (typeof v === 'string') return printable(looksLikeCompactJwt(v) ? `JWT (${v.length} chars)` : v)
  if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? '' : 's'}] ${printable(formatValue(v))}`
  if (v !== null && typeof v === 'object') return `{${Object.keys(v).length}} ${printable(formatValue(v))}`
  return String(v)
}


/** Every string in the payload that is itself a compact JWT, with its path (depth-first). */
export function embeddedTokens(payload: Record<string, unknown>): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = []
  const visit = (v: unknown, path: string, depth: number) => {
    if (depth > 16 || out.length >= 20) return
    if (typeof v === 'string') {
      if (looksLikeCompactJwt(v)) out.push({ path, text: v })
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`, depth + 1))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k, depth + 1)
  }
  visit(payload, '', 0)
  return out
}

/** Writes decode's --json document: temp file then rename, so a Ctrl-C never leaves half a file. */
async function saveJson(s: Session, t: DecodedToken): Promise<void> {
  const suggested = `${t.kind.replace(/[^a-z0-9]+/gi, '-')}.json`
  const answer = await s.prompt.input('Save to which file?', { default: suggested })
  if (answer === BACK) return
  const file = resolve(s.deps.cwd, answer)
  const { existsSync } = await import('node:fs')
  if (existsSync(file)) {
    const ok = await s.prompt.confirm(`${file} exists: replace it?`, false)
    if (ok !== true) return
  }
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(temp, JSON.stringify(decodedJson(t), null, 2) + '\n', { flag: 'wx', mode: 0o600 })
    await rename(temp, file)
    s.prose([{ text: `Saved the decoded token to ${file}`, style: s.style.green }], { rest: '  ' })
  } catch (e) {
    await rm(temp, { force: true })
    s.prose([{ text: `tokentool: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`, style: s.style.red }], { rest: '  ' })
  }
}
