/**
 * What `decode` adds for sender-constrained tokens and DPoP proofs: whether a `cnf`-bound
 * token's `jkt` (RFC 9449) or `x5t#S256` (RFC 8705) is the thumbprint of the key or
 * certificate at hand, and a proof's request (`htm`, `htu`), its key's thumbprint and whether
 * its `ath` is the hash of a given access token. Pure apart from node:crypto's hash and
 * certificate parser.
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto'
import type { JWK } from 'jose'
import { InputError } from '../../errors.js'
import type { JsonObject } from '../jwt/split.js'
import { accessTokenHash, jwkThumbprint } from './key.js'

export interface BindingCheck {
  /** `cnf.jkt` or `cnf.x5t#S256`. */
  member: 'jkt' | 'x5t#S256'
  /** What it was compared with: "the DPoP key of profile default", "--client-cert cert.pem". */
  against: string
  /** The thumbprint of that key or certificate. */
  thumbprint: string
  matches: boolean
}

export interface DpopProofFacts {
  htm?: string
  htu?: string
  ath?: string
  /** Thumbprint of the proof's `jwk` header: the `cnf.jkt` of the token it may go with. */
  jkt?: string
  /** With an access token given: whether `ath` is its hash. */
  athMatches?: boolean
}

export interface BindingKeys {
  dpop?: { jkt: string; label: string } | undefined
  cert?: { x5t: string; label: string } | undefined
}

/** The `cnf` member a key or certificate at hand can be checked against, compared. */
export function checkBinding(payload: JsonObject | null, keys: BindingKeys): BindingCheck | undefined {
  const cnf = payload?.cnf
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) return undefined
  const c = cnf as JsonObject
  if (typeof c.jkt === 'string' && keys.dpop) {
    return { member: 'jkt', against: keys.dpop.label, thumbprint: keys.dpop.jkt, matches: c.jkt === keys.dpop.jkt }
  }
  const x5t = c['x5t#S256']
  if (typeof x5t === 'string' && keys.cert) {
    return { member: 'x5t#S256', against: keys.cert.label, thumbprint: keys.cert.x5t, matches: x5t === keys.cert.x5t }
  }
  return undefined
}

/** A DPoP proof's request, key and `ath` (checked against `accessToken` when given). */
export function dpopProofFacts(header: JsonObject | null, payload: JsonObject | null, accessToken?: string): DpopProofFacts {
  const f: DpopProofFacts = {}
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const htm = str(payload?.htm)
  const htu = str(payload?.htu)
  const ath = str(payload?.ath)
  if (htm !== undefined) f.htm = htm
  if (htu !== undefined) f.htu = htu
  if (ath !== undefined) f.ath = ath
  const jwk = header?.jwk
  if (jwk !== null && typeof jwk === 'object' && !Array.isArray(jwk)) {
    try {
      f.jkt = jwkThumbprint(jwk as JWK)
    } catch {
      // a jwk without the members a thumbprint needs: nothing to show
    }
  }
  if (accessToken !== undefined) f.athMatches = ath !== undefined && ath === accessTokenHash(accessToken)
  return f
}

/** `x5t#S256` (RFC 8705 §3.1): base64url SHA-256 of the certificate's DER. */
export function certificateThumbprint(pem: string, what: string): string {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(pem)
  } catch (e) {
    throw new InputError(`${what} is not a PEM certificate: ${(e as Error).message}`)
  }
  return createHash('sha256').update(cert.raw).digest('base64url')
}
