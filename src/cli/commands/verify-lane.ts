/**
 * `verify --batch`'s lane for the common token: a bare compact JWS whose header segment the
 * verifier has seen, whose key is at hand, whose signature node:crypto confirms and whose
 * payload is a claims set with no repeated name. Such a token is verified here with less work
 * than the verifier's whole path (verify.ts), and its line is remembered: tokens of one issuer
 * in the same second mostly differ only in claims that no check reads, so their lines differ only
 * in the line number. Anything else (a malformed segment, a bad signature, another header, a
 * payload that is not such a claims set) is not answered here: the caller asks the verifier,
 * which stays the reference. The lane's line is the verifier's line, byte for byte
 * (test/cli/verify-batch-pool.test.ts, test/unit/verify-lane.test.ts).
 * @module
 */
import { parsePayload, type Verifier, type VerifyLane } from '../../core/jwt/verify.js'
import { isUtf8 } from 'node:buffer'
import { isCanonicalBase64url, MAX_JSON_DEPTH, type JsonObject } from '../../core/jwt/split.js'
import { memberNameCount } from '../../core/jwt/json-duplicates.js'
import { MAX_TOKEN_BYTES } from '../../core/jwt/size.js'
import { normalizeTokenText } from '../../core/token-text.js'
import { batchLine } from '../../render/verify.js'

/** The lane's answer: the line without its `{"line":N` start, and whether the token failed. */
export interface Tail {
  text: string
  /** `text` as UTF-8, for a tail that is remembered (written as bytes, batch after batch). */
  bytes?: Buffer
  failed: boolean
}

/** The whole line of a tail. */
export function laneLine(lineNo: number, tail: Tail): string {
  return `{"line":${lineNo}${tail.text}`
}

interface Lane {
  lane: VerifyLane
  /** The second the tails hold for (the time rows say "in 59m12s"). */
  second: number
  tails: Map<string, Tail>
  /** The last token's exp, nbf, iat, iss, aud and its tail: the next token often has the same. */
  last: { exp: unknown; nbf: unknown; iat: unknown; iss: unknown; aud: unknown; tail: Tail | undefined }
}

const LANES_MAX = 32
// bounded: 32 headers × 64 lines of ~1.3 KB (text and bytes) at most per worker
const TAILS_MAX = 64
const LINE_START = '{"line":0'

/**
 * The lane of one verifier: `lane(text, now)` is the tail of the line `verifyBatchLine` would
 * give (laneLine), or undefined when this token is not the lane's to answer.
 */
export function createVerifyLane(verifier: Verifier): (text: string, now: Date) => Tail | undefined {
  const lanes = new Map<string, Lane>()

  const laneOf = (segment: string): Lane | undefined => {
    const known = lanes.get(segment)
    if (known !== undefined && known.lane.still()) return known
    const lane = verifier.laneFor(segment)
    if (lane === undefined) {
      lanes.delete(segment)
      return undefined
    }
    if (lanes.size >= LANES_MAX) lanes.clear()
    const made: Lane = { lane, second: NaN, tails: new Map(), last: { exp: undefined, nbf: undefined, iat: undefined, iss: undefined, aud: undefined, tail: undefined } }
    lanes.set(segment, made)
    return made
  }

  return (text, now) => {
    const token = normalizeTokenText(text)
    // splitCompact's refusals (too large, not 3 segments) are the verifier's to word
    if (token.length * 3 > MAX_TOKEN_BYTES) return undefined
    const a = token.indexOf('.')
    const b = a < 0 ? -1 : token.indexOf('.', a + 1)
    if (b < 0 || token.indexOf('.', b + 1) !== -1) return undefined
    const entry = laneOf(token.slice(0, a))
    if (entry === undefined) return undefined
    const payloadSegment = token.slice(a + 1, b)
    const signatureSegment = token.slice(b + 1)
    if (!isCanonicalBase64url(payloadSegment) || !isCanonicalBase64url(signatureSegment)) return undefined

    // the claims as the verifier reads them (canonicalClaims, else its own parsePayload); a
    // claims set with a name repeated, text, bytes that are not UTF-8 and JSON too deep (which
    // it refuses) are the verifier's to word
    const bytes = Buffer.from(payloadSegment, 'base64url')
    let claims = canonicalClaims(bytes)
    if (claims === undefined) {
      let payload: ReturnType<typeof parsePayload>
      try {
        payload = parsePayload(bytes)
      } catch {
        return undefined
      }
      if (payload.claims === undefined || memberNameCount(payload.text!) !== payload.members) return undefined
      claims = payload.claims as JsonObject
    }

    let valid: boolean
    try {
      valid = entry.lane.check(Buffer.from(token.slice(0, b), 'latin1'), Buffer.from(signatureSegment, 'base64url'))
    } catch {
      return undefined
    }
    // a signature node:crypto does not confirm gets jose's word for it
    if (!valid) return undefined

    return tailOf(entry, claims, now)
  }
}

