/**
 * A DPoP proof checked as a resource server would (RFC 9449 §4.3): a compact JWS whose `typ`
 * is `dpop+jwt`, signed with an asymmetric algorithm by the public key in its own `jwk`
 * header (and that key holds no private part), `htm` and `htu` of the request (the URL
 * compared without query and fragment), `iat` within the leeway, a `jti`, the server's
 * `nonce` when one was given, and with the access token: `ath` its hash and the key its
 * `cnf.jkt`. Every step is one checklist row, as `verify` shows them.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @module
 */
import { EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { InputError } from '../../errors.js'
import { decodeJwt, type JsonObject } from '../jwt/split.js'
import type { Check } from '../jwt/verify-checks.js'
import { accessTokenHash, htuOf, jwkThumbprint } from './key.js'

export interface ProofCheckInput {
  proof: string
  method: string
  url: URL
  /** Seconds of acceptable difference between `iat` and `now`. */
  leeway: number
  now: Date
  /** The access token it came with: `ath` and `cnf.jkt` are checked against it. */
  accessToken?: { token: string; cnf: unknown } | undefined
  /** The `DPoP-Nonce` the server handed out. */
  nonce?: string | undefined
}

const ASYMMETRIC = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519']
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

const pass = (name: string, detail: string): Check => ({ name, ok: true, detail })
const fail = (name: string, detail: string): Check => ({ name, ok: false, detail })
const skip = (name: string, detail: string): Check => ({ name, ok: true, detail, skipped: true })

/** The checklist rows (names start `dpop `); a proof that is not a JWS at all is an InputError (exit 2). */
export async function checkDpopProof(i: ProofCheckInput): Promise<{ checks: Check[]; header: JsonObject; payload: JsonObject }> {
  let parts
  try {
    parts = decodeJwt(i.proof)
  } catch (e) {
    throw new InputError(`--dpop-proof is not a JWT: ${(e as Error).message}`)
  }
  if (!('payload' in parts)) throw new InputError('--dpop-proof is a JWE: a DPoP proof is a signed JWT')
  const { header, payload } = parts
  const checks: Check[] = []
  checks.push(header.typ === 'dpop+jwt' ? pass('dpop typ', 'dpop+jwt') : fail('dpop typ', `${JSON.stringify(header.typ ?? null)}, not dpop+jwt`))
  const alg = typeof header.alg === 'string' ? header.alg : undefined
  const algOk = alg !== undefined && ASYMMETRIC.includes(alg)
  checks.push(algOk ? pass('dpop alg', alg!) : fail('dpop alg', alg === undefined ? 'no alg' : `${alg} is not an asymmetric signature algorithm`))
  const jwk = header.jwk !== null && typeof header.jwk === 'object' && !Array.isArray(header.jwk) ? (header.jwk as JWK) : undefined
  const privateMember = jwk ? PRIVATE_MEMBERS.find((m) => m in jwk) : undefined
  let jkt: string | undefined
  if (!jwk) checks.push(fail('dpop jwk', 'no jwk header: the proof does not carry its public key'))
  else if (privateMember) checks.push(fail('dpop jwk', `the jwk header holds a private key member (${privateMember})`))
  else {
    try {
      jkt = jwkThumbprint(jwk)
      checks.push(pass('dpop jwk', `public ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key, thumbprint ${jkt}`))
    } catch (e) {
      checks.push(fail('dpop jwk', (e as Error).message))
    }
  }
  if (algOk && jkt !== undefined) {
    try {
      await jwtVerify(i.proof, EmbeddedJWK, { algorithms: [alg!], typ: undefined })
      checks.push(pass('dpop signature', `valid ${alg} signature by the embedded jwk`))
    } catch (e) {
      checks.push(fail('dpop signature', signatureFailure(e)))
    }
  } else {
    checks.push(fail('dpop signature', 'not checked: no usable algorithm and key'))
  }
  const method = i.method.toUpperCase()
  checks.push(payload.htm === method ? pass('dpop htm', method) : fail('dpop htm', `${JSON.stringify(payload.htm ?? null)}, the request is ${method}`))
  const want = htuOf(i.url)
  const htu = typeof payload.htu === 'string' ? payload.htu : undefined
  checks.push(htu !== undefined && sameHtu(htu, want) ? pass('dpop htu', want) : fail('dpop htu', `${JSON.stringify(payload.htu ?? null)}, the request is ${want} (query and fragment ignored)`))
  checks.push(iatCheck(payload.iat, i.now, i.leeway))
  checks.push(typeof payload.jti === 'string' && payload.jti.length > 0 ? pass('dpop jti', `${payload.jti} (a resource keeps it to refuse a replay)`) : fail('dpop jti', 'no jti: the proof cannot be told from a replay'))
  if (i.nonce !== undefined) checks.push(payload.nonce === i.nonce ? pass('dpop nonce', 'the nonce given') : fail('dpop nonce', `${JSON.stringify(payload.nonce ?? null)}, not the nonce given`))
  if (i.accessToken) {
    const ath = accessTokenHash(i.accessToken.token)
    checks.push(payload.ath === ath ? pass('dpop ath', 'the hash of the access token') : fail('dpop ath', payload.ath === undefined ? 'no ath: a proof sent with an access token must carry its hash' : 'not the hash of the access token'))
    const cnf = i.accessToken.cnf as { jkt?: unknown } | undefined
    const bound = cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string' ? cnf.jkt : undefined
    if (bound === undefined) checks.push(fail('dpop cnf.jkt', 'the access token has no cnf.jkt: it is not DPoP-bound (or opaque: introspect it)'))
    else checks.push(jkt === bound ? pass('dpop cnf.jkt', `the proof's key is the token's key (${bound})`) : fail('dpop cnf.jkt', `the token is bound to ${bound}, the proof is signed by ${jkt ?? 'no usable key'}`))
  } else {
    checks.push(skip('dpop ath', 'no access token given: ath and cnf.jkt not checked'))
  }
  return { checks, header, payload }
}

/** RFC 9449 §4.3 step 9 with RFC 3986 §6.2 normalisation: case of scheme and host, default port. */
function sameHtu(a: string, b: string): boolean {
  try {
    return htuOf(new URL(a)) === b
  } catch {
    return false
  }
}

function iatCheck(iat: unknown, now: Date, leeway: number): Check {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('dpop iat', 'no numeric iat')
  const diff = Math.floor(now.getTime() / 1000) - iat
  if (Math.abs(diff) <= leeway) return pass('dpop iat', `${Math.abs(diff)}s ${diff >= 0 ? 'ago' : 'ahead'}, within the ${leeway}s window`)
  return fail('dpop iat', diff > 0 ? `${diff}s old: outside the ${leeway}s window (a resource asks for a new proof)` : `${-diff}s in the future: this machine's clock or the client's is wrong`)
}

function signatureFailure(e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'the signature does not verify with the embedded jwk'
  return `not valid: ${(e as Error).message}`
}
