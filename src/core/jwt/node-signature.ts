/**
 * A JWS signature checked with node:crypto, synchronously (OpenSSL on this thread, no promise
 * and no Web Crypto round trip): the per-token cost of `verify --batch`. It answers only
 * "valid" for the cases where jose would say valid too: RS/PS with a modulus of at least
 * 2048 bits (jose refuses smaller ones), ES with the curve of the algorithm, Ed25519, HMAC
 * with a non-empty secret. Anything else, and every invalid signature, returns false, and the
 * caller asks jose, whose verdict and message stay the reference (verify.ts).
 * @module
 */
import { KeyObject, constants, createHmac, timingSafeEqual, verify } from 'node:crypto'
import type { CryptoKey } from 'jose'

// Maps: alg comes from a token's header, where "constructor" must find nothing
const HASH: ReadonlyMap<string, string> = new Map([['256', 'sha256'], ['384', 'sha384'], ['512', 'sha512']])
const CURVE: ReadonlyMap<string, string> = new Map([['ES256', 'prime256v1'], ['ES384', 'secp384r1'], ['ES512', 'secp521r1']])

/** Checks a signature over the signing input; null where node:crypto must not answer for jose. */
export type SignatureCheck = ((data: Buffer, sig: Buffer) => boolean) | null
// per key material and algorithm, worked out once: which check, or none (a batch asks per token)
const checks = new WeakMap<object, Map<string, SignatureCheck>>()

/**
 * node:crypto's check of signing input and signature bytes for `alg` with `material` (what
 * nodeSignatureValid runs; verify --batch's lane calls it directly); null where node:crypto
 * must not answer for jose.
 */
export function nodeSignatureCheck(alg: string, material: CryptoKey | Uint8Array): SignatureCheck {
  let byAlg = checks.get(material)
  if (byAlg === undefined) checks.set(material, (byAlg = new Map()))
  let check = byAlg.get(alg)
  if (check === undefined) byAlg.set(alg, (check = makeCheck(alg, material)))
  return check
}

function keyObjectOf(material: CryptoKey | Uint8Array): KeyObject | undefined {
  if (material instanceof Uint8Array) return undefined
  try {
    return KeyObject.from(material as unknown as Parameters<typeof KeyObject.from>[0])
  } catch {
    return undefined
  }
}

function makeCheck(alg: string, material: CryptoKey | Uint8Array): SignatureCheck {
  const hash = HASH.get(alg.slice(2))
  if (/^HS(256|384|512)$/.test(alg)) {
    const secret = material instanceof Uint8Array ? material : keyObjectOf(material)
    if (secret === undefined || (secret instanceof Uint8Array ? secret.length : secret.symmetricKeySize ?? 0) === 0) return null
    return (data, sig) => {
      const mac = createHmac(hash!, secret).update(data).digest()
      return mac.length === sig.length && timingSafeEqual(mac, sig)
    }
  }
  const key = keyObjectOf(material)
  if (key === undefined || key.type !== 'public') return null
  const details = key.asymmetricKeyDetails
  if (/^(RS|PS)(256|384|512)$/.test(alg)) {
    if (key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) return null
    if (alg.startsWith('RS')) return (data, sig) => verify(hash!, data, key, sig)
    const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
    return (data, sig) => verify(hash!, data, pss, sig)
  }
  const curve = CURVE.get(alg)
  if (curve !== undefined) {
    if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== curve) return null
    const ec = { key, dsaEncoding: 'ieee-p1363' as const }
    return (data, sig) => verify(hash!, data, ec, sig)
  }
  if (alg === 'EdDSA' || alg === 'Ed25519') return key.asymmetricKeyType === 'ed25519' ? (data, sig) => verify(null, data, key, sig) : null
  return null
}

/** True only when the signature is valid and jose would find it so. */
export function nodeSignatureValid(alg: string, material: CryptoKey | Uint8Array, token: string): boolean {
  const dot = token.lastIndexOf('.')
  if (dot <= 0) return false
  const check = nodeSignatureCheck(alg, material)
  if (check === null) return false
  try {
    return check(Buffer.from(token.slice(0, dot), 'latin1'), Buffer.from(token.slice(dot + 1), 'base64url'))
  } catch {
    // a key or signature OpenSSL will not take: jose says what is wrong
    return false
  }
}
