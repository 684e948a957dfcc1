/**
 * DPoP (RFC 9449) glue: a profile's private JWK as the CryptoKeyPair openid-client's
 * `getDPoPHandle` signs token-endpoint proofs with (and answers `use_dpop_nonce` once), and
 * proofs for a resource server or for `dpop proof`, signed with jose: `typ` dpop+jwt, the
 * public `jwk`, `htm`, `htu` without query and fragment, `iat`, a random `jti`, `ath` when a
 * token goes with it, and the server's `nonce` when it gave one.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @module
 */
import { randomBytes } from 'node:crypto'
import { importJWK, SignJWT, type JWK } from 'jose'
import * as client from 'openid-client'
import { accessTokenHash, dpopAlg, htuOf, publicDpopJwk } from '../core/dpop/key.js'
import { InputError } from '../errors.js'

export interface DpopKey {
  /** The private JWK. */
  jwk: JWK
  /** Its JWS algorithm (ES256 for the generated keys). */
  alg: string
  /** RFC 7638 thumbprint: what `cnf.jkt` of a bound token says. */
  jkt: string
  /** Where it came from, for messages: the profile's key file or `--dpop-key FILE`. */
  label: string
}

/** The key pair openid-client needs: the private half not extractable, the public half extractable. */
export async function dpopKeyPair(key: DpopKey): Promise<client.CryptoKeyPair> {
  try {
    const privateKey = (await importJWK({ ...key.jwk, ext: false }, key.alg)) as client.CryptoKey
    const publicKey = (await importJWK({ ...publicDpopJwk(key.jwk), ext: true }, key.alg, { extractable: true })) as client.CryptoKey
    return { privateKey, publicKey }
  } catch (e) {
    throw new InputError(`${key.label}: cannot use it as a ${key.alg} DPoP key: ${(e as Error).message}`)
  }
}

/** openid-client's DPoP handle for `config`: proofs at the token endpoint, nonces remembered per origin. */
export async function dpopHandle(config: client.Configuration, key: DpopKey): Promise<client.DPoPHandle> {
  return client.getDPoPHandle(config, await dpopKeyPair(key))
}

export interface ProofRequest {
  method: string
  url: URL
  /** The access token the proof accompanies (sets `ath`). */
  accessToken?: string | undefined
  /** The server's `DPoP-Nonce`. */
  nonce?: string | undefined
  now: Date
}

/** One DPoP proof JWT. */
export async function makeProof(key: DpopKey, req: ProofRequest): Promise<string> {
  const { privateKey } = await dpopKeyPair(key)
  const payload: Record<string, unknown> = {
    htm: req.method.toUpperCase(),
    htu: htuOf(req.url),
    ...(req.accessToken !== undefined ? { ath: accessTokenHash(req.accessToken) } : {}),
    ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: publicDpopJwk(key.jwk) })
    .setIssuedAt(Math.floor(req.now.getTime() / 1000))
    .setJti(randomBytes(16).toString('base64url'))
    .sign(privateKey)
}

/** `{ DPoP: handle }` for an openid-client call when the client has a DPoP key, else undefined. */
export const dpopOptions = (handle: client.DPoPHandle | undefined): client.DPoPOptions | undefined => (handle ? { DPoP: handle } : undefined)

export { dpopAlg }
