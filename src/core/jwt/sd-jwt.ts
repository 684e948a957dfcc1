/**
 * SD-JWT (RFC 9901, Selective Disclosure for JWTs): `<issuer JWT>~<disclosure>~...~[<KB-JWT>]`.
 * Each disclosure (base64url JSON `[salt, name, value]` for an object property, `[salt, value]`
 * for an array element) is decoded and matched to its digest in an `_sd` array (or a
 * `{"...": digest}` array element) of the issuer JWT, hashed with `_sd_alg` (default sha-256).
 * The key-binding JWT's `sd_hash` is checked against the presentation it ends. Nothing is
 * verified cryptographically here (that needs the issuer's and the holder's keys). Pure.
 * @see https://www.rfc-editor.org/rfc/rfc9901
 * @module
 */

/** node:crypto, loaded at the first digest: a decode of any other token does not pay for it (start-up, bench/startup.js). */
let nodeCrypto: typeof import('node:crypto') | undefined
const createHash = (alg: string) => (nodeCrypto ??= process.getBuiltinModule('node:crypto')).createHash(alg)
import { assertJsonDepth, decodeBase64url, decodeJsonSegment, decodeUtf8, type JsonObject } from './split.js'

export interface Disclosure {
  /** Position among the disclosures (1-based), as in the presentation. */
  index: number
  /** base64url of the hash of the disclosure as sent. */
  digest: string
  salt: string | null
  /** The claim name; absent for an array element. */
  name?: string
  value?: unknown
  /** Where its digest was found: `$.address.street` or `$.nationalities[1]`; null when nowhere. */
  path: string | null
  /** Why it could not be read. */
  problem?: string
}

export interface KeyBinding {
  header: JsonObject
  payload: JsonObject
  /** The `sd_hash` it carries against the hash of the presentation it ends. */
  sdHash: { expected: string; actual: string | null; ok: boolean }
}

export interface SdJwtInfo {
  /** The hash named by `_sd_alg` (`sha-256` when absent). */
  hashAlg: string
  disclosures: Disclosure[]
  /** Digests in the issuer JWT no disclosure here matches (undisclosed claims, or decoys). */
  undisclosed: number
  keyBinding: KeyBinding | null
  /** The payload with every matched disclosure put in place (`_sd`/`_sd_alg` removed). */
  disclosedPayload: JsonObject
  warnings: string[]
}

export interface SdJwtParts {
  issuerJwt: string
  disclosures: string[]
  /** The key-binding JWT, when the presentation ends with one. */
  keyBinding: string | null
  /** The presentation up to and including the `~` before the KB-JWT (what `sd_hash` covers). */
  signedPart: string
}

/** Splits `jwt~d1~d2~[kb]`; undefined when `text` has no `~`. */
export function splitSdJwt(text: string): SdJwtParts | undefined {
  if (!text.includes('~')) return undefined
  const pieces = text.split('~')
  const issuerJwt = pieces[0]!
  const last = pieces[pieces.length - 1]!
  const disclosures = pieces.slice(1, -1)
  const keyBinding = last === '' ? null : last
  const signedPart = text.slice(0, text.length - last.length)
  return { issuerJwt, disclosures, keyBinding, signedPart }
}

// a Map: _sd_alg comes from the token, where "constructor" must not name a hash
const HASHES: ReadonlyMap<string, string> = new Map([['sha-256', 'sha256'], ['sha-384', 'sha384'], ['sha-512', 'sha512'], ['sha3-256', 'sha3-256'], ['sha3-512', 'sha3-512']])
const MAX_DISCLOSURES = 1000

function hash(alg: string, text: string): string {
  return createHash(HASHES.get(alg)!).update(text, 'ascii').digest('base64url')
}

/** Every digest of the payload with its place: `_sd` arrays and `{"...": digest}` array elements. */
function digestPlaces(payload: unknown): Map<string, { path: string; container: JsonObject | unknown[]; key: string | number; array: boolean }> {
  const out = new Map<string, { path: string; container: JsonObject | unknown[]; key: string | number; array: boolean }>()
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 32 || v === null || typeof v !== 'object') return
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        if (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && typeof (x as JsonObject)['...'] === 'string') {
          out.set((x as JsonObject)['...'] as string, { path: `${path}[${i}]`, container: v, key: i, array: true })
        } else walk(x, `${path}[${i}]`, depth + 1)
      })
      return
    }
    const o = v as JsonObject
    if (Array.isArray(o._sd)) for (const d of o._sd) if (typeof d === 'string') out.set(d, { path, container: o, key: '', array: false })
    for (const [k, x] of Object.entries(o)) if (k !== '_sd') walk(x, path === '$' ? `$.${k}` : `${path}.${k}`, depth + 1)
  }
  walk(payload, '$', 0)
  return out
}

/**
 * Decodes the disclosures and the KB-JWT of an SD-JWT whose issuer JWT has `payload`.
 * Problems (a disclosure that is not base64url JSON, an unknown `_sd_alg`, an `sd_hash` that
 * does not match) are warnings, never exceptions.
 */
