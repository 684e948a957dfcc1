/**
 * Verifies one compact JWS against a key source: alg policy from the key, key selection by
 * `kid`, signature by jose (`compactVerify` with `algorithms` pinned; a valid signature of the
 * common algorithms is recognised by node:crypto first, node-signature.ts), then the checklist of
 * verify-checks.ts. No I/O of its own: remote keys come through the injected KeySource.
 * A verifier is built once and reused (the `--batch` path), so options are resolved once.
 * @module
 */
import type { CryptoKey } from 'jose'
import { nodeSignatureCheck, nodeSignatureValid, type SignatureCheck } from './node-signature.js'
import { InputError } from '../../errors.js'
import { checkBase64url, jsonShape, MAX_JSON_DEPTH, decodeBase64url, decodeJsonSegment, decodeUtf8, segmentLabel, splitCompact, type JsonObject } from './split.js'
import { allowedAlgorithms, decideAlg, isNoneAlg, type KeyDescriptor } from './alg-policy.js'
import { computeChecks, type Check, type CheckOptions, type SignatureOutcome } from './verify-checks.js'
import { hmacKeyWarning } from '../keys/screen.js'
import { duplicateMembers, memberNameCount } from './json-duplicates.js'

/** One key that may verify a token; key material is imported lazily, once per algorithm. */
export interface VerifyKey {
  descriptor: KeyDescriptor
  kid?: string
  /** How to name it to a person: `kid "abc" from https://…/jwks`, `RSA public key from pub.pem`. */
  label: string
  /** An HMAC secret's length in bytes, for the RFC 7518 §3.2 minimum. */
  secretBytes?: number
  material(alg: string): Promise<CryptoKey | Uint8Array>
  /** The material, when it is already imported for `alg` (else undefined: ask `material`). */
  materialAtHand?(alg: string): CryptoKey | Uint8Array | undefined
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
  /** The same answer, when it is at hand without waiting (a fixed set); else undefined. */
  lookupAtHand?(header: JsonObject): KeyLookup | undefined
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

export interface Verifier {
  (token: string, now: Date): Promise<VerifyResult>
  /**
   * The same result without waiting, when everything it needs is at hand: the key source
   * answers at once, the key is imported and node:crypto confirms the signature (the batch's
   * common case: no promise per token); otherwise undefined, and the caller awaits the
   * verifier. Throws what the verifier would for a token that is not a compact JWS.
   */
  atHand(token: string, now: Date): VerifyResult | undefined
  /**
   * What every token with this header segment shares, when its key is at hand and node:crypto
   * answers for it (verify-lane.ts, `verify --batch`'s lane for the common token); undefined
   * otherwise, and such tokens go through the verifier.
   */
  laneFor(headerSegment: string): VerifyLane | undefined
}

/**
 * The part of verifying a token that depends on its header segment alone, worked out once for
 * the tokens that share it: the header, its key, the outcome when that key verifies the
 * signature. `still()` says whether the key source still answers this header with the same keys
 * (a remote set may have rotated); `result` is the verifier's result for a token of this lane
 * whose signature `check` confirmed and whose payload is the claims set `claims`, with no name
 * repeated in it.
 */
export interface VerifyLane {
  check: NonNullable<SignatureCheck>
  still(): boolean
  result(claims: JsonObject, now: Date): VerifyResult
  /** The verifier's options: what the claims rows depend on. */
  options: VerifyOptions
}

const NOT_CHECKED = 'not checked: the algorithm was rejected'
// the names in a malformed segment's error, made once (verify --batch checks every token's segments)
const PAYLOAD_LABEL = segmentLabel(1, 'jws')
const SIGNATURE_LABEL = segmentLabel(2, 'jws')
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