/**
 * The claims set of a payload written as JSON.stringify writes one, as parsePayload reads it:
 * UTF-8 text, a JSON object nested no deeper than MAX_JSON_DEPTH (it has no more opening
 * brackets than that) and with no name repeated (JSON.stringify writes each member once, so text
 * it gives back unchanged repeats none). Undefined for any other payload: parsePayload's walk
 * and the count of its names then decide. Most issuers write their claims so; the two checks
 * here are native code, where the walk and the count are loops for V8 to compile in each worker.
 */
function canonicalClaims(bytes: Buffer): JsonObject | undefined {
  if (!isUtf8(bytes)) return undefined
  const text = bytes.toString('utf8')
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !fewOpenings(text) || JSON.stringify(v) !== text) return undefined
  return v as JsonObject
}

/** At most MAX_JSON_DEPTH opening brackets, `{` and `[` counted together. */
function fewOpenings(text: string): boolean {
  let n = 0
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > MAX_JSON_DEPTH) return false
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > MAX_JSON_DEPTH) return false
  return true
}

/**
 * The line's tail for these claims, remembered for this second when the claims rows' inputs make
 * a key: the rows read exp, nbf, iat, iss and aud, and no other claim unless --sub, --scope,
 * --claim or --max-age asks (then nothing is remembered).
 */
function tailOf(entry: Lane, claims: JsonObject, now: Date): Tail {
  const o = entry.lane.options
  if (o.sub !== undefined || o.scopes !== undefined || o.claims !== undefined || o.maxAge !== undefined) return makeTail(entry.lane, claims, now)
  const second = Math.floor(now.getTime() / 1000)
  const last = entry.last
  if (entry.second !== second) {
    entry.second = second
    entry.tails.clear()
    last.tail = undefined
  }
  const { exp, nbf, iat, iss, aud } = claims
  // the same values as the last token's (keyable ones only: a key stands for them)
  if (last.tail !== undefined && exp === last.exp && nbf === last.nbf && iat === last.iat && iss === last.iss && aud === last.aud) return last.tail
  const key = claimsKey(exp, nbf, iat, iss, aud)
  if (key === undefined) return makeTail(entry.lane, claims, now)
  let tail = entry.tails.get(key)
  if (tail === undefined) {
    if (entry.tails.size >= TAILS_MAX) entry.tails.clear()
    tail = makeTail(entry.lane, claims, now)
    tail.bytes = Buffer.from(tail.text, 'utf8')
    entry.tails.set(key, tail)
  }
  last.exp = exp
  last.nbf = nbf
  last.iat = iat
  last.iss = iss
  last.aud = aud
  last.tail = tail
  return tail
}

function makeTail(lane: VerifyLane, claims: JsonObject, now: Date): Tail {
  const r = lane.result(claims, now)
  return { text: batchLine(0, r).slice(LINE_START.length), failed: !r.valid }
}

/**
 * exp, nbf and iat (safe integers other than 0, or absent), iss (a string or absent) and aud (a
 * string, a list of strings or absent) as one string that no other values give; undefined for
 * any other value (no tail is remembered for it).
 */
function claimsKey(exp: unknown, nbf: unknown, iat: unknown, iss: unknown, aud: unknown): string | undefined {
  if (!timeKeyable(exp) || !timeKeyable(nbf) || !timeKeyable(iat)) return undefined
  if (iss !== undefined && typeof iss !== 'string') return undefined
  const audKey = audienceKey(aud)
  if (audKey === undefined) return undefined
  // iss carries its length, so that where it ends is known; aud comes last
  return `${exp ?? ''},${nbf ?? ''},${iat ?? ''},${iss === undefined ? '-' : `${iss.length}:${iss}`},${audKey}`
}

/** aud as a key: `-` when absent, `+` and the string, or `[` and each string with its length. */
function audienceKey(aud: unknown): string | undefined {
  if (aud === undefined) return '-'
  if (typeof aud === 'string') return `+${aud}`
  if (!Array.isArray(aud)) return undefined
  let key = '['
  for (const a of aud) {
    if (typeof a !== 'string') return undefined
    key += `${a.length}:${a}`
  }
  return key
}

// 0 is left out with -0, which `===` (the last token's comparison) would take for it
function timeKeyable(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v !== 0)
}
