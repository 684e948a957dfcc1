/**
 * DPoP keys (RFC 9449) without I/O: which private keys may sign proofs, the JWS algorithm a
 * key implies, and its RFC 7638 JWK thumbprint (`jkt`: what `cnf.jkt` and `dpop_jkt` carry).
 * Pure apart from node:crypto's hash: `token` computes the thumbprint of a stored key on its
 * cache path, where jose is not loaded.
 * @module
 */
import { createHash } from 'node:crypto'
import type { JWK } from 'jose'
import { InputError } from '../../errors.js'

/** The JWS algorithm tokentool signs proofs with for this key (its `alg`, else the usual one). */
export function dpopAlg(jwk: JWK, what: string): string {
  if (jwk.kty === 'oct') throw new InputError(`${what} is a symmetric (oct) key: DPoP proofs need an asymmetric private key (EC P-256, Ed25519 or RSA)`)
  if (typeof jwk.d !== 'string') throw new InputError(`${what} is a public key: DPoP proofs need the private key`)
  const byCurve: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
  let alg: string | undefined
  if (jwk.kty === 'EC') alg = byCurve[jwk.crv ?? '']
  else if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') alg = 'EdDSA'
  else if (jwk.kty === 'RSA') alg = jwk.alg && /^(RS|PS)(256|384|512)$/.test(jwk.alg) ? jwk.alg : 'PS256'
  if (!alg) throw new InputError(`${what}: a ${jwk.kty ?? '?'}${jwk.crv ? ` ${jwk.crv}` : ''} key cannot sign DPoP proofs (use EC P-256, Ed25519 or RSA)`)
  if (jwk.alg && jwk.alg !== alg && !(jwk.kty === 'OKP' && jwk.alg === 'Ed25519')) throw new InputError(`${what}: its "alg" ${jwk.alg} does not fit a ${jwk.kty} ${jwk.crv ?? ''} key`.replace(/ +key/, ' key'))
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && Buffer.from(jwk.n, 'base64url').length * 8 < 2048) {
    throw new InputError(`${what}: an RSA key shorter than 2048 bits is too weak for DPoP`)
  }
  return alg
}

/** The members RFC 7638 §3.2 hashes, per key type, in lexicographic order (a Map: kty may come from a proof's header, and "constructor" must find nothing). */
const REQUIRED: ReadonlyMap<string, readonly string[]> = new Map([
  ['EC', ['crv', 'kty', 'x', 'y']],
  ['OKP', ['crv', 'kty', 'x']],
  ['RSA', ['e', 'kty', 'n']],
])

/** The base64url SHA-256 JWK thumbprint (RFC 7638) of the key's public part. */
export function jwkThumbprint(jwk: JWK): string {
  const members = REQUIRED.get(jwk.kty ?? '')
  if (!members) throw new InputError(`cannot compute a thumbprint of a ${jwk.kty ?? 'typeless'} key`)
  const obj: Record<string, unknown> = {}
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m]
    if (typeof v !== 'string') throw new InputError(`the ${jwk.kty} key has no "${m}"`)
    obj[m] = v
  }
  return createHash('sha256').update(JSON.stringify(obj)).digest('base64url')
}

/** The public JWK of a DPoP key, as a proof's `jwk` header carries it. */
export function publicDpopJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk as JWK & { oth?: unknown }
  return pub
}

/** `ath` (RFC 9449 §4.2): base64url SHA-256 of the ASCII access token. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url')
}

/** `htu` (RFC 9449 §4.2): the request URI without query and fragment. */
export function htuOf(url: URL): string {
  return `${url.origin}${url.pathname}`
}
