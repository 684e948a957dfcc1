/**
 * The verification checklist: from the decoded token, the outcome of key selection and
 * signature verification, the options and the clock, one row per check with its reason.
 * Pure: time is passed in, nothing is fetched.
 * @module
 */
import { formatDuration } from '../duration.js'
import { isoFromSeconds, MAX_DATE_SECONDS, relative } from '../time.js'
import type { AlgDecision } from './alg-policy.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** The check did not apply (payload not a claims set) or was not asked for; `ok` is true. */
  skipped?: true
}

export interface ClaimRequirement {
  name: string
  value: unknown
}

/** What the user asked to be checked (already parsed and validated by the CLI). */
export interface CheckOptions {
  /** Leeway in seconds for exp, nbf, iat and max-age. */
  clockSkew: number
  iss?: string
  /** The token's `aud` must contain at least one of these. */
  aud?: readonly string[]
  typ?: string
  sub?: string
  /** Every one must be in `scope` (space-separated) or `scp` (string or array). */
  scopes?: readonly string[]
  claims?: readonly ClaimRequirement[]
  /** Seconds: `auth_time` must be no older than this. */
  maxAge?: number
}

export interface SignatureOutcome {
  alg: AlgDecision
  /** Which key was used, or why none could be found. */
  key: { ok: boolean; detail: string }
  signature: { ok: boolean; detail: string }
}

export interface ChecksInput {
  header: Record<string, unknown>
  /** The payload parsed as JSON; `undefined` when it is not JSON (e.g. RFC 7520's plain text). */
  payload: unknown
  outcome: SignatureOutcome
  options: CheckOptions
  now: Date
  /** Member names found twice (json-duplicates.ts), each as `header: alg` or `payload: sub`. */
  duplicates?: readonly string[]
}

/** Header parameters tokentool understands when listed in `crit`. */
const UNDERSTOOD_CRIT = new Set(['b64'])
/** Header parameters that carry or point at a key: never trusted, never fetched. */
const KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const

/**
 * The rows the header alone decides (crit, keys carried in it), remembered per header object:
 * verify.ts keeps one per header segment, and tokens of one issuer share theirs.
 */
function headerRows(header: Record<string, unknown>): readonly Check[] {
  let rows = headerRowsOf.get(header)
  if (rows === undefined) {
    const out: Check[] = []
    const crit = critCheck(header)
    if (crit) out.push(crit)
    const embedded = KEY_HEADERS.filter((h) => header[h] !== undefined)
    if (embedded.length > 0) {
      out.push({
        name: 'header-keys',
        ok: true,
        detail: `ignored ${embedded.join(', ')} in the header: the key comes only from the key source you gave, and jku/x5u are never fetched`,
      })
    }
    headerRowsOf.set(header, (rows = out.map((r) => Object.freeze(r))))
  }
  return rows
}
const headerRowsOf = new WeakMap<Record<string, unknown>, readonly Check[]>()

/** Every check, in a stable order; the token is valid when every row is ok. */
export function computeChecks(input: ChecksInput): Check[] {
  const { header, outcome, options } = input
  const now = Math.floor(input.now.getTime() / 1000)
  const skew = options.clockSkew
  const claims = isClaimsSet(input.payload) ? input.payload : undefined
  const checks: Check[] = signatureRows(outcome).slice()
  if (input.duplicates && input.duplicates.length > 0) {
    // RFC 7515 §5.2 / RFC 7519 §4: a parser may keep the last duplicate, another the first
    checks.push({
      name: 'duplicates',
      ok: false,
      detail: `${input.duplicates.map((d) => `"${d}"`).join(', ')} appear${input.duplicates.length === 1 ? 's' : ''} twice: JSON parsers disagree on which one counts, so the token means different things to different verifiers`,
    })
  }
  for (const row of headerRows(header)) checks.push(row)
  if (options.typ !== undefined) checks.push(typCheck(header, options.typ))

  const notClaims = 'not applicable: the payload is not a JSON claims set'
  if (!claims) {
    for (const name of ['exp', 'nbf', 'iat']) checks.push({ name, ok: true, detail: notClaims, skipped: true })
    const asked: [string, boolean][] = [
      ['iss', options.iss !== undefined],
      ['aud', options.aud !== undefined && options.aud.length > 0],
      ['sub', options.sub !== undefined],
      ['scope', options.scopes !== undefined && options.scopes.length > 0],
      ['max-age', options.maxAge !== undefined],
    ]
    for (const [name, wanted] of asked) {
      if (wanted) checks.push({ name, ok: false, detail: `cannot check ${name}: the payload is not a JSON claims set` })
    }
    for (const c of options.claims ?? []) {
      checks.push({ name: `claim:${c.name}`, ok: false, detail: `cannot check ${c.name}: the payload is not a JSON claims set` })
    }
    return checks
  }

  const memo = rowMemo(options, now)
  checks.push(timeRow(memo.exp, expCheck, claims.exp, now, skew), timeRow(memo.nbf, nbfCheck, claims.nbf, now, skew), timeRow(memo.iat, iatCheck, claims.iat, now, skew))
  checks.push(valueRow(memo.iss, issCheck, claims.iss, options.iss), valueRow(memo.aud, audCheck, claims.aud, options.aud))
  if (options.sub !== undefined) checks.push(equalCheck('sub', claims.sub, options.sub))
  if (options.scopes && options.scopes.length > 0) checks.push(scopeCheck(claims, options.scopes))
  for (const c of options.claims ?? []) checks.push(claimCheck(claims, c))
  if (options.maxAge !== undefined) checks.push(maxAgeCheck(claims.auth_time, options.maxAge, now, skew))
  return checks
}

