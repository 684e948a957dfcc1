/**
 * A profile's DPoP key (`tokens/<profile>.dpop.jwk`, 0600, beside its tokens): the private
 * JWK that signs its DPoP proofs, and the issuer it is bound to. Tokens bound to the key
 * (`cnf.jkt`) are good only with proofs it signs, so it is kept exactly as long as the
 * session it belongs to, and never used at another issuer: tokens from a new server get a
 * new key. File access goes through the TokenStore.
 * @module
 */
import type { JWK } from 'jose'
import { isObject, versionMismatch, type ShapeCheck } from './atomic-write.js'

export interface StoredDpopKey {
  version: 1
  /** The issuer whose tokens the key binds; the key is not used for any other. */
  issuer: string
  /** The private key (with `alg` and `kid` = its thumbprint). */
  jwk: JWK
  /** Epoch seconds. */
  createdAt: number
}

export const checkDpopKey: ShapeCheck<StoredDpopKey> = (v) => {
  if (!isObject(v)) return { ok: false, reason: 'not a JSON object' }
  const bad = versionMismatch(v)
  if (bad) return bad
  if (typeof v.issuer !== 'string' || !v.issuer) return { ok: false, reason: '"issuer" is not a string' }
  if (!isObject(v.jwk) || typeof v.jwk.kty !== 'string' || typeof v.jwk.d !== 'string') return { ok: false, reason: '"jwk" is not a private JWK' }
  if (typeof v.createdAt !== 'number') return { ok: false, reason: '"createdAt" is not a number' }
  return { ok: true, value: v as unknown as StoredDpopKey }
}

/** Issuers compare without a trailing slash: discovery accepts both spellings of one server. */
export const sameIssuer = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
