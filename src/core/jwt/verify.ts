/**
 * Verifies one compact JWS against a key source: alg policy from the key, key selection by
 * `kid`, signature by jose (`compactVerify` with `algorithms` pinned; a valid signature of the
 * common algorithms is recognised by node:crypto first, node-signature.ts), then the checklist of
 * verify-checks.ts. No I/O of its own: remote keys come through the injected KeySource.
 * A verifier is built once and reused (the `--batch` path), so options are resolved once.
 * @module
 */
import type { CryptoKey } from 'jose'
import { nodeSignatureValid } from './node-signature.js'
import { InputError } from '../../errors.js'
import { assertJsonDepth, decodeBase64url, decodeJsonSegment, decodeUtf8, segmentLabel, splitCompact, type JsonObject } from './split.js'
import { allowedAlgorithms, decideAlg, isNoneAlg, type KeyDescriptor } from './alg-policy.js'
import { computeChecks, type Check, type CheckOptions, type SignatureOutcome } from './verify-checks.js'
import { hmacKeyWarning } from '../keys/screen.js'
import { duplicateMembers } from './json-duplicates.js'

/** One key that may verify a token; key material is imported lazily, once per algorithm. */
export interface VerifyKey {
  descriptor: KeyDescriptor
  kid?: string
  /** How to name it to a person: `kid "abc" from https://…/jwks`, `RSA public key from pub.pem`. */
  label: string
  /** An HMAC secret's length in bytes, for the RFC 7518 §3.2 minimum. */
  secretBytes?: number
  material(alg: string): Promise<CryptoKey | Uint8Array>
}

export interface KeyLookup {
  keys: VerifyKey[]
  /** Why no key matched, or a note such as "refetched the JWKS after an unknown kid". */
  note?: string
}

/** Where keys come from: a file, a secret, a JWKS URL (with rotation), an issuer. */
export interface KeySource {
  /** The keys that may have signed a token with this header (matched by `kid` when it has one). */
  lookup(header: JsonObject): Promise<KeyLookup>
}

export interface VerifyOptions extends CheckOptions {
  /** `--alg`: narrows what the key allows; never widens it. */
  algorithms?: readonly string[]
}

export interface VerifyResult {
  valid: boolean
  checks: Check[]
  header: JsonObject
  /** The claims, the payload text when it is not JSON, or base64url when it is not UTF-8 text. */
  payload: unknown
  /** About this token's key (a short HMAC secret); absent or empty when there is nothing to say. */
  warnings?: string[]
}

export type Verifier = (token: string, now: Date) => Promise<VerifyResult>

const NOT_CHECKED = 'not checked: the algorithm was rejected'
const HEADER_CACHE_MAX = 32

/**
 * Builds a verifier for `source` and `options`. Throws InputError (exit 2) from the returned
 * function when the token is not a compact JWS at all.
 */
export function createVerifier(source: KeySource, options: VerifyOptions): Verifier {
  // Tokens of one issuer share their header segment byte for byte: parse each one once, and
  // look for its duplicate members once
  const headers = new Map<string, { header: JsonObject; duplicates: string[] }>()
  const parseHeader = (segment: string): { header: JsonObject; duplicates: string[] } => {
    let h = headers.get(segment)
    if (h === undefined) {
      const header = decodeJsonSegment(segment, segmentLabel(0, 'jws'))
      const duplicates = duplicateMembers(decodeUtf8(decodeBase64url(segment, segmentLabel(0, 'jws')), segmentLabel(0, 'jws'))).map((d) => `header: ${d}`)
      h = { header, duplicates }
      if (headers.size >= HEADER_CACHE_MAX) headers.clear()
      headers.set(segment, h)
    }
    return h
  }
  const requested = options.algorithms && options.algorithms.length > 0 ? options.algorithms : undefined

  return async (token, now) => {
    const split = splitCompact(token)
    if (split.format === 'jwe') {
      throw new InputError('this is an encrypted token (JWE, 5 segments): verify checks signed tokens (JWS); use decode to see its header')
    }
    const [h, p, sig] = split.segments
    const { header, duplicates: headerDuplicates } = parseHeader(h)
    // Every segment is checked as strictly as decode checks it, before jose sees the token: a
    // JWS that is not canonical base64url is malformed (exit 2), whatever jose would tolerate.
    decodeBase64url(sig, segmentLabel(2, 'jws'))
    const ownPayload = header.b64 === false ? new TextEncoder().encode(p) : decodeBase64url(p, segmentLabel(1, 'jws'))
    const warnings: string[] = []
    const outcome = await checkSignature(token, header, source, requested, warnings)
    const payload = parsePayload(ownPayload)
    const duplicates = [...headerDuplicates, ...(payload.claims !== undefined ? duplicateMembers(payload.text!).map((d) => `payload: ${d}`) : [])]
    const checks = computeChecks({ header, payload: payload.claims, outcome, options, now, duplicates })
    if (payload.binary !== undefined) {
      checks.push({ name: 'payload', ok: true, skipped: true, detail: `not UTF-8 text (${ownPayload.length} bytes): shown as base64url; ${outcome.signature.ok ? 'the signature over it is valid' : 'nothing about it was verified'}` })
    }
    let valid = true
    for (const c of checks) if (!c.ok) valid = false
    return { valid, checks, header, payload: payload.claims ?? payload.text ?? payload.binary, warnings }
  }
}

