/**
 * The RFC 7523 jwt-bearer grant for the test provider (oidc-provider has none built in), and
 * a "CI issuer": a signing key the provider trusts, standing in for a CI system's OIDC
 * tokens. `token --assertion` sends such a JWT as the authorization grant; `token
 * --client-assertion` sends one as the client's credential (the provider's own private_key_jwt
 * check then applies, with iss = sub = client_id).
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @module
 */
import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose'
import { errors } from 'oidc-provider'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** A confidential client whose only credential is a JWT from the CI issuer (federated). */
export const FEDERATED_CLIENT_ID = 'tokentool-ci'
/** A public client allowed to use the jwt-bearer grant. */
export const JWT_BEARER_CLIENT_ID = 'tokentool-jwt-bearer'

export interface CiIssuer {
  /** The private key (ES256) as a JWK with `kid`. */
  privateJwk: JWK
  publicJwk: JWK
  /** A JWT signed by the CI issuer's key, valid for `ttl` seconds. */
  mint(claims: Record<string, unknown>, ttl?: number): Promise<string>
}

export async function ciIssuer(): Promise<CiIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  publicJwk.kid = await calculateJwkThumbprint(publicJwk)
  publicJwk.alg = 'ES256'
  publicJwk.use = 'sig'
  const privateJwk = { ...(await exportJWK(privateKey)), kid: publicJwk.kid, alg: 'ES256' }
  return {
    privateJwk,
    publicJwk,
    mint: (claims, ttl = 300) =>
      new SignJWT({ jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid!, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(privateKey),
  }
}

/** Client metadata for `startProvider({ extraClients })`: the federated client and the jwt-bearer client. */
export function ciClients(ci: CiIssuer): Record<string, unknown>[] {
  const machine = { redirect_uris: [], response_types: [] }
  return [
    { ...machine, client_id: FEDERATED_CLIENT_ID, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [ci.publicJwk] }, grant_types: ['client_credentials'] },
    { ...machine, client_id: JWT_BEARER_CLIENT_ID, token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER_GRANT] },
  ]
}

/**
 * Registers the jwt-bearer grant on a started provider (before its first request): the
 * assertion must be signed by the CI issuer, name it as `iss`, be addressed to this provider
 * (`aud` = issuer or token endpoint) and be unexpired; its `sub` becomes the token's subject.
 */
export function registerJwtBearer(provider: any, opts: { issuer: string; ci: CiIssuer; ciIssuerName: string }): void {
  const jwks = createLocalJWKSet({ keys: [opts.ci.publicJwk] })
  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async (ctx: any) => {
      const p = ctx.oidc.params
      if (!p.assertion) throw new errors.InvalidRequest('missing required parameter assertion')
      let sub: string | undefined
      try {
        const { payload } = await jwtVerify(p.assertion, jwks, { issuer: opts.ciIssuerName, audience: [opts.issuer, `${opts.issuer}/token`] })
        sub = payload.sub
      } catch (e) {
        throw new errors.InvalidGrant(`assertion is invalid: ${(e as Error).message}`)
      }
      if (!sub) throw new errors.InvalidGrant('assertion has no sub')
      const at = new provider.AccessToken({ accountId: sub, client: ctx.oidc.client, grantId: `jwt-bearer-${randomUUID()}`, gty: 'jwt-bearer' })
      at.scope = p.scope ? String(p.scope) : undefined
      ctx.oidc.entity('AccessToken', at)
      const value = await at.save()
      ctx.body = { access_token: value, token_type: 'Bearer', expires_in: at.expiration, ...(at.scope ? { scope: at.scope } : {}) }
    },
    ['assertion', 'scope'],
  )
}
