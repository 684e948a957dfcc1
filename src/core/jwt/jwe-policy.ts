/**
 * Which JWE key-management algorithms a key may decrypt with, decided from the KEY (its JWK
 * `alg`, else what its type and size allow), never from the token header — as alg-policy.ts does
 * for signatures. Without it, a key meant for `A128GCMKW` would unwrap an `A128KW` token, and an
 * AES key would be taken as a PBES2 password because the token said so. RSA1_5 is never allowed:
 * its padding oracle (Bleichenbacher) lets an attacker decrypt by asking. Pure.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 * @module
 */

/** What the policy needs to know about a decryption key; no key material. */
export interface JweKeyDescriptor {
  kty: string
  crv?: string
  alg?: string
  /** The size of an `oct` key in bits. */
  bits?: number
}

const RSA = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512']
const ECDH = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']
const PBES2 = ['PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW']
/** An AES key of this many bits wraps with these; `dir` takes any size its `enc` needs. */
const CONTENT = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512']
const AES: Record<number, string[]> = { 128: ['A128KW', 'A128GCMKW'], 192: ['A192KW', 'A192GCMKW'], 256: ['A256KW', 'A256GCMKW'] }

export const RSA1_5_MESSAGE =
  'RSA1_5 (RSAES-PKCS1-v1_5) key encryption is refused: its padding oracle lets an attacker decrypt tokens by asking (Bleichenbacher); ask the issuer to encrypt with RSA-OAEP-256'

/** Every algorithm a key of this type could ever use, before its `alg` narrows them. */
function typeAlgorithms(key: JweKeyDescriptor): string[] {
  switch (key.kty) {
    case 'RSA':
      return RSA
    case 'EC':
      return ['P-256', 'P-384', 'P-521'].includes(key.crv ?? '') ? ECDH : []
    case 'OKP':
      return key.crv === 'X25519' ? ECDH : []
    case 'oct': {
      // a key whose alg is a content encryption algorithm is that content key itself: `dir` only
      if (key.alg !== undefined && CONTENT.includes(key.alg)) return ['dir']
      // PBES2 only when the key says so: a password is not a key, and a key is not a password
      const own = key.alg !== undefined && PBES2.includes(key.alg) ? [key.alg] : []
      return [...(AES[key.bits ?? 0] ?? []), 'dir', ...own]
    }
    default:
      return []
  }
}

/** The key-management algorithms this key may decrypt: its `alg` when it has one (if its type allows it), else its type's. */
export function allowedJweAlgorithms(key: JweKeyDescriptor): string[] {
  const algs = typeAlgorithms(key)
  if (key.alg !== undefined && key.kty === 'oct' && CONTENT.includes(key.alg)) return algs
  if (key.alg !== undefined) return algs.includes(key.alg) ? [key.alg] : []
  return algs
}

/** Why `headerAlg` may not be used with `key`, for a person; undefined when it may. */
export function jweAlgProblem(headerAlg: unknown, key: JweKeyDescriptor): string | undefined {
  if (typeof headerAlg !== 'string' || headerAlg === '') return 'the JWE header has no "alg"'
  if (headerAlg === 'RSA1_5') return RSA1_5_MESSAGE
  const allowed = allowedJweAlgorithms(key)
  if (allowed.includes(headerAlg)) return undefined
  if (key.alg !== undefined) {
    return `the token says alg ${headerAlg} but the key's "alg" is ${key.alg}: the algorithm comes from the key, never from the token`
  }
  const what = key.kty === 'oct' ? `a ${key.bits ?? '?'}-bit secret key` : `an ${key.kty}${key.crv ? ` ${key.crv}` : ''} key`
  return `the token says alg ${headerAlg}, which ${what} does not allow (allowed: ${allowed.join(', ') || 'none'})`
}
