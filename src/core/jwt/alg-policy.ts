/**
 * Which JWS algorithms a key may verify, decided from the KEY (its JWK `alg`, else what its
 * type allows) and the user's `--alg` list, never from the token header: that is what stops
 * `alg: none` and the classic key-confusion attack (an HMAC token "signed" with the bytes of
 * a public key). Pure.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 * @module
 */

/** What the policy needs to know about a key; no key material. */
export type KeyDescriptor =
  /** `bytes`: the length of a JWK `oct` key; an HS* algorithm needs at least its hash's length (RFC 7518 §3.2). */
  | { type: 'secret'; alg?: string; bytes?: number }
  | { type: 'public'; kty: string; crv?: string; alg?: string }

export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const
const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
// Maps: a key's crv comes from a JWKS, and "constructor" must find nothing (an object's would find Object)
const EC_ALGS: ReadonlyMap<string, string[]> = new Map([['P-256', ['ES256']], ['P-384', ['ES384']], ['P-521', ['ES512']]])
const OKP_ALGS: ReadonlyMap<string, string[]> = new Map([['Ed25519', ['EdDSA', 'Ed25519']]])

/** Every JWS algorithm tokentool can verify or sign with. */
export const SUPPORTED_ALGS: readonly string[] = [...HMAC_ALGS, ...RSA_ALGS, 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']

export const isHmacAlg = (alg: string): boolean => /^HS\d+$/.test(alg)
export const isNoneAlg = (alg: string): boolean => alg.toLowerCase() === 'none'

/** The algorithms the key's type allows, before any `alg` member or `--alg` narrows them. */
function typeAlgs(key: KeyDescriptor): string[] {
  if (key.type === 'secret') return [...HMAC_ALGS]
  switch (key.kty) {
    case 'RSA':
      return RSA_ALGS
    case 'EC':
      return EC_ALGS.get(key.crv ?? '') ?? []
    case 'OKP':
      return OKP_ALGS.get(key.crv ?? '') ?? []
    case 'AKP':
      return key.alg && key.alg.startsWith('ML-DSA-') ? [key.alg] : []
    default:
      return []
  }
}

/**
 * The algorithms this key may verify: its `alg` member when it has one (if the type allows
 * it), else every algorithm of its type; intersected with `requested` (`--alg`) when given.
 * Never contains `none`.
 */
/** The bytes an HMAC key needs for `alg`: the hash output's length. */
const HMAC_MIN_BYTES: ReadonlyMap<string, number> = new Map([['HS256', 32], ['HS384', 48], ['HS512', 64]])

export function allowedAlgorithms(key: KeyDescriptor, requested?: readonly string[]): string[] {
  let algs = typeAlgs(key)
  // a JWK that calls itself a key must be long enough to be one (a --secret passphrase only gets a warning)
  if (key.type === 'secret' && key.bytes !== undefined) algs = algs.filter((a) => key.bytes! >= (HMAC_MIN_BYTES.get(a) ?? 0))
  if (key.alg !== undefined) algs = algs.includes(key.alg) ? [key.alg] : []
  if (requested && requested.length > 0) algs = algs.filter((a) => requested.includes(a))
  return algs.filter((a) => !isNoneAlg(a))
}

/** "an RSA public key", "an HMAC secret", "an EC P-256 public key". */
export function describeKey(key: KeyDescriptor): string {
  if (key.type === 'secret') return 'an HMAC secret'
  const what = key.kty === 'OKP' || key.kty === 'EC' ? `${key.kty === 'EC' ? 'an EC' : 'an'} ${key.crv ?? key.kty}` : key.kty === 'RSA' ? 'an RSA' : `a ${key.kty}`
  return `${what} public key`
}

/**
 * Requested algorithms (`--alg`) this key can never verify, with the reason; for a single key
 * given by the user this is a usage error, not a token failure.
 */
export function incompatibleRequested(key: KeyDescriptor, requested: readonly string[]): { alg: string; reason: string }[] {
  const possible = typeAlgs(key)
  return requested
    .filter((a) => !possible.includes(a) || (key.alg !== undefined && key.alg !== a))
    .map((alg) => ({ alg, reason: explainMismatch(alg, key, allowedAlgorithms(key)) }))
}

export interface AlgDecision {
  ok: boolean
  detail: string
}

/**
 * Decides whether the header's `alg` may be verified by any of `keys`. The reason is written
 * for a person: it names `none`, key confusion in either direction, or the allowed list.
 */
export function decideAlg(headerAlg: unknown, keys: readonly KeyDescriptor[], requested?: readonly string[]): AlgDecision {
  if (typeof headerAlg !== 'string' || headerAlg === '') return { ok: false, detail: 'the header has no "alg"' }
  if (isNoneAlg(headerAlg)) {
    return { ok: false, detail: `alg "${headerAlg}" is never accepted: the token is unsigned and anyone could have written it` }
  }
  if (keys.length === 0) return { ok: false, detail: `${headerAlg}: no key to check it against` }
  const allowedByKey = keys.map((k) => allowedAlgorithms(k, requested))
  if (allowedByKey.some((algs) => algs.includes(headerAlg))) {
    return { ok: true, detail: `${headerAlg} (allowed: ${unique(allowedByKey.flat()).join(', ')})` }
  }
  if (requested && requested.length > 0 && !requested.includes(headerAlg)) {
    return { ok: false, detail: `${headerAlg} is not in the --alg list (${requested.join(', ')})` }
  }
  return { ok: false, detail: explainMismatch(headerAlg, keys[0]!, allowedByKey[0]!) }
}

function explainMismatch(alg: string, key: KeyDescriptor, allowed: readonly string[]): string {
  if (isHmacAlg(alg) && key.type === 'public') {
    return `${alg} is an HMAC algorithm but the key is ${describeKey(key)}: a public key never verifies an HMAC token (key-confusion attack)`
  }
  if (!isHmacAlg(alg) && key.type === 'secret') {
    return `${alg} needs a public key but the key is an HMAC secret: a secret never verifies an asymmetric token`
  }
  if (!SUPPORTED_ALGS.includes(alg)) return `${alg} is not a supported JWS algorithm`
  if (key.type === 'secret' && key.bytes !== undefined && isHmacAlg(alg) && key.bytes < (HMAC_MIN_BYTES.get(alg) ?? 0)) {
    return `${alg} needs a key of at least ${HMAC_MIN_BYTES.get(alg)} bytes and this one has ${key.bytes} (RFC 7518 §3.2): refused, a short key can be guessed`
  }
  const list = allowed.length > 0 ? allowed.join(', ') : 'none'
  const why = key.alg !== undefined ? `the key's "alg" is ${key.alg}` : `${describeKey(key)} allows ${list}`
  return `${alg} is not allowed: ${why}`
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)]
}