/*
 * `verify --batch` computes these rows once per token, and tokens of one issuer give the same
 * few: the rows are remembered (and the same objects handed out, frozen: nothing changes a row
 * once made; render/verify.ts knows a remembered row by that), per outcome for the signature's three, per value for a time claim (for the current
 * second and leeway) and for iss and aud (for the options). Bounded: tokens whose values all
 * differ keep memory flat.
 */
const signatureRowsOf = new WeakMap<SignatureOutcome, readonly Check[]>()

function signatureRows(outcome: SignatureOutcome): readonly Check[] {
  let rows = signatureRowsOf.get(outcome)
  if (rows === undefined) {
    rows = [
      Object.freeze({ name: 'alg', ok: outcome.alg.ok, detail: outcome.alg.detail }),
      Object.freeze({ name: 'key', ok: outcome.key.ok, detail: outcome.key.detail }),
      Object.freeze({ name: 'signature', ok: outcome.signature.ok, detail: outcome.signature.detail }),
    ]
    signatureRowsOf.set(outcome, rows)
  }
  return rows
}

interface RowMemo {
  now: number
  exp: Map<unknown, Check>
  nbf: Map<unknown, Check>
  iat: Map<unknown, Check>
  iss: Map<unknown, Check>
  aud: Map<unknown, Check>
}
const memos = new WeakMap<CheckOptions, RowMemo>()
const ROWS_MAX = 256

function rowMemo(options: CheckOptions, now: number): RowMemo {
  let m = memos.get(options)
  if (m === undefined) memos.set(options, (m = { now, exp: new Map(), nbf: new Map(), iat: new Map(), iss: new Map(), aud: new Map() }))
  if (m.now !== now) {
    // the time rows say "in 9h59m": they hold for this second only
    m.now = now
    m.exp.clear()
    m.nbf.clear()
    m.iat.clear()
  }
  return m
}

/** A time claim's row, remembered when the claim is a number (the key of the memo). */
function timeRow(memo: Map<unknown, Check>, make: (v: unknown, now: number, skew: number) => Check, v: unknown, now: number, skew: number): Check {
  if (typeof v !== 'number' && v !== undefined) return make(v, now, skew)
  let row = memo.get(v)
  if (row === undefined) {
    if (memo.size >= ROWS_MAX) memo.clear()
    memo.set(v, (row = Object.freeze(make(v, now, skew))))
  }
  return row
}

/** iss's or aud's row, remembered when the claim is a string or absent (the options are the memo's). */
function valueRow<E>(memo: Map<unknown, Check>, make: (v: unknown, expected: E) => Check, v: unknown, expected: E): Check {
  if (typeof v !== 'string' && v !== undefined) return make(v, expected)
  let row = memo.get(v)
  if (row === undefined) {
    if (memo.size >= ROWS_MAX) memo.clear()
    memo.set(v, (row = Object.freeze(make(v, expected))))
  }
  return row
}

export function isClaimsSet(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function critCheck(header: Record<string, unknown>): Check | undefined {
  const crit = header.crit
  if (crit === undefined) return undefined
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string' && c !== '')) {
    return { name: 'crit', ok: false, detail: '"crit" must be a non-empty array of header parameter names' }
  }
  const unknown = crit.filter((c) => !UNDERSTOOD_CRIT.has(c as string))
  if (unknown.length > 0) {
    return {
      name: 'crit',
      ok: false,
      detail: `"crit" lists ${unknown.map((c) => `"${c}"`).join(', ')}, which tokentool does not understand; a critical extension that is not understood must be rejected (RFC 7515 §4.1.11)`,
    }
  }
  return { name: 'crit', ok: true, detail: `understood: ${crit.join(', ')}` }
}