  /** What every path does first: the segments, strictly decoded (InputError, exit 2, when malformed). */
  const prepare = (token: string): { header: JsonObject; headerDuplicates: string[]; ownPayload: Uint8Array } => {
    const split = splitCompact(token)
    if (split.format === 'jwe') {
      throw new InputError('this is an encrypted token (JWE, 5 segments): verify checks signed tokens (JWS); use decode to see its header')
    }
    const [h, p, sig] = split.segments
    const { header, duplicates: headerDuplicates } = parseHeader(h)
    // Every segment is checked as strictly as decode checks it, before jose sees the token: a
    // JWS that is not canonical base64url is malformed (exit 2), whatever jose would tolerate.
    checkBase64url(sig, SIGNATURE_LABEL)
    const ownPayload = header.b64 === false ? new TextEncoder().encode(p) : decodeBase64url(p, PAYLOAD_LABEL)
    return { header, headerDuplicates, ownPayload }
  }
  const finish = (prepared: ReturnType<typeof prepare>, outcome: SignatureOutcome, warnings: string[], now: Date): VerifyResult => {
    const { header, headerDuplicates, ownPayload } = prepared
    const payload = parsePayload(ownPayload)
    const payloadDuplicates = payload.claims !== undefined ? payloadDuplicatesOf(payload.members!, payload.text!) : NONE
    const duplicates = payloadDuplicates.length === 0 ? headerDuplicates : [...headerDuplicates, ...payloadDuplicates.map((d) => `payload: ${d}`)]
    const checks = computeChecks({ header, payload: payload.claims, outcome, options, now, duplicates })
    return result(checks, header, payload, ownPayload, outcome, warnings)
  }
  const result = (checks: Check[], header: JsonObject, payload: ReturnType<typeof parsePayload>, ownPayload: Uint8Array | undefined, outcome: SignatureOutcome, warnings: string[]): VerifyResult => {
    if (payload.binary !== undefined) {
      checks.push({ name: 'payload', ok: true, skipped: true, detail: `not UTF-8 text (${ownPayload!.length} bytes): shown as base64url; ${outcome.signature.ok ? 'the signature over it is valid' : 'nothing about it was verified'}` })
    }
    let valid = true
    for (const c of checks) if (!c.ok) valid = false
    return { valid, checks, header, payload: payload.claims ?? payload.text ?? payload.binary, warnings }
  }

  const verifier = async (token: string, now: Date): Promise<VerifyResult> => {
    const prepared = prepare(token)
    const warnings: string[] = []
    const outcome = await checkSignature(token, prepared.header, source, requested, warnings)
    return finish(prepared, outcome, warnings, now)
  }
  return Object.assign(verifier, {
    atHand(token: string, now: Date): VerifyResult | undefined {
      const prepared = prepare(token)
      const warnings: string[] = []
      const outcome = signatureAtHand(token, prepared.header, source, requested, warnings)
      return outcome === undefined ? undefined : finish(prepared, outcome, warnings, now)
    },
    laneFor(headerSegment: string): VerifyLane | undefined {
      let parsed: { header: JsonObject; duplicates: string[] }
      try {
        parsed = parseHeader(headerSegment)
      } catch {
        return undefined
      }
      const { header, duplicates } = parsed
      // what signatureAtHand leaves to the verifier stays there (crit; b64 in any form: the lane
      // reads the payload as base64url)
      const alg = header.alg
      if (typeof alg !== 'string' || isNoneAlg(alg) || header.crit !== undefined || header.b64 !== undefined) return undefined
      const lookup = source.lookupAtHand?.(header)
      if (lookup === undefined) return undefined
      const plan = planAtHand(alg, header, lookup, requested)
      if (plan.key === undefined || plan.verified === undefined) return undefined
      const material = plan.key.materialAtHand?.(alg)
      const check = material === undefined ? null : nodeSignatureCheck(alg, material)
      if (check === null) return undefined
      const outcome = plan.verified
      const warning = plan.warning
      return {
        check,
        options,
        still: () => source.lookupAtHand!(header) === lookup,
        // finish's result for a claims set with no repeated name (the lane checked that)
        result: (claims, now) =>
          result(computeChecks({ header, payload: claims, outcome, options, now, duplicates }), header, { claims }, undefined, outcome, warning === undefined ? [] : [warning]),
      }
    },
  })
}

const NONE: readonly string[] = []

/** The claims' duplicated names; looked for only when the text names more members than the claims have. */
function payloadDuplicatesOf(members: number, text: string): readonly string[] {
  return memberNameCount(text) === members ? NONE : duplicateMembers(text)
}

/** The outcome for a token whose alg is missing or "none": no key is looked up. */
function rejectedAlg(alg: unknown): SignatureOutcome {
  return { alg: decideAlg(alg, []), key: { ok: false, detail: 'not looked up: the algorithm was rejected' }, signature: { ok: false, detail: NOT_CHECKED } }
}

interface SignaturePlan {
  decision: ReturnType<typeof decideAlg>
  usable: VerifyKey[]
  /** " (refetched the JWKS…)" or "". */
  note: string
}

/**
 * From the keys the source found to either a final outcome (no key, an ambiguous kid, an alg
 * the keys refuse) or the keys to try, in order.
 */
function planSignature(alg: string, header: JsonObject, lookup: KeyLookup, requested: readonly string[] | undefined): SignatureOutcome | SignaturePlan {
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
  const twins = kid === undefined ? 0 : countKid(lookup.keys, kid)
  if (twins > 1) {
    // Wycheproof DuplicateKid: which key the token names is ambiguous, so none is used
    return { alg: decision, key: { ok: false, detail: `${twins} keys in the key source share the kid "${kid}": ambiguous, so none is used${note}` }, signature: { ok: false, detail: 'not checked: the key is ambiguous' } }
  }
  if (!decision.ok) {
    return { alg: decision, key: { ok: false, detail: `${lookup.keys.map((k) => k.label).join('; ')} cannot verify ${alg}` }, signature: { ok: false, detail: NOT_CHECKED } }
  }
  return { decision, usable: usableKeys(lookup.keys, alg, requested), note }
}

