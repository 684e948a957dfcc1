/**
 * The user's session in a profile: storing what a login returned, and refreshing under the
 * profile lock so that a rotating refresh token is spent exactly once even when many
 * tokentool processes run at the same time. The tokens a user holds (from login, device flow
 * or refresh) share one cache key shape, so `token` finds what `login` stored.
 * @module
 */
import { cacheKey, normalizeKeyParts, type CacheKeyParts } from '../core/cache-key.js'
import { isDateSeconds } from '../core/time.js'
import { bindingExtra } from '../core/token-decision.js'
import { AuthServerError, StoreError, UsageError } from '../errors.js'
import type { TokenStore } from '../store/store.js'
import { withAccessToken, withIdToken, withRefreshToken, type ProfileTokens } from '../store/tokens.js'
import type { OAuthClient } from './client.js'
import { BodylessRefusal } from './errors.js'
import { refreshGrant, type RefreshResult } from './refresh.js'
import type { GrantParams, TokenResult } from './tokens.js'

/**
 * The grant name in the cache key of every token obtained on the user's behalf, whatever
 * the grant that produced it: a refreshed token answers the same request as the login's.
 */
export const USER_GRANT = 'authorization_code'

/** What shaped a user token, as the cache key sees it. */
export interface UserTokenShape {
  issuer: string
  clientId: string
  scope?: string | undefined
  audience?: string | readonly string[] | undefined
  resource?: string | readonly string[] | undefined
  /** Claims request (JSON text or object). */
  claims?: unknown
  /** The DPoP key's thumbprint when the tokens are DPoP-bound. */
  dpopJkt?: string | undefined
  /** RFC 9396 authorization details (compact JSON). */
  authorizationDetails?: string | undefined
  /** RFC 8705: the client certificate's `x5t#S256` when the tokens are certificate-bound. */
  mtlsX5t?: string | undefined
}

export function userCacheKeyParts(s: UserTokenShape): CacheKeyParts {
  return { issuer: s.issuer, clientId: s.clientId, grant: USER_GRANT, scope: s.scope, audience: s.audience, resource: s.resource, claims: s.claims, extra: bindingExtra(s.dpopJkt, s.authorizationDetails, s.mtlsX5t) }
}

/** Pure: the profile's tokens with `result` stored (access, refresh unless none came, ID token). */
export function mergeTokenResult(
  current: ProfileTokens | undefined,
  result: TokenResult,
  shape: UserTokenShape,
  now: Date,
  opts: { replaceSession: boolean },
): ProfileTokens {
  const at = Math.floor(now.getTime() / 1000)
  const parts = userCacheKeyParts(shape)
  // a new login starts a new session: tokens of the old one must not linger
  let next: ProfileTokens = opts.replaceSession || current?.issuer !== shape.issuer || current?.clientId !== shape.clientId
    ? { version: 1, accessTokens: {} }
    : current
  next = { ...next, issuer: shape.issuer, clientId: shape.clientId }
  next = withAccessToken(next, {
    accessToken: result.accessToken,
    tokenType: result.tokenType,
    ...(result.expiresAt !== undefined ? { expiresAt: result.expiresAt } : {}),
    ...(result.scope !== undefined ? { scope: result.scope } : {}),
    cacheKey: cacheKey(parts),
    shape: normalizeKeyParts(parts),
    obtainedAt: at,
  }, now)
  if (result.refreshToken) {
    const scope = result.scope ?? next.refreshToken?.scope ?? shape.scope
    next = withRefreshToken(next, { value: result.refreshToken, obtainedAt: at, ...(scope ? { scope } : {}) })
  }
  if (result.idToken) {
    const exp = result.idTokenClaims?.exp
    next = withIdToken(next, { value: result.idToken, obtainedAt: at, ...(isDateSeconds(exp) ? { expiresAt: exp } : {}) })
  }
  return next
}

/**
 * Whether a refresh failure means the refresh token is dead: `invalid_grant`, or a 400/401 with
 * no OAuth error at all (glewlwyd, after its reuse detection revoked the chain, answers so).
 */
function rejectsRefreshToken(err: unknown): err is AuthServerError {
  if (!(err instanceof AuthServerError)) return false
  return err.error === 'invalid_grant' || (err instanceof BodylessRefusal && (err.status === 400 || err.status === 401))
}

/** Stores a login's tokens in the profile (under its lock). */
export async function storeLogin(store: TokenStore, profile: string, result: TokenResult, shape: UserTokenShape, now: Date): Promise<void> {
  await store.withLock(profile, async () => {
    const current = await store.getTokens(profile)
    await store.saveTokens(profile, mergeTokenResult(current, result, shape, now, { replaceSession: true }))
  })
}