async function checkSignature(
  token: string,
  header: JsonObject,
  source: KeySource,
  requested: readonly string[] | undefined,
  warnings: string[],
): Promise<SignatureOutcome> {
  const alg = header.alg
  if (typeof alg !== 'string' || isNoneAlg(alg)) {
    return { alg: decideAlg(alg, []), key: { ok: false, detail: 'not looked up: the algorithm was rejected' }, signature: { ok: false, detail: NOT_CHECKED } }
  }
  const lookup = await source.lookup(header)
  const note = lookup.note ? ` (${lookup.note})` : ''
  if (lookup.keys.length === 0) {
    const kid = typeof header.kid === 'string' ? `no key with kid "${header.kid}"` : 'no key'
    return {
      alg:
        requested && !requested.includes(alg)
          ? { ok: false, detail: `${alg} is not in the --alg list (${requested.join(', ')})` }
          : { ok: true, detail: `${alg} (no key found to check it against)` },
      key: { ok: false, detail: `${kid} in the key source${note}` },
      signature: { ok: false, detail: 'not checked: no key' },
    }
  }
  const decision = algDecision(lookup.keys, alg, requested)
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const twins = kid === undefined ? 0 : lookup.keys.filter((k) => k.kid === kid).length
  if (twins > 1) {
    // Wycheproof DuplicateKid: which key the token names is ambiguous, so none is used
    return { alg: decision, key: { ok: false, detail: `${twins} keys in the key source share the kid "${kid}": ambiguous, so none is used${note}` }, signature: { ok: false, detail: 'not checked: the key is ambiguous' } }
  }
  if (!decision.ok) {
    return { alg: decision, key: { ok: false, detail: `${lookup.keys.map((k) => k.label).join('; ')} cannot verify ${alg}` }, signature: { ok: false, detail: NOT_CHECKED } }
  }
  const usable = usableKeys(lookup.keys, alg, requested)
  const critOption = critNames(header)
  let failure = 'the signature does not match the key'
  for (const key of usable) {
    try {
      const material = await key.material(alg)
      // node:crypto, synchronously, where it says exactly what jose would (the batch's speed);
      // anything else, and every failure with its jose message, is jose's
      if (critOption !== undefined || header.b64 === false || !nodeSignatureValid(alg, material, token)) {
        // jose only here, loaded on first use: a run whose signatures node:crypto takes never loads it
        jose ??= await import('jose')
        await jose.compactVerify(token, material, { algorithms: [alg], crit: critOption })
      }
      const short = key.secretBytes !== undefined ? hmacKeyWarning(alg, key.secretBytes) : undefined
      if (short) warnings.push(short)
      return { alg: decision, key: { ok: true, detail: key.label + note }, signature: { ok: true, detail: `valid ${alg} signature` } }
    } catch (e) {
      failure = describeJoseFailure(e, failure)
    }
  }
  const tried = usable.length === 1 ? usable[0]!.label : `${usable.length} keys (${usable.map((k) => k.label).join('; ')})`
  return { alg: decision, key: { ok: true, detail: tried + note }, signature: { ok: false, detail: failure } }
}

// A key source that answers with the same keys array for the same kid (a file's, a secret) gets
// its algorithm decision and usable keys worked out once per algorithm, not once per token; the
// plan is per algorithm and --alg list.
const plans = new WeakMap<readonly VerifyKey[], Map<string, { decision: ReturnType<typeof decideAlg>; usable?: VerifyKey[] }>>()

function planFor(keys: readonly VerifyKey[], alg: string, requested: readonly string[] | undefined): { decision: ReturnType<typeof decideAlg>; usable?: VerifyKey[] } {
  let byAlg = plans.get(keys)
  if (byAlg === undefined) plans.set(keys, (byAlg = new Map()))
  const key = requested ? `${alg}\n${requested.join(',')}` : alg
  let plan = byAlg.get(key)
  if (plan === undefined) byAlg.set(key, (plan = { decision: decideAlg(alg, keys.map((k) => k.descriptor), requested) }))
  return plan
}

function algDecision(keys: readonly VerifyKey[], alg: string, requested: readonly string[] | undefined): ReturnType<typeof decideAlg> {
  return planFor(keys, alg, requested).decision
}

function usableKeys(keys: readonly VerifyKey[], alg: string, requested: readonly string[] | undefined): VerifyKey[] {
  const plan = planFor(keys, alg, requested)
  return (plan.usable ??= keys.filter((k) => allowedAlgorithms(k.descriptor, requested).includes(alg)))
}

/** Lets jose compute the signature even with a `crit` header: the crit check is a row of its own. */
function critNames(header: JsonObject): Record<string, boolean> | undefined {
  if (!Array.isArray(header.crit)) return undefined
  const out: Record<string, boolean> = {}
  for (const c of header.crit) if (typeof c === 'string') out[c] = true
  return out
}

let jose: typeof import('jose') | undefined

function describeJoseFailure(e: unknown, fallback: string): string {
  if (jose !== undefined && e instanceof jose.errors.JWSSignatureVerificationFailed) return fallback
  if (e instanceof Error) return `cannot verify: ${e.message}`
  return fallback
}

/**
 * The payload as claims, or as text when it is not a JSON object. JSON nested deeper than
 * decode accepts is malformed here too (exit 2): the same limit in every command.
 */
export function parsePayload(bytes: Uint8Array): { claims?: unknown; text?: string; binary?: string } {
  const label = segmentLabel(1, 'jws')
  let text: string
  try {
    text = decodeUtf8(bytes, label)
  } catch {
    // a JWS may sign any bytes (RFC 7515): not text, so no claims; the signature still counts
    return { binary: Buffer.from(bytes).toString('base64url') }
  }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    // not JSON: RFC 7520's examples sign plain text; the claims checks report "not applicable"
    return { text }
  }
  assertJsonDepth(v, label)
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { claims: v, text }
  return { text }
}
