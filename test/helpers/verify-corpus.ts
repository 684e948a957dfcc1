/**
 * The tokens of the verifier's property tests (verify-at-hand, verify-lane): keys of each type
 * (EC, RSA-PSS, Ed25519, a weak RSA key jose refuses, twin kids, HMAC secrets long and short),
 * and fast-check corpora of valid, expired, tampered, unknown-kid, alg-none, key-confusion, crit,
 * b64: false, duplicate-member, not-JSON and malformed tokens, with the key sources to verify
 * them against (a JWKS file, a secret, a remote set's resolver). Call `setUpVerifyCorpus` in a
 * beforeAll.
 */
import { constants, generateKeyPairSync, KeyObject, sign as nodeSign } from 'node:crypto'
import fc from 'fast-check'
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose'
import { claimsAround } from './claims-arbitrary.js'
import { tamperSignature } from './jwt-fixtures.js'
import type { KeySource, VerifyOptions } from '../../src/core/jwt/verify.js'
import { keySourceFromText, keysSource, remoteSource, secretKey, type KidResolver } from '../../src/cli/keys.js'
import type { KidLookup } from '../../src/oauth/jwks.js'

export const NOW = new Date('2026-06-01T00:00:00Z')
export const NOW_S = NOW.getTime() / 1000
export const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
export const SECRET = new TextEncoder().encode('a-shared-secret-of-32-bytes-long')
export const SHORT = new TextEncoder().encode('short')
type Signer = (header: Record<string, unknown>, payload: string) => Promise<string>
export const signers: Record<string, Signer> = {}
const jwks: JWK[] = []
/**
 * Signs any header as given, with node:crypto: jose will not sign a crit it does not know, nor
 * an unencoded (RFC 7797) payload in compact form. `payload` is the second segment as is.
 */
export const raw: Record<string, (header: Record<string, unknown>, payload: string) => string> = {}

export async function setUpVerifyCorpus(): Promise<void> {
  for (const [kid, alg] of [['ec', 'ES256'], ['rsa', 'PS256'], ['ed', 'EdDSA']] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    jwks.push({ ...(await exportJWK(publicKey)), kid })
    signers[kid] = (h, p) => new CompactSign(new TextEncoder().encode(p)).setProtectedHeader({ alg, kid, ...h }).sign(privateKey)
    const key = KeyObject.from(privateKey as unknown as Parameters<typeof KeyObject.from>[0])
    raw[kid] = (h, p) => {
      const input = `${enc({ alg, kid, ...h })}.${p}`
      const data = Buffer.from(input)
      const sig =
        alg === 'ES256' ? nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : alg === 'PS256' ? nodeSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) : nodeSign(null, data, key)
      return `${input}.${sig.toString('base64url')}`
    }
  }
  // a key jose refuses (RSA 1024): node:crypto alone would accept its signatures
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
  jwks.push({ ...(weak.publicKey.export({ format: 'jwk' }) as JWK), kid: 'weak' })
  signers.weak = async (h, p) => {
    const input = `${enc({ alg: 'RS256', kid: 'weak', ...h })}.${enc(p)}`
    return `${input}.${nodeSign('sha256', Buffer.from(input), weak.privateKey).toString('base64url')}`
  }
  // two keys sharing a kid: ambiguous
  jwks.push({ ...jwks[0]!, kid: 'twin' }, { ...jwks[1]!, kid: 'twin' })
  signers.hs = (h, p) => new CompactSign(new TextEncoder().encode(p)).setProtectedHeader({ alg: 'HS256', ...h }).sign(SECRET)
  signers.short = (h, p) => new CompactSign(new TextEncoder().encode(p)).setProtectedHeader({ alg: 'HS256', ...h }).sign(SHORT)
}

/** A remote set's resolver as the workers see it: the set at hand, every kid answered at once. */
export function resolverOf(keys: JWK[]): KidResolver {
  const byKid = new Map<string | undefined, JWK[]>()
  const lookupAtHand = (kid: string | undefined): KidLookup | undefined => {
    if (!byKid.has(kid)) byKid.set(kid, kid === undefined ? keys : keys.filter((k) => k.kid === kid))
    const found = byKid.get(kid)!
    return found.length > 0 || kid === undefined ? { keys: found, refetched: false, cooledDown: false } : undefined
  }
  return {
    url: 'https://issuer.test/jwks',
    lookupAtHand,
    lookup: async (kid) => lookupAtHand(kid) ?? { keys: [], refetched: false, cooledDown: true },
  }
}

const claims = claimsAround(NOW_S)
export const TWISTS = ['none', 'none', 'none', 'tamper', 'unknown-kid', 'alg-none', 'hs-confusion', 'crit', 'b64', 'duplicate', 'twin', 'not-json'] as const
export const entry = fc.oneof(
  { weight: 9, arbitrary: fc.record({ kid: fc.constantFrom('ec', 'rsa', 'ed', 'weak', 'hs', 'short'), claims, twist: fc.constantFrom(...TWISTS) }) },
  { weight: 1, arbitrary: fc.constantFrom('garbage', 'a.b.c', `${enc('x')}.${enc({})}.sig`, `${enc({ alg: 'ES256' })}.${enc({})}.sig=`, 'a.b.c.d.e') },
)

export async function tokenOf(l: { kid: string; claims: Record<string, unknown>; twist: (typeof TWISTS)[number] } | string): Promise<string> {
  if (typeof l === 'string') return l
  const sign = signers[l.kid]!
  const json = JSON.stringify(l.claims)
  switch (l.twist) {
    case 'tamper': {
      const t = await sign({}, json)
      return tamperSignature(t)
    }
    case 'unknown-kid':
      return sign({ kid: 'nope' }, json)
    case 'alg-none':
      return `${enc({ alg: 'none' })}.${enc(l.claims)}.`
    case 'hs-confusion':
      return `${enc({ alg: 'HS256', kid: l.kid })}.${enc(l.claims)}.${enc('x'.repeat(32))}`
    case 'crit':
      return raw[l.kid] ? raw[l.kid]!({ crit: ['exp'], exp: 1 }, enc(json)) : sign({}, json)
    case 'b64':
      return raw[l.kid] ? raw[l.kid]!({ b64: false, crit: ['b64'] }, json) : sign({}, json)
    case 'duplicate':
      return sign({}, json.replace(/^\{/, '{"sub":"first",'))
    case 'twin':
      return sign({ kid: 'twin' }, json)
    case 'not-json':
      return sign({}, 'plain text, not claims')
    default:
      return sign({}, json)
  }
}

export const OPTIONS: VerifyOptions[] = [{ clockSkew: 60 }, { clockSkew: 60, iss: 'https://issuer.test', aud: ['api'] }, { clockSkew: 0, algorithms: ['ES256', 'HS256'] }]

export function sources(): { file: KeySource; secret: KeySource; short: KeySource; remote: KeySource } {
  return {
    file: keySourceFromText(JSON.stringify({ keys: jwks }), 'JWKS file keys.json', 'keys.json').source,
    secret: keysSource([secretKey(SECRET)]),
    short: keysSource([secretKey(SHORT)]),
    remote: remoteSource(resolverOf(jwks)),
  }
}

/** The verifier's answer, or the message of what it throws (a malformed token). */
export async function settle<T>(f: () => T | Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await f() }
  } catch (e) {
    return { error: (e as Error).message }
  }
}