export interface ProfileRefresh extends GrantParams {
  /** Use this refresh token instead of the stored one (`--refresh-token`). */
  refreshToken?: string | undefined
}

export interface ProfileRefreshResult extends RefreshResult {
  /** Whether a refresh token is stored in the profile afterwards. */
  refreshTokenStored: boolean
}

/**
 * Refreshes the profile's session: under the profile lock, read the stored refresh token,
 * spend it, store what came back (a rotated refresh token replaces the old one before the
 * lock is released). A stored refresh token the server rejects with `invalid_grant` is
 * removed, so later runs do not keep spending it.
 */
export async function refreshProfile(
  store: TokenStore,
  profile: string,
  oc: OAuthClient,
  req: ProfileRefresh,
  shape: Omit<UserTokenShape, 'issuer'>,
  now: () => Date,
  lockOpts: {
    onWait?: () => void
    /**
     * Checked under the lock before spending the refresh token: a result here (e.g. `token`
     * finding the access token that another process just stored) is returned instead.
     */
    reuse?: (current: ProfileTokens | undefined) => ProfileRefreshResult | undefined
    /**
     * The request carried a sender constraint the session may not be bound to (a certificate given
     * on the command line): a rejection may be about that, so the stored refresh token is kept and
     * this says so instead.
     */
    keepOnRejection?: string
  } = {},
): Promise<ProfileRefreshResult> {
  const issuer = oc.metadata.issuer
  const fullShape: UserTokenShape = { ...shape, issuer }
  return store.withLock(
    profile,
    async () => {
      const current = await store.getTokens(profile)
      const reused = lockOpts.reuse?.(current)
      if (reused) return reused
      const stored = current?.refreshToken?.value
      if (req.refreshToken === undefined && stored && current?.issuer !== undefined && current.issuer !== issuer) {
        // never hand a refresh token to a server other than the one that issued it
        throw new UsageError(`the refresh token of profile "${profile}" was issued by ${current.issuer}, not ${issuer}`, {
          hint: `sign in at the new server with: tokentool login --profile ${profile} --issuer ${issuer}`,
        })
      }
      const refreshToken = req.refreshToken ?? stored
      if (!refreshToken) {
        throw new UsageError(`profile "${profile}" has no refresh token`, {
          hint: `sign in with: tokentool login --profile ${profile} --scope "openid offline_access"`,
        })
      }
      let result: RefreshResult
      try {
        result = await refreshGrant(oc, { ...req, refreshToken })
      } catch (err) {
        if (rejectsRefreshToken(err) && lockOpts.keepOnRejection !== undefined) {
          throw new AuthServerError(err.error, err.errorDescription, { cause: err, status: err.status, hint: lockOpts.keepOnRejection })
        }
        if (rejectsRefreshToken(err) && req.refreshToken === undefined && current) {
          await store.saveTokens(profile, withRefreshToken(current, undefined))
          throw new AuthServerError(err.error, err.errorDescription, {
            cause: err,
            status: err.status,
            hint: `the stored refresh token was rejected and removed; sign in again with: tokentool login --profile ${profile}`,
          })
        }
        throw err
      }
      // keep the refresh token we spent when the server does not rotate
      const withRt: TokenResult = { ...result, refreshToken: result.refreshToken ?? refreshToken }
      const sameSession = current !== undefined && current.issuer === issuer && current.clientId === shape.clientId
      const next = mergeTokenResult(sameSession ? current : undefined, withRt, fullShape, now(), { replaceSession: false })
      try {
        await store.saveTokens(profile, next)
      } catch (err) {
        if (!(err instanceof StoreError)) throw err
        const rotated = result.refreshToken !== undefined && result.refreshToken !== refreshToken
        // The write is atomic: the file still holds the old refresh token. When the server
        // rotated it, that one is spent and the new one is lost: no retry can bring it back.
        throw new StoreError(
          rotated
            ? `the server rotated the refresh token of profile "${profile}" but the new one could not be saved (${err.message}): the old one is spent and the session is lost`
            : `the refreshed tokens of profile "${profile}" could not be saved (${err.message}); the stored refresh token is still usable`,
          { cause: err, hint: rotated ? `make room, then sign in again: tokentool login --profile ${profile}` : 'make room, then run again' },
        )
      }
      return { ...result, refreshTokenStored: true }
    },
    // many processes may queue behind one another (a CI fan-out); a dead holder is detected by pid anyway
    { timeoutMs: 60_000, ...(lockOpts.onWait ? { onWait: lockOpts.onWait } : {}) },
  )
}
