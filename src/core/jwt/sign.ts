/**
 * Minting test tokens: the claims from a base payload and the registered-claim options, and a
 * compact JWS signed by jose. The algorithm is checked against the key with the same policy
 * verify uses, so a token tokentool signs is one tokentool can verify. Time is passed in.
 * @module
 */
import { CompactSign, importJWK, type JWK } from 'jose'
import { UsageError } from '../../errors.js'
import { allowedAlgorithms, describeKey, isNoneAlg, type KeyDescriptor } from './alg-policy.js'

export interface ClaimOptions {
  iss?: string
  sub?: string
  aud?: readonly string[]
  /** Absolute NumericDates (seconds); the CLI turns "1h" into one. */
  exp?: number
  nbf?: number
  /** `false` leaves iat out; a number sets it; undefined means "now". */
  iat?: number | false
  jti?: string
  extra?: readonly { name: string; value: unknown }[]
}

/** The payload: `base` (from --payload), then registered claims and --claim on top. */
export function buildClaims(base: Record<string, unknown>, o: ClaimOptions, now: Date): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...base }
  const nowSec = Math.floor(now.getTime() / 1000)
  if (o.iss !== undefined) claims.iss = o.iss
  if (o.sub !== undefined) claims.sub = o.sub
  if (o.aud !== undefined && o.aud.length > 0) claims.aud = o.aud.length === 1 ? o.aud[0] : [...o.aud]
  if (o.iat !== false) claims.iat = o.iat ?? (typeof base.iat === 'number' ? base.iat : nowSec)
  else delete claims.iat
  if (o.nbf !== undefined) claims.nbf = o.nbf
  if (o.exp !== undefined) claims.exp = o.exp
  if (o.jti !== undefined) claims.jti = o.jti
  for (const c of o.extra ?? []) claims[c.name] = c.value
  return claims
}

/** The algorithm a key signs with by default: its JWK `alg`, else the usual one for its type. */
export function defaultAlg(d: KeyDescriptor): string {
  const algs = allowedAlgorithms(d)
  const first = algs[0]
  if (first === undefined) throw new UsageError(`no JWS algorithm can sign with ${describeKey(d)}`)
  return first
}

/** Picks and checks the signing algorithm: `--alg` must be one the key allows; `none` never. */
export function chooseSigningAlg(d: KeyDescriptor, requested: string | undefined): string {
  if (requested === undefined) return defaultAlg(d)
  if (isNoneAlg(requested)) throw new UsageError('--alg none: tokentool does not mint unsigned tokens')
  const allowed = allowedAlgorithms(d)
  if (!allowed.includes(requested)) {
    throw new UsageError(`--alg ${requested} cannot sign with ${describeKey(d).replace('public key', 'key')} (it allows ${allowed.join(', ') || 'nothing'})`)
  }
  return requested
}

export interface SignInput {
  /** A private JWK, or the HMAC secret bytes. */
  key: JWK | Uint8Array
  alg: string
  header: { typ?: string; kid?: string; [k: string]: unknown }
  claims: Record<string, unknown>
}

/** Signs and returns the compact JWS. */
export async function signToken(input: SignInput): Promise<string> {
  let material: Awaited<ReturnType<typeof importJWK>>
  if (input.key instanceof Uint8Array) material = input.key
  else {
    const { use: _u, key_ops: _o, ext: _e, ...bare } = input.key
    material = await importJWK({ ...bare, alg: input.alg }, input.alg)
  }
  const header: Record<string, unknown> = { alg: input.alg }
  for (const [k, v] of Object.entries(input.header)) if (v !== undefined) header[k] = v
  return new CompactSign(new TextEncoder().encode(JSON.stringify(input.claims)))
    .setProtectedHeader(header as { alg: string })
    .sign(material)
}
