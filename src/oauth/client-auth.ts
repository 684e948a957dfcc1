/**
 * Client authentication at the token endpoint as `token` chooses it: `client_secret_basic`,
 * `client_secret_post`, `private_key_jwt` signed here with `--client-key` (PEM or JWK), a
 * pre-made client assertion (`--client-assertion`: a federated credential such as a CI job's
 * OIDC token, RFC 7523 §2.2), or `none`. Handed to createOAuthClient as `ClientSpec.auth`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @module
 */
import { importJWK, type JWK } from 'jose'
import * as client from 'openid-client'
import { parseSigningKey } from '../core/keys/parse.js'
import { InputError } from '../errors.js'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** What the flags and profile settled on; secrets and key text already resolved. */
export type ClientAuthChoice =
  | { method: 'auto'; secret: string }
  | { method: 'basic'; secret: string }
  | { method: 'post'; secret: string }
  | { method: 'private_key_jwt'; keyText: string; keyWhat: string }
  | { method: 'client_assertion'; assertion: string }
  | { method: 'none' }

/** The openid-client ClientAuth for `choice`; undefined for `auto` (client.ts picks basic or post). */
export async function buildClientAuth(choice: ClientAuthChoice): Promise<client.ClientAuth | undefined> {
  switch (choice.method) {
    case 'auto':
      return undefined
    case 'basic':
      return client.ClientSecretBasic(choice.secret)
    case 'post':
      return client.ClientSecretPost(choice.secret)
    case 'none':
      return client.None()
    case 'client_assertion':
      return clientAssertion(choice.assertion)
    case 'private_key_jwt': {
      const jwk = parseSigningKey(choice.keyText, choice.keyWhat)
      const alg = signingAlg(jwk, choice.keyWhat)
      let key: client.CryptoKey
      try {
        key = (await importJWK({ ...jwk, ext: false }, alg)) as client.CryptoKey
      } catch (e) {
        throw new InputError(`${choice.keyWhat}: cannot use it as a ${alg} signing key: ${(e as Error).message}`)
      }
      return client.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key)
    }
  }
}

/** A JWT made elsewhere, sent as it is: `client_id`, `client_assertion_type`, `client_assertion`. */
export function clientAssertion(jwt: string): client.ClientAuth {
  return (_as, metadata, body) => {
    body.set('client_id', metadata.client_id)
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE)
    body.set('client_assertion', jwt)
  }
}

/** The JWK's `alg`, else the usual one for its key type. */
export function signingAlg(jwk: JWK, what: string): string {
  if (jwk.alg) return jwk.alg
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC') {
    const byCurve: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
    const alg = byCurve[jwk.crv ?? '']
    if (alg) return alg
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  throw new InputError(`${what}: cannot sign a client assertion with a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key (use RSA, EC P-256/384/521 or Ed25519)`)
}