/** `typ` compared as RFC 7515 §4.1.9 says: case-insensitive, `application/` optional. */
function normalizeMediaType(t: string): string {
  const lower = t.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

function typCheck(header: Record<string, unknown>, expected: string): Check {
  const typ = header.typ
  if (typeof typ !== 'string') return { name: 'typ', ok: false, detail: `no "typ" header, expected "${expected}"` }
  const ok = normalizeMediaType(typ) === normalizeMediaType(expected)
  return { name: 'typ', ok, detail: ok ? `"${typ}"` : `"${typ}", expected "${expected}"` }
}

/** `at` is within the Date range (numericDate checked it). */
function when(at: number, now: number): string {
  // `verify --batch` asks this for every token, mostly for the same few times within one second:
  // the text is remembered for the current `now` (a pure function of at and now, so the same text)
  if (now !== whenNow) {
    whenNow = now
    whenTexts.clear()
  }
  let text = whenTexts.get(at)
  if (text === undefined) {
    const hint = Math.abs(at) >= PLAUSIBLE_SECONDS ? ', milliseconds instead of seconds?' : ''
    text = `${isoFromSeconds(at)} (${relative(Math.round(at) - now)}${hint})`
    if (whenTexts.size >= WHEN_TEXTS_MAX) whenTexts.clear()
    whenTexts.set(at, text)
  }
  return text
}

let whenNow = NaN
const whenTexts = new Map<number, string>()
/** Bounds the remembered texts: tokens with as many different times keep memory flat. */
const WHEN_TEXTS_MAX = 256

/** Beyond this a NumericDate is after the year 5138: most likely milliseconds sent as seconds. */
const PLAUSIBLE_SECONDS = 1e11

/**
 * A time claim's value, or the failed check when it is not a time: not a number, or a number no
 * clock can reach (`1e20`, `-1e20`, `9007199254740993`), which fails rather than being compared.
 */
function numericDate(name: string, v: unknown): Check | number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) return { name, ok: false, detail: `"${name}" is not a NumericDate (a number of seconds): ${JSON.stringify(v) ?? String(v)}` }
  if (Math.abs(v) > MAX_DATE_SECONDS) {
    return { name, ok: false, detail: `"${name}" is ${v}: not a time (a NumericDate must lie within ±${MAX_DATE_SECONDS} seconds of 1970, the years −271821 to 275760)` }
  }
  return v
}

function expCheck(v: unknown, now: number, skew: number): Check {
  const exp = numericDate('exp', v)
  if (typeof exp === 'object') return exp
  if (exp === undefined) return { name: 'exp', ok: true, detail: 'no exp claim: the token does not expire' }
  if (now < exp) return { name: 'exp', ok: true, detail: `expires ${when(exp, now)}` }
  if (now < exp + skew) return { name: 'exp', ok: true, detail: `expired ${when(exp, now)}, within the ${formatDuration(skew)} leeway` }
  return { name: 'exp', ok: false, detail: `expired ${when(exp, now)}, beyond the ${formatDuration(skew)} leeway` }
}

function nbfCheck(v: unknown, now: number, skew: number): Check {
  const nbf = numericDate('nbf', v)
  if (typeof nbf === 'object') return nbf
  if (nbf === undefined) return { name: 'nbf', ok: true, detail: 'no nbf claim' }
  if (nbf <= now) return { name: 'nbf', ok: true, detail: `valid since ${when(nbf, now)}` }
  if (nbf <= now + skew) return { name: 'nbf', ok: true, detail: `valid from ${when(nbf, now)}, within the ${formatDuration(skew)} leeway` }
  return { name: 'nbf', ok: false, detail: `not valid before ${when(nbf, now)}, beyond the ${formatDuration(skew)} leeway` }
}

function iatCheck(v: unknown, now: number, skew: number): Check {
  const iat = numericDate('iat', v)
  if (typeof iat === 'object') return iat
  if (iat === undefined) return { name: 'iat', ok: true, detail: 'no iat claim' }
  if (iat <= now + skew) return { name: 'iat', ok: true, detail: `issued ${when(iat, now)}` }
  return {
    name: 'iat',
    ok: false,
    detail: `issued in the future, ${when(iat, now)}, beyond the ${formatDuration(skew)} leeway: token used before issued (check this machine's clock)`,
  }
}

