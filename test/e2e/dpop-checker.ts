/**
 * An independent DPoP proof checker for the tests, written from RFC 9449 §4.3 ("Checking DPoP
 * Proofs"), steps 1-12, with jose's `jwtVerify` and `EmbeddedJWK` for the signature. It
 * shares no code with tokentool: tokentool's proofs must pass a checker that did not come
 * from the same hands.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @module
 */
import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose'

export interface ProofExpectation {
  method: string
  /** The request URL; compared without its query and fragment (§4.3 step 9). */
  url: string
  /** The access token presented with it: `ath` must be its hash (§4.3 step 12). */
  accessToken?: string
  /** `cnf.jkt` of that token: the proof's key must have this thumbprint (§4.3 step 12). */
  jkt?: string
  /** The nonce the server gave, when it gave one (§4.3 step 10). */
  nonce?: string
  /** Seconds of acceptable `iat` difference (§4.3 step 11); default 60. */
  window?: number
  now?: number
}

export interface CheckedProof {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  jkt: string
}

const ASYMMETRIC = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519']
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** Throws an Error naming the failed step; returns the proof's parts when every step passes. */
export async function checkDpopProof(proof: string, exp: ProofExpectation): Promise<CheckedProof> {
  // step 2: a well-formed JWT (three segments, compact JWS)
  if (proof.split('.').length !== 3) throw new Error('step 2: not a compact JWS')
  const h = decodeProtectedHeader(proof) as Record<string, unknown>
  // step 4: typ
  if (h.typ !== 'dpop+jwt') throw new Error(`step 4: typ is ${String(h.typ)}`)
  // step 5: an asymmetric algorithm, never none or a MAC
  if (typeof h.alg !== 'string' || !ASYMMETRIC.includes(h.alg)) throw new Error(`step 5: alg ${String(h.alg)}`)
  // step 7: the jwk header is a public key
  const jwk = h.jwk as JWK | undefined
  if (!jwk || typeof jwk !== 'object') throw new Error('step 3: no jwk header')
  for (const m of PRIVATE) if (m in jwk) throw new Error(`step 7: jwk holds private member ${m}`)
  // step 6: the signature verifies with the embedded key
  const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ASYMMETRIC })
  const p = payload as Record<string, unknown>
  // step 3: required claims
  for (const c of ['jti', 'htm', 'htu', 'iat']) if (p[c] === undefined) throw new Error(`step 3: no ${c}`)
  if (typeof p.jti !== 'string' || p.jti.length < 12) throw new Error('step 3: jti is not a string with enough entropy')
  // step 8: htm
  if (p.htm !== exp.method) throw new Error(`step 8: htm ${String(p.htm)} is not ${exp.method}`)
  // step 9: htu, without query and fragment
  const u = new URL(exp.url)
  const want = `${u.protocol}//${u.host}${u.pathname}`
  if (p.htu !== want) throw new Error(`step 9: htu ${String(p.htu)} is not ${want}`)
  if (typeof p.htu === 'string' && /[?#]/.test(p.htu)) throw new Error('step 9: htu has a query or fragment')
  // step 10: nonce
  if (exp.nonce !== undefined && p.nonce !== exp.nonce) throw new Error(`step 10: nonce ${String(p.nonce)} is not ${exp.nonce}`)
  // step 11: iat within the window
  const now = exp.now ?? Math.floor(Date.now() / 1000)
  if (typeof p.iat !== 'number' || Math.abs(now - p.iat) > (exp.window ?? 60)) throw new Error(`step 11: iat ${String(p.iat)} is not near ${now}`)
  const jkt = await calculateJwkThumbprint(jwk, 'sha256')
  // step 12: ath and the key binding
  if (exp.accessToken !== undefined) {
    const ath = createHash('sha256').update(exp.accessToken, 'ascii').digest('base64url')
    if (p.ath !== ath) throw new Error('step 12: ath does not match the access token')
  } else if (p.ath !== undefined) {
    // not wrong in itself, but a token-endpoint proof tokentool makes has no access token to hash
  }
  if (exp.jkt !== undefined && jkt !== exp.jkt) throw new Error(`step 12: the proof's key ${jkt} is not cnf.jkt ${exp.jkt}`)
  return { header: h, payload: p, jkt }
}
