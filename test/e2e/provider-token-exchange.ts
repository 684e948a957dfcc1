/**
 * A small RFC 8693 token exchange grant for the test provider (oidc-provider has none built
 * in). It accepts as `subject_token` an access token, ID token or JWT this provider issued
 * (opaque or JWT), optionally an `actor_token` (delegation: the new token carries `act`),
 * and issues an access token for the requested `resource` (a JWT for the API) or, without
 * one, an opaque token. Scopes may only narrow.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2
 * @module
 */
import { randomUUID } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose'
import { errors } from 'oidc-provider'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const TT = 'urn:ietf:params:oauth:token-type:'

export interface TokenExchangeContext {
  issuer: string
  publicJwks: { keys: JWK[] }
  /** Extra claims for the issued token, read by the provider's `extraTokenClaims`. */
  exchangeExtras: WeakMap<object, Record<string, unknown>>
  getResourceServerInfo: (resource: string) => Promise<Record<string, unknown>>
}

interface Subject {
  sub?: string
  clientId?: string
  scope: string[]
  grantId?: string
}

export function registerTokenExchange(provider: any, tx: TokenExchangeContext): void {
  const jwks = createLocalJWKSet(tx.publicJwks)

  async function resolve(token: string, type: string, what: string): Promise<Subject> {
    if (type === `${TT}access_token` && !token.includes('.')) {
      const at = await provider.AccessToken.find(token)
      if (!at || at.isExpired) throw new errors.InvalidGrant(`${what} is invalid or expired`)
      return { sub: at.accountId, clientId: at.clientId, scope: (at.scope ?? '').split(' ').filter(Boolean), grantId: at.grantId }
    }
    if (type === `${TT}refresh_token`) {
      const rt = await provider.RefreshToken.find(token)
      if (!rt || rt.isExpired || rt.consumed) throw new errors.InvalidGrant(`${what} is invalid or expired`)
      return { sub: rt.accountId, clientId: rt.clientId, scope: (rt.scope ?? '').split(' ').filter(Boolean), grantId: rt.grantId }
    }
    if ([`${TT}access_token`, `${TT}id_token`, `${TT}jwt`].includes(type)) {
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, jwks, { issuer: tx.issuer }))
      } catch (e) {
        throw new errors.InvalidGrant(`${what} is invalid: ${(e as Error).message}`)
      }
      const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
      return { sub: payload.sub, clientId: (payload.client_id as string | undefined) ?? (payload.azp as string | undefined), scope }
    }
    throw new errors.InvalidRequest(`unsupported ${what}_type ${type}`)
  }

  async function tokenExchange(ctx: any): Promise<void> {
    const p = ctx.oidc.params
    const client = ctx.oidc.client
    if (!p.subject_token) throw new errors.InvalidRequest('missing required parameter subject_token')
    if (!p.subject_token_type) throw new errors.InvalidRequest('missing required parameter subject_token_type')
    if (p.requested_token_type && p.requested_token_type !== `${TT}access_token`) {
      throw new errors.InvalidRequest('only access tokens can be requested')
    }
    const subject = await resolve(p.subject_token, p.subject_token_type, 'subject_token')
    let actor: Subject | undefined
    if (p.actor_token) {
      if (!p.actor_token_type) throw new errors.InvalidRequest('actor_token_type is required with actor_token')
      actor = await resolve(p.actor_token, p.actor_token_type, 'actor_token')
    }

    const requested: string[] = p.scope ? String(p.scope).split(' ').filter(Boolean) : subject.scope
    const notGranted = requested.filter((s) => !subject.scope.includes(s))
    if (notGranted.length) throw new errors.InvalidScope('requested scope exceeds the subject token', notGranted.join(' '))

    const at = new provider.AccessToken({
      accountId: subject.sub,
      client,
      grantId: subject.grantId ?? `exchange-${randomUUID()}`,
      gty: 'token-exchange',
    })
    const resource = Array.isArray(p.resource) ? p.resource[0] : p.resource
    if (resource) {
      const info = await tx.getResourceServerInfo(resource)
      at.resourceServer = new provider.ResourceServer(resource, info)
      // the resource's own token lifetime (the provider's ttl.AccessToken number would win otherwise)
      if (typeof info.accessTokenTTL === 'number') at.expiresIn = info.accessTokenTTL
      at.scope = requested.filter((s) => String(info.scope).split(' ').includes(s)).join(' ') || undefined
    } else {
      at.scope = requested.filter((s) => s !== 'offline_access').join(' ') || undefined
      const audience = Array.isArray(p.audience) ? p.audience[0] : p.audience
      if (audience) at.setAudience(audience)
    }
    // delegation (RFC 8693 §4.1): the acting party, or the client itself, in `act`
    const act = actor ? { sub: actor.sub ?? actor.clientId } : undefined
    if (act) tx.exchangeExtras.set(at, { act })

    ctx.oidc.entity('AccessToken', at)
    const value = await at.save()
    ctx.body = {
      access_token: value,
      issued_token_type: `${TT}access_token`,
      token_type: 'Bearer',
      expires_in: at.expiration,
      ...(at.scope ? { scope: at.scope } : {}),
    }
  }

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    tokenExchange,
    ['audience', 'resource', 'scope', 'requested_token_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type'],
    ['audience', 'resource'],
  )
}
