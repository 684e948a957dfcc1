/**
 * `token`'s network path, loaded only when the cache could not answer: build the client
 * (discovery, client authentication), then, under the profile lock, look at the cache once
 * more (another process may have just stored a token: a CI fan-out refreshes once, not once
 * per job), and only then refresh the user's session or run the machine grant, storing the
 * new token before the lock is released.
 * @module
 */
import type { Deps } from '../deps.js'
import { normalizeKeyParts } from '../core/cache-key.js'
import { machineKeyParts, machineTokenKey, userTokenKey, type MachineGrant, type MachineShape } from '../core/token-decision.js'
import { UsageError } from '../errors.js'
import type { TokenStore } from '../store/store.js'
import { usableAccessToken, withAccessToken, type AccessTokenEntry } from '../store/tokens.js'
import { buildClientAuth, type ClientAuthChoice } from './client-auth.js'
import { clientCredentialsToken, jwtBearerToken } from './client-credentials.js'
import { createOAuthClient, type Endpoints, type OAuthClient } from './client.js'
import type { DpopKey } from './dpop.js'
import { refreshProfile, type ProfileRefreshResult } from './user-session.js'

export type TokenSourceName = 'cache' | 'refresh' | 'client_credentials' | 'jwt_bearer'

/** The token `token` hands out, and where it came from. */
export interface TokenOutcome {
  source: TokenSourceName
  accessToken: string
  tokenType: string
  expiresAt?: number | undefined
  scope?: string | undefined
  /** The token endpoint's response when one was made (for `--json`). */
  response?: Record<string, unknown> | undefined
}

/** What shapes the token, apart from the issuer (known for sure only after discovery). */
export interface RequestShape {
  scope?: string | undefined
  audience?: string | readonly string[] | undefined
  resource?: string | readonly string[] | undefined
  claims?: string | undefined
  dpopJkt?: string | undefined
  authorizationDetails?: string | undefined
}

export interface ObtainTokenRequest {
  store: TokenStore
  profile: string
  /** What the cache check decided: refresh the user's session, or a machine grant. */
  plan: 'refresh' | MachineGrant
  server: { issuer?: string | undefined; endpoints: Endpoints }
  client: { clientId: string; clientSecret?: string | undefined; headers: Record<string, string>; auth: ClientAuthChoice | undefined; clientCert?: { cert: string; key: string } | undefined }
  /** The user's token: the cache key's shape (flags over the profile's settings). */
  user: RequestShape
  /** The refresh request's own parameters (flags only: the refresh token carries the rest). */
  refreshParams: { scope?: string | undefined; resources?: readonly string[] | undefined; audience?: string | undefined; extra?: readonly (readonly [string, string])[] | undefined }
  /** Machine grant, when there are credentials for one: its shape and, for jwt-bearer, the assertion. */
  machine?: (Omit<MachineShape, 'issuer' | 'clientId'> & { assertion?: string | undefined }) | undefined
  minTtl: number
  force: boolean
  onWait?: () => void
  /** Sender-constrain the token with this DPoP key. */
  dpop?: DpopKey | undefined
}

const LOCK_WAIT_MS = 60_000

function fromEntry(e: AccessTokenEntry): TokenOutcome {
  return { source: 'cache', accessToken: e.accessToken, tokenType: e.tokenType, expiresAt: e.expiresAt, scope: e.scope }
}

export async function obtainToken(req: ObtainTokenRequest, deps: Pick<Deps, 'fetch' | 'now'>): Promise<TokenOutcome> {
  const auth = req.client.auth ? await buildClientAuth(req.client.auth) : undefined
  const oc = await createOAuthClient(req.server, { ...req.client, auth, dpop: req.dpop }, deps)
  const useCache = !req.force && !req.user.claims
  if (req.plan === 'refresh') {
    try {
      return await refreshUser(req, oc, deps.now, useCache)
    } catch (err) {
      // the refresh token went away meanwhile (another process found it rejected): a machine
      // grant may still answer; any other failure is the user's to see
      if (!(err instanceof UsageError) || !req.machine) throw err
    }
  }
  if (!req.machine) throw new UsageError('no client credentials for a machine grant')
  return machineGrant(req, req.machine, oc, deps.now, !req.force && !req.machine.claims)
}

