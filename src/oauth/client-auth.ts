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
import { tagAuth, type AuthTag } from './error-body.js'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** What the flags and profile settled on; secrets and key text already resolved. */
export type ClientAuthChoice =
  | { method: 'auto'; secret: string }
  | { method: 'basic'; secret: string }
  | { method: 'post'; secret: string }
  | { method: 'private_key_jwt'; keyText: string; keyWhat: string; audience?: AssertionAudience | undefined }
  | { method: 'client_assertion'; assertion: string }
  | { method: 'none' }
  /** RFC 8705 §2: the TLS client certificate authenticates; only `client_id` goes in the body. */
  | { method: 'tls_client_auth' | 'self_signed_tls_client_auth' }

/** The openid-client ClientAuth for `choice`; undefined for `auto` (client.ts picks basic or post). */
export async function buildClientAuth(choice: ClientAuthChoice): Promise<client.ClientAuth | undefined> {
  switch (choice.method) {
    case 'auto':
      return undefined
    case 'basic':
      return clientSecretBasic(choice.secret)
    case 'post':
      return tagAuth(client.ClientSecretPost(choice.secret), { method: 'post' })
    case 'none':
      return tagAuth(client.None(), { method: 'none' })
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      return client.TlsClientAuth()
    case 'client_assertion':
      return tagAuth(clientAssertion(choice.assertion), { method: 'client_assertion' })
    case 'private_key_jwt': {
      const jwk = parseSigningKey(choice.keyText, choice.keyWhat)
      const alg = signingAlg(jwk, choice.keyWhat)
      let key: client.CryptoKey
      try {
        key = (await importJWK({ ...jwk, ext: false }, alg)) as client.CryptoKey
      } catch (e) {
        throw new InputError(`${choice.keyWhat}: cannot use it as a ${alg} signing key: ${(e as Error).message}`)
      }
      return privateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key, choice.audience ?? 'issuer')
    }
  }
}

/**
 * RFC 6749 §2.3.1 / Appendix B: each of client id and secret is encoded as
 * application/x-www-form-urlencoded (UTF-8, space as `+`, everything else but the unreserved
 * characters as `%XX`). oauth4webapi's ClientSecretBasic also escapes `- _ . ! ~ * ' ( )`:
 * `webc-secret-1` goes out as `webc%2Dsecret%2D1`, and servers that decode the credentials
 * less thoroughly than they should (glewlwyd, LemonLDAP::NG) reject it. Leaving the RFC 3986
 * unreserved characters (`A-Z a-z 0-9 - . _ ~`) and `*` (which the WHATWG form serializer
 * also leaves) as they are is the same form encoding, decoded alike by every decoder.
 */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()]|%20/g, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
}

/** The Basic credentials exactly as the RFC asks (see formUrlEncode). */
export function basicCredentials(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formUrlEncode(clientId)}:${formUrlEncode(secret)}`, 'utf8').toString('base64')}`
}

/**
 * Secret authentication whose secret is read only when a request sends it (a profile's
 * `env:VAR` or `@file`): a cached token or a userinfo call never needs it. `auto` picks basic
 * or post from the server's metadata as createOAuthClient does; the tag follows the pick.
 */
export function lazySecretAuth(method: 'auto' | 'basic' | 'post', read: () => Promise<string>): client.ClientAuth {
  const tag: AuthTag = { method: method === 'post' ? 'post' : 'basic' }
  let real: Promise<client.ClientAuth> | undefined
  const auth: client.ClientAuth = async (as, metadata, body, headers) => {
    real ??= read().then((secret) => {
      const post = method === 'post' || (method === 'auto' && prefersPost(as.token_endpoint_auth_methods_supported))
      tag.method = post ? 'post' : 'basic'
      return post ? client.ClientSecretPost(secret) : clientSecretBasic(secret)
    })
    await (await real)(as, metadata, body, headers)
  }
  return tagAuth(auth, tag)
}

/** RFC 6749 §2.3.1 makes Basic mandatory: post only for a server that lists post and not Basic. */
export function prefersPost(methods: unknown): boolean {
  return Array.isArray(methods) && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
}

/** client_secret_basic with our encoding. */
export function clientSecretBasic(secret: string): client.ClientAuth {
  const auth: client.ClientAuth = (_as, metadata, _body, headers) => {
    headers.set('authorization', basicCredentials(metadata.client_id, secret))
  }
  return tagAuth(auth, { method: 'basic' })
}

/**
 * The `aud` of a private_key_jwt assertion (`--client-assertion-audience`): the issuer by
 * default (RFC 7523bis), the token endpoint URL (what glewlwyd and some others accept only),
 * or a URL given as is.
 */
export type AssertionAudience = 'issuer' | 'token-endpoint' | { url: string }

/** The assertion audience as saved in the profile: `issuer`, `token-endpoint` or the URL. */
export const assertionAudienceSetting = (a: AssertionAudience): string => (typeof a === 'string' ? a : a.url)

/** private_key_jwt (RFC 7523 §2.2) with the assertion's `aud` as chosen. */
export function privateKeyJwt(key: client.CryptoKey | { key: client.CryptoKey; kid: string }, audience: AssertionAudience): client.ClientAuth {
  const tag = { method: 'private_key_jwt' as const, audience: assertionAudienceSetting(audience) }
  if (audience === 'issuer') return tagAuth(client.PrivateKeyJwt(key), tag)
  return tagAuth((as, metadata, body, headers) => {
    const aud = audience === 'token-endpoint' ? as.token_endpoint : audience.url
    const auth = client.PrivateKeyJwt(key, {
      [client.modifyAssertion]: (_header, payload) => {
        if (aud) payload.aud = aud
      },
    })
    return auth(as, metadata, body, headers)
  }, tag)
}

/** A private key (PEM or JWK text) as openid-client's PrivateKey, e.g. to sign a JAR request object. */
export async function privateSigningKey(keyText: string, what: string): Promise<client.PrivateKey> {
  const jwk = parseSigningKey(keyText, what)
  const alg = signingAlg(jwk, what)
  try {
    const key = (await importJWK({ ...jwk, ext: false }, alg)) as client.CryptoKey
    return jwk.kid ? { key, kid: jwk.kid } : { key }
  } catch (e) {
    throw new InputError(`${what}: cannot use it as a ${alg} signing key: ${(e as Error).message}`)
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
