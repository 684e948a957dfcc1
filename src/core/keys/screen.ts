/**
 * Which of the keys a user or a server gave may verify signatures, and what is wrong with the
 * rest: a key whose `use` or `key_ops` says it is for something else is left out (RFC 7517 §4.2,
 * §4.3); an RSA key with the exponent 1 (every "signature" is then the padded message itself:
 * anyone can forge one) or an even exponent is refused; a secret (`oct`) key in a JWKS fetched
 * from a URL is refused (a published secret is known to everyone). Ambiguous sets are named in
 * warnings: public and secret keys mixed in one set, two keys with one `kid`. Pure.
 * @module
 */
import type { JWK } from 'jose'

export interface ScreenedKeys {
  /** Keys that may verify, in the order given. */
  usable: JWK[]
  /** Keys left out, each with the reason (for "no key" messages). */
  excluded: { jwk: JWK; reason: string }[]
  /** About the set as a whole, or about a key left out for a reason the user should hear. */
  warnings: string[]
}

export interface ScreenOptions {
  /** The set was fetched from a URL (a JWKS endpoint): a secret in it is public. */
  remote: boolean
  /** How to name a key in a message: `kid "k1"`, `the RSA key`. */
  name: (jwk: JWK) => string
}

/** Why this key must not verify, or undefined. */
export function verifyUseProblem(jwk: JWK): string | undefined {
  if (jwk.use !== undefined && jwk.use !== 'sig') return `its "use" is "${String(jwk.use)}", not "sig": it is not a signature key`
  if (jwk.key_ops !== undefined) {
    const ops = Array.isArray(jwk.key_ops) ? jwk.key_ops : []
    // the public half of a signing key ("sign") verifies; RFC 7517 §4.3
    if (!ops.includes('verify') && !ops.includes('sign')) return `its "key_ops" (${ops.join(', ') || 'none'}) do not include "verify"`
  }
  return undefined
}

/** Why this key must not decrypt, or undefined. */
export function decryptUseProblem(jwk: JWK): string | undefined {
  if (jwk.use !== undefined && jwk.use !== 'enc') return `its "use" is "${String(jwk.use)}", not "enc": it is not an encryption key`
  if (jwk.key_ops !== undefined) {
    const ops = Array.isArray(jwk.key_ops) ? jwk.key_ops : []
    if (!['decrypt', 'unwrapKey', 'deriveKey', 'deriveBits'].some((o) => ops.includes(o))) {
      return `its "key_ops" (${ops.join(', ') || 'none'}) do not include "decrypt" or "unwrapKey"`
    }
  }
  return undefined
}

/** The RSA exponent as a number, when it is small enough to matter (e=1, e=2...). */
function rsaExponent(jwk: JWK): bigint | undefined {
  if (typeof jwk.e !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jwk.e)) return undefined
  const bytes = Buffer.from(jwk.e, 'base64url')
  if (bytes.length === 0 || bytes.length > 16) return undefined
  return BigInt('0x' + bytes.toString('hex'))
}

// ROCA (CVE-2017-15361): moduli made by Infineon's RSALib have n mod p inside the subgroup that
// 65537 generates mod p, for each of these small primes; a random modulus almost never does.
// Such keys can be factored. The fingerprint test of Nemec et al. (CCS 2017).
const ROCA_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167]
let rocaGroups: Set<number>[] | undefined
function rocaFingerprint(n: bigint): boolean {
  rocaGroups ??= ROCA_PRIMES.map((p) => {
    const group = new Set<number>()
    let x = 1
    do {
      group.add(x)
      x = (x * (65537 % p)) % p
    } while (x !== 1)
    return group
  })
  return ROCA_PRIMES.every((p, i) => rocaGroups![i]!.has(Number(n % BigInt(p))))
}

/** A key that must never be used, whatever it is for, or undefined. */
export function weakKeyProblem(jwk: JWK): string | undefined {
  if (jwk.kty === 'RSA') {
    const e = rsaExponent(jwk)
    if (e === 1n) return 'its RSA exponent is 1, so any padded message is its own signature: anyone could forge one'
    if (e !== undefined && e % 2n === 0n) return `its RSA exponent ${e} is even: not a valid RSA key`
    if (typeof jwk.n === 'string' && /^[A-Za-z0-9_-]+$/.test(jwk.n)) {
      const hex = Buffer.from(jwk.n, 'base64url').toString('hex')
      if (hex !== '' && rocaFingerprint(BigInt('0x' + hex))) {
        return 'its RSA modulus has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib): its private key can be computed from it'
      }
    }
  }
  return undefined
}

export function screenVerificationKeys(jwks: readonly JWK[], opts: ScreenOptions): ScreenedKeys {
  const out: ScreenedKeys = { usable: [], excluded: [], warnings: [] }
  const exclude = (jwk: JWK, reason: string, warn: boolean) => {
    out.excluded.push({ jwk, reason })
    if (warn) out.warnings.push(`ignored ${opts.name(jwk)}: ${reason}`)
  }
  const secret = jwks.filter((k) => k.kty === 'oct').length
  // public and secret keys in one set: the secrets are left out, so no token can pick an HMAC
  // key by naming it beside public ones (Wycheproof MixedKeySet: such sets are to be refused)
  const mixed = secret > 0 && secret < jwks.length
  for (const jwk of jwks) {
    const weak = weakKeyProblem(jwk)
    if (weak) {
      exclude(jwk, weak, true)
      continue
    }
    if (opts.remote && jwk.kty === 'oct') {
      exclude(jwk, 'a secret (oct) key in a JWKS published at a URL is known to everyone, so it proves nothing', true)
      continue
    }
    if (!opts.remote && mixed && jwk.kty === 'oct') {
      exclude(jwk, 'a secret (oct) key in a set of public keys is left out: keep HMAC secrets out of a key set (a set that is published leaks them)', true)
      continue
    }
    const use = verifyUseProblem(jwk)
    if (use) {
      exclude(jwk, use, false) // an encryption key beside the signing keys is normal in a JWKS
      continue
    }
    out.usable.push(jwk)
  }
  const byKid = new Map<string, number>()
  for (const k of out.usable) if (typeof k.kid === 'string') byKid.set(k.kid, (byKid.get(k.kid) ?? 0) + 1)
  for (const [kid, n] of byKid) {
    if (n > 1) out.warnings.push(`${n} keys share the kid "${kid}": a token naming it is refused, since which key it names is ambiguous`)
  }
  return out
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export function hmacKeyWarning(alg: string, keyBytes: number): string | undefined {
  const need = { HS256: 32, HS384: 48, HS512: 64 }[alg]
  if (need === undefined || keyBytes >= need) return undefined
  return `the HMAC key is ${keyBytes} bytes, shorter than the ${need} bytes ${alg} needs (RFC 7518 §3.2): a short secret can be guessed offline from any token it signed`
}
