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

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }
const CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' }
const keyObjects = new WeakMap<object, KeyObject | null>()

function keyObjectOf(material: CryptoKey | Uint8Array): KeyObject | undefined {
  if (material instanceof Uint8Array) return undefined
  let k = keyObjects.get(material)
  if (k === undefined) {
    try {
      k = KeyObject.from(material as unknown as Parameters<typeof KeyObject.from>[0])
    } catch {
      k = null
    }
    keyObjects.set(material, k)
  }
  return k ?? undefined
}

/** True only when the signature is valid and jose would find it so. */
export function nodeSignatureValid(alg: string, material: CryptoKey | Uint8Array, token: string): boolean {
  const dot = token.lastIndexOf('.')
  if (dot <= 0) return false
  const data = Buffer.from(token.slice(0, dot), 'latin1')
  const sig = Buffer.from(token.slice(dot + 1), 'base64url')
  const hash = HASH[alg.slice(2)]
  try {
    if (/^HS(256|384|512)$/.test(alg)) {
      const secret = material instanceof Uint8Array ? material : keyObjectOf(material)
      if (secret === undefined || (secret instanceof Uint8Array ? secret.length : secret.symmetricKeySize ?? 0) === 0) return false
      const mac = createHmac(hash!, secret).update(data).digest()
      return mac.length === sig.length && timingSafeEqual(mac, sig)
    }
    const key = keyObjectOf(material)
    if (key === undefined || key.type !== 'public') return false
    const details = key.asymmetricKeyDetails
    if (/^(RS|PS)(256|384|512)$/.test(alg)) {
      if (key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) return false
      if (alg.startsWith('RS')) return verify(hash!, data, key, sig)
      return verify(hash!, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }, sig)
    }
    if (CURVE[alg] !== undefined) {
      if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== CURVE[alg]) return false
      return verify(hash!, data, { key, dsaEncoding: 'ieee-p1363' }, sig)
    }
    if (alg === 'EdDSA' || alg === 'Ed25519') return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig)
  } catch {
    // a key or signature OpenSSL will not take: jose says what is wrong
  }
  return false
}