export function analyzeSdJwt(payload: JsonObject, parts: SdJwtParts): SdJwtInfo {
  const warnings: string[] = []
  const named = typeof payload._sd_alg === 'string' ? payload._sd_alg.toLowerCase() : 'sha-256'
  const hashAlg = HASHES.has(named) ? named : 'sha-256'
  if (!HASHES.has(named)) warnings.push(`_sd_alg "${String(payload._sd_alg)}" is not a hash tokentool knows; digests were computed with sha-256 and may not match`)
  const disclosed: JsonObject = structuredClone(payload)
  const places = digestPlaces(disclosed)
  const total = places.size
  const disclosures: Disclosure[] = []
  const seen = new Set<string>()
  for (const [i, text] of parts.disclosures.slice(0, MAX_DISCLOSURES).entries()) {
    const d: Disclosure = { index: i + 1, digest: hash(hashAlg, text), salt: null, path: null }
    disclosures.push(d)
    if (text === '') {
      d.problem = 'empty disclosure (two ~ in a row)'
      continue
    }
    let arr: unknown
    try {
      arr = JSON.parse(decodeUtf8(decodeBase64url(text, `disclosure ${i + 1}`), `disclosure ${i + 1}`))
      assertJsonDepth(arr, `disclosure ${i + 1}`)
    } catch (e) {
      d.problem = `not base64url JSON: ${(e as Error).message}`
      continue
    }
    if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3) || typeof arr[0] !== 'string') {
      d.problem = 'not a disclosure: expected [salt, name, value] or [salt, value]'
      continue
    }
    d.salt = arr[0]
    if (arr.length === 3) {
      if (typeof arr[1] !== 'string') {
        d.problem = 'the claim name is not a string'
        continue
      }
      if (arr[1] === '_sd' || arr[1] === '...') d.problem = `the claim name "${arr[1]}" is reserved (RFC 9901 §4.2.1)`
      d.name = arr[1]
      d.value = arr[2]
    } else d.value = arr[1]
    if (seen.has(d.digest)) d.problem = 'the same disclosure appears twice'
    seen.add(d.digest)
    const place = places.get(d.digest)
    if (!place) continue
    if (place.array !== (d.name === undefined)) {
      d.problem = place.array ? 'an object-property disclosure whose digest sits in an array' : 'an array-element disclosure whose digest sits in an _sd array'
      continue
    }
    places.delete(d.digest)
    if (place.array) {
      ;(place.container as unknown[])[place.key as number] = d.value
      d.path = place.path
    } else {
      const o = place.container as JsonObject
      d.path = place.path === '$' ? `$.${d.name}` : `${place.path}.${d.name}`
      if (Object.prototype.hasOwnProperty.call(o, d.name!)) d.problem = `the claim "${d.name}" is also present in the clear (RFC 9901 §7.1 rejects this)`
      else o[d.name!] = d.value as JsonObject[string]
    }
  }
  if (parts.disclosures.length > MAX_DISCLOSURES) warnings.push(`only the first ${MAX_DISCLOSURES} of ${parts.disclosures.length} disclosures were read`)
  for (const d of disclosures) {
    if (d.path === null && !d.problem) d.problem = 'its digest is in no _sd array of the issuer JWT (not issued with it, or nested in a disclosure not given)'
  }
  // an `_sd` left after the matches: undisclosed claims (or decoys); the arrays themselves go
  stripSd(disclosed)
  let keyBinding: KeyBinding | null = null
  if (parts.keyBinding !== null) {
    try {
      const segments = parts.keyBinding.split('.')
      if (segments.length !== 3) throw new Error(`${segments.length} segments, expected 3`)
      const header = decodeJsonSegment(segments[0]!, 'KB-JWT header')
      const kbPayload = decodeJsonSegment(segments[1]!, 'KB-JWT payload')
      const expected = hash(hashAlg, parts.signedPart)
      const actual = typeof kbPayload.sd_hash === 'string' ? kbPayload.sd_hash : null
      keyBinding = { header, payload: kbPayload, sdHash: { expected, actual, ok: actual === expected } }
      if (header.typ !== 'kb+jwt') warnings.push(`the key-binding JWT's typ is ${JSON.stringify(header.typ ?? null)}, not "kb+jwt"`)
      if (actual === null) warnings.push('the key-binding JWT has no sd_hash')
      else if (actual !== expected) warnings.push('the key-binding JWT\'s sd_hash does not match this presentation (disclosures added, removed or reordered after it was signed)')
      if (!payload.cnf) warnings.push('a key-binding JWT is present but the issuer JWT has no cnf key to bind it to')
    } catch (e) {
      warnings.push(`the part after the last ~ is not a key-binding JWT: ${(e as Error).message}`)
    }
  }
  const broken = disclosures.filter((d) => d.problem).length
  if (broken) warnings.push(`${broken} disclosure${broken > 1 ? 's' : ''} could not be matched or read`)
  return { hashAlg, disclosures, undisclosed: total - disclosures.filter((d) => d.path !== null).length, keyBinding, disclosedPayload: disclosed, warnings }
}

function stripSd(v: unknown, depth = 0): void {
  if (depth > 32 || v === null || typeof v !== 'object') return
  if (Array.isArray(v)) {
    for (let i = v.length - 1; i >= 0; i--) {
      const x = v[i]
      if (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && '...' in x) v.splice(i, 1)
      else stripSd(x, depth + 1)
    }
    return
  }
  const o = v as JsonObject
  delete o._sd
  if (depth === 0) delete o._sd_alg
  for (const x of Object.values(o)) stripSd(x, depth + 1)
}