async function refreshUser(req: ObtainTokenRequest, oc: OAuthClient, now: () => Date, useCache: boolean): Promise<TokenOutcome> {
  const key = userTokenKey({ ...req.user, issuer: oc.metadata.issuer, clientId: req.client.clientId })
  let reused: AccessTokenEntry | undefined
  const result: ProfileRefreshResult = await refreshProfile(
    req.store,
    req.profile,
    oc,
    { ...req.refreshParams, claims: req.user.claims },
    { clientId: req.client.clientId, ...req.user },
    now,
    {
      ...(req.onWait ? { onWait: req.onWait } : {}),
      reuse: (current) => {
        reused = useCache ? usableAccessToken(current, key, now(), req.minTtl) : undefined
        return reused ? { tokenType: reused.tokenType, accessToken: reused.accessToken, rotated: false, refreshTokenStored: true } : undefined
      },
    },
  )
  if (reused) return fromEntry(reused)
  const response: Record<string, unknown> = {
    access_token: result.accessToken,
    token_type: result.tokenType,
    ...(result.expiresAt !== undefined ? { expires_in: result.expiresAt - Math.floor(now().getTime() / 1000) } : {}),
    ...(result.scope !== undefined ? { scope: result.scope } : {}),
    ...(result.idToken !== undefined ? { id_token: result.idToken } : {}),
    ...(result.authorizationDetails !== undefined ? { authorization_details: result.authorizationDetails } : {}),
    // as `refresh --json`: the refresh token stays in the profile, never on stdout
    refresh_token_stored: true,
    refresh_token_rotated: result.rotated,
  }
  return { source: 'refresh', accessToken: result.accessToken, tokenType: result.tokenType, expiresAt: result.expiresAt, scope: result.scope, response }
}

async function machineGrant(
  req: ObtainTokenRequest,
  m: NonNullable<ObtainTokenRequest['machine']>,
  oc: OAuthClient,
  now: () => Date,
  useCache: boolean,
): Promise<TokenOutcome> {
  const { assertion, ...shapeRest } = m
  const shape: MachineShape = { ...shapeRest, issuer: oc.metadata.issuer, clientId: req.client.clientId }
  const key = machineTokenKey(shape)
  return req.store.withLock(
    req.profile,
    async () => {
      const current = await req.store.getTokens(req.profile)
      const cached = useCache ? usableAccessToken(current, key, now(), req.minTtl) : undefined
      if (cached) return fromEntry(cached)
      const resources = typeof m.resource === 'string' ? [m.resource] : m.resource
      const audience = typeof m.audience === 'string' ? m.audience : m.audience?.[0]
      const params = { scope: m.scope, claims: m.claims, resources, audience, ...(m.authorizationDetails ? { extra: [['authorization_details', m.authorizationDetails]] as const } : {}) }
      let result
      if (m.grant === 'jwt_bearer') {
        if (!assertion) throw new UsageError('the jwt-bearer grant needs --assertion FILE')
        result = await jwtBearerToken(oc, assertion, params)
      } else {
        result = await clientCredentialsToken(oc, params)
      }
      const at = now()
      await req.store.saveTokens(
        req.profile,
        withAccessToken(current, {
          accessToken: result.accessToken,
          tokenType: result.tokenType,
          ...(result.expiresAt !== undefined ? { expiresAt: result.expiresAt } : {}),
          ...(result.scope !== undefined ? { scope: result.scope } : {}),
          cacheKey: key,
          shape: normalizeKeyParts(machineKeyParts(shape)),
          obtainedAt: Math.floor(at.getTime() / 1000),
        }, at),
      )
      return { source: m.grant, accessToken: result.accessToken, tokenType: result.tokenType, expiresAt: result.expiresAt, scope: result.scope, response: result.response }
    },
    { timeoutMs: LOCK_WAIT_MS, ...(req.onWait ? { onWait: req.onWait } : {}) },
  )
}