function countKid(keys: readonly VerifyKey[], kid: string): number {
  let n = 0
  for (const k of keys) if (k.kid === kid) n++
  return n
}

/** The outcome of a signature `key` verified, with its short-secret warning. */
function verified(plan: SignaturePlan, key: VerifyKey, alg: string, warnings: string[]): SignatureOutcome {
  const short = key.secretBytes !== undefined ? hmacKeyWarning(alg, key.secretBytes) : undefined
  if (short) warnings.push(short)
  return { alg: plan.decision, key: { ok: true, detail: key.label + plan.note }, signature: { ok: true, detail: `valid ${alg} signature` } }
}

/**
 * checkSignature's answer without waiting, or undefined when it would have to wait (a remote
 * lookup, a key not imported yet) or ask jose (crit, b64: false, a signature node:crypto does
 * not confirm). It tries only the first usable key: when that one verifies, the async path
 * stops at it too, so the outcome is the same.
 */
function signatureAtHand(token: string, header: JsonObject, source: KeySource, requested: readonly string[] | undefined, warnings: string[]): SignatureOutcome | undefined {
  const alg = header.alg
  if (typeof alg !== 'string' || isNoneAlg(alg)) return rejectedAlg(alg)
  const lookup = source.lookupAtHand?.(header)
  if (lookup === undefined) return undefined
  const plan = planAtHand(alg, header, lookup, requested)
  if (plan.final !== undefined) return plan.final
  if (plan.key === undefined) return undefined
  const material = plan.key.materialAtHand?.(alg)
  if (material === undefined || !nodeSignatureValid(alg, material, token)) return undefined
  if (plan.warning !== undefined) warnings.push(plan.warning)
  return plan.verified
}

/**
 * What signatureAtHand works out from the header and the keys found, remembered per header
 * (tokens of one issuer share theirs: verify.ts keeps one object per header segment) for as
 * long as the source answers with the same lookup: a final outcome, or the one key to try and
 * the outcome when it verifies (the same object each time: nothing changes an outcome).
 */
interface AtHandPlan {
  lookup: KeyLookup
  requested: readonly string[] | undefined
  final?: SignatureOutcome
  key?: VerifyKey
  verified?: SignatureOutcome
  warning?: string
}
const atHandPlans = new WeakMap<JsonObject, AtHandPlan>()

function planAtHand(alg: string, header: JsonObject, lookup: KeyLookup, requested: readonly string[] | undefined): AtHandPlan {
  const known = atHandPlans.get(header)
  if (known !== undefined && known.lookup === lookup && known.requested === requested) return known
  const plan: AtHandPlan = { lookup, requested }
  const p = planSignature(alg, header, lookup, requested)
  if (!('usable' in p)) plan.final = p
  else if (p.usable[0] !== undefined && header.crit === undefined && header.b64 !== false) {
    // only the first usable key: when it verifies, the async path stops at it too
    const key = p.usable[0]
    const warnings: string[] = []
    plan.key = key
    plan.verified = verified(p, key, alg, warnings)
    plan.warning = warnings[0]
  }
  atHandPlans.set(header, plan)
  return plan
}

async function checkSignature(
  token: string,
  header: JsonObject,
  source: KeySource,
  requested: readonly string[] | undefined,
  warnings: string[],
): Promise<SignatureOutcome> {
  const alg = header.alg
  if (typeof alg !== 'string' || isNoneAlg(alg)) return rejectedAlg(alg)
  const plan = planSignature(alg, header, await source.lookup(header), requested)
  if (!('usable' in plan)) return plan
  const { usable } = plan
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
      return verified(plan, key, alg, warnings)
    } catch (e) {
      failure = describeJoseFailure(e, failure)
    }
  }
  const tried = usable.length === 1 ? usable[0]!.label : `${usable.length} keys (${usable.map((k) => k.label).join('; ')})`
  return { alg: plan.decision, key: { ok: true, detail: tried + plan.note }, signature: { ok: false, detail: failure } }
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
export function parsePayload(bytes: Uint8Array): { claims?: unknown; text?: string; binary?: string; members?: number } {
  const label = PAYLOAD_LABEL
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
  if (typeof v !== 'object' || v === null) return { text }
  // the depth limit of every command (assertJsonDepth), and the members counted in the same walk
  const shape = jsonShape(v)
  if (shape.depth > MAX_JSON_DEPTH) throw new InputError(`${label} is nested more than ${MAX_JSON_DEPTH} levels deep`)
  return Array.isArray(v) ? { text } : { claims: v, text, members: shape.members }
}