function issCheck(iss: unknown, expected: string | undefined): Check {
  if (expected === undefined) {
    return { name: 'iss', ok: true, skipped: true, detail: `not checked (no --iss)${typeof iss === 'string' ? `: token says "${iss}"` : ''}` }
  }
  return equalCheck('iss', iss, expected)
}

function audCheck(aud: unknown, expected: readonly string[] | undefined): Check {
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []
  const shown = list.map((a) => `"${a}"`).join(', ')
  if (!expected || expected.length === 0) {
    return { name: 'aud', ok: true, skipped: true, detail: `not checked (no --aud)${list.length ? `: token says ${shown}` : ''}` }
  }
  if (aud === undefined) return { name: 'aud', ok: false, detail: `no aud claim, expected ${expected.map((a) => `"${a}"`).join(' or ')}` }
  const hit = expected.find((e) => list.includes(e))
  if (hit !== undefined) return { name: 'aud', ok: true, detail: `"${hit}"${list.length > 1 ? ` (among ${shown})` : ''}` }
  return { name: 'aud', ok: false, detail: `${shown || JSON.stringify(aud)}, expected ${expected.map((a) => `"${a}"`).join(' or ')}` }
}

function equalCheck(name: string, actual: unknown, expected: string): Check {
  if (actual === undefined) return { name, ok: false, detail: `no ${name} claim, expected "${expected}"` }
  const ok = actual === expected
  return { name, ok, detail: ok ? `"${expected}"` : `${JSON.stringify(actual)}, expected "${expected}"` }
}

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (string or array, Entra/Okta). */
export function tokenScopes(claims: Record<string, unknown>): string[] | undefined {
  const out: string[] = []
  let found = false
  for (const name of ['scope', 'scp']) {
    const v = claims[name]
    if (typeof v === 'string') {
      found = true
      out.push(...v.split(' ').filter(Boolean))
    } else if (Array.isArray(v)) {
      found = true
      for (const s of v) if (typeof s === 'string') out.push(s)
    }
  }
  return found ? out : undefined
}

function scopeCheck(claims: Record<string, unknown>, wanted: readonly string[]): Check {
  const have = tokenScopes(claims)
  if (have === undefined) return { name: 'scope', ok: false, detail: `no scope or scp claim, expected ${wanted.join(' ')}` }
  const missing = wanted.filter((s) => !have.includes(s))
  if (missing.length === 0) return { name: 'scope', ok: true, detail: `has ${wanted.join(' ')}` }
  return { name: 'scope', ok: false, detail: `missing ${missing.join(' ')} (token has: ${have.join(' ') || 'none'})` }
}

/** A claim by name; a dotted name walks into objects when no top-level claim has that name. */
function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name]
  let cur: unknown = claims
  for (const part of name.split('.')) {
    if (!isClaimsSet(cur)) return undefined
    cur = cur[part]
  }
  return cur
}

function claimCheck(claims: Record<string, unknown>, req: ClaimRequirement): Check {
  const name = `claim:${req.name}`
  const actual = claimValue(claims, req.name)
  const want = JSON.stringify(req.value)
  if (actual === undefined) return { name, ok: false, detail: `no ${req.name} claim, expected ${want}` }
  if (deepEqual(actual, req.value)) return { name, ok: true, detail: want }
  // A scalar expectation is met by an array that contains it ("groups=admin").
  if (Array.isArray(actual) && !Array.isArray(req.value) && actual.some((a) => deepEqual(a, req.value))) {
    return { name, ok: true, detail: `contains ${want}` }
  }
  return { name, ok: false, detail: `${JSON.stringify(actual)}, expected ${want}` }
}

function maxAgeCheck(v: unknown, maxAge: number, now: number, skew: number): Check {
  const at = numericDate('auth_time', v)
  if (typeof at === 'object') return { ...at, name: 'max-age' }
  if (at === undefined) return { name: 'max-age', ok: false, detail: 'no auth_time claim, so --max-age cannot be checked' }
  const age = now - at
  const ok = age <= maxAge + skew
  const detail = `authenticated ${relative(-Math.round(age))} (${isoFromSeconds(at)}), ${ok ? 'within' : 'more than'} --max-age ${formatDuration(maxAge)}${ok ? '' : ` plus ${formatDuration(skew)} leeway`}`
  return { name: 'max-age', ok, detail }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
