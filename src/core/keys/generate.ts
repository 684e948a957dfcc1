/**
 * `keygen`: a fresh signing key as a private JWK with `alg`, `use: "sig"` and a `kid` that is its
 * RFC 7638 thumbprint, and the matching public JWK Set.
 * @see https://www.rfc-editor.org/rfc/rfc7638
 * @module
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, generateSecret, type JWK } from 'jose'
import { UsageError } from '../../errors.js'
import { stripPrivate } from './parse.js'

export const KEYGEN_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519', 'HS256', 'HS384', 'HS512'] as const

export interface GeneratedKey {
  /** The private JWK (or the `oct` secret) with alg, use and the thumbprint kid. */
  privateJwk: JWK
  /** The public JWK Set; undefined for HMAC, which has no public half. */
  jwks?: { keys: JWK[] }
}

export async function generateSigningKey(alg: string, opts: { kid?: string; rsaBits?: number } = {}): Promise<GeneratedKey> {
  if (!(KEYGEN_ALGS as readonly string[]).includes(alg)) throw new UsageError(`--alg ${alg}: keygen makes ${KEYGEN_ALGS.join(', ')}`)
  let jwk: JWK
  if (alg.startsWith('HS')) {
    jwk = await exportJWK(await generateSecret(alg, { extractable: true }))
  } else {
    const options: { extractable: true; modulusLength?: number } = { extractable: true }
    if (opts.rsaBits !== undefined) options.modulusLength = opts.rsaBits
    const { privateKey } = await generateKeyPair(alg, options)
    jwk = await exportJWK(privateKey)
  }
  const kid = opts.kid ?? (await calculateJwkThumbprint(jwk, 'sha256'))
  // members in a readable order: kty first, then the identifiers, then the key material
  const privateJwk: JWK = { kty: jwk.kty, kid, use: 'sig', alg, ...jwk }
  if (alg.startsWith('HS')) return { privateJwk }
  return { privateJwk, jwks: { keys: [stripPrivate(privateJwk)] } }
}
