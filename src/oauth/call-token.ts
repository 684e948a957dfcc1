/**
 * The profile as `call`'s token source: the newest stored access token that is still valid
 * (refreshing when none is), and the answer to a claims challenge: a refresh with the claims
 * request first; when refresh cannot (no refresh token, or the server refuses), a sign-in
 * with the claims request, but only when the caller can prompt (a terminal). Without one,
 * the error names the exact `tokentool login --claims ...` to run.
 * @module
 */
import { answerCommands, shellQuote } from '../core/cae/answer.js'
import type { ClaimsRequest } from '../core/cae/claims.js'
import { AuthServerError, TokenInvalidError, UsageError } from '../errors.js'
import type { TokenStore } from '../store/store.js'
import type { AccessTokenEntry, ProfileTokens } from '../store/tokens.js'
import type { CallToken, StepUpRequest, TokenSource } from './call.js'
import type { OAuthClient } from './client.js'
import { refreshProfile, type UserTokenShape } from './user-session.js'

/** A stored token needs this many seconds left to be sent (a request may take a while). */
export const CALL_MIN_TTL = 30

export interface ProfileClient {
  oc: OAuthClient
  /** What shapes the profile's tokens (client, scope, audience, resource), for the cache key. */
  shape: Omit<UserTokenShape, 'issuer' | 'claims'>
  /** The resources the profile signed in for: sent with the refresh so the new token is for the same API. */
  resources?: readonly string[] | undefined
  audience?: string | undefined
}

export interface ProfileTokenSourceOptions {
  store: TokenStore
  profile: string
  now: () => Date
  /** Builds the OAuth client (discovery) only when a token must be obtained. */
  client: () => Promise<ProfileClient>
  /** `--cae`: claims request for a plain refresh (an expired stored token), `cp1` announced. */
  caeClaims?: string | undefined
  /**
   * Interactive sign-in with the claims request (JSON); absent when no terminal is available.
   * Stores the tokens in the profile.
   */
  login?: ((claims: string) => Promise<void>) | undefined
  onWait?: () => void
  /** A new sign-in with the step-up request (RFC 9470); absent when no terminal is available. */
  stepUpLogin?: ((request: StepUpRequest) => Promise<void>) | undefined
  /** A line about a refresh that did not work, before falling back to the sign-in. */
  onRefreshFailed?: (why: string) => void
}

/** The stored access token to send: the newest one still valid for `minTtl` seconds. Pure. */
export function pickStoredToken(tokens: ProfileTokens | undefined, now: Date, minTtl = CALL_MIN_TTL): AccessTokenEntry | undefined {
  const nowSec = Math.floor(now.getTime() / 1000)
  let best: AccessTokenEntry | undefined
  for (const e of Object.values(tokens?.accessTokens ?? {})) {
    if (e.expiresAt !== undefined && e.expiresAt - nowSec <= minTtl) continue
    if (!best || e.obtainedAt > best.obtainedAt) best = e
  }
  return best
}

/** `tokentool login --acr-values X --max-age N`, quoted for a shell. */
export function stepUpCommand(request: StepUpRequest, profile: string): string {
  const p = profile === 'default' ? '' : ` --profile ${shellQuote(profile)}`
  const acr = request.acrValues !== undefined ? ` --acr-values ${shellQuote(request.acrValues)}` : ''
  const maxAge = request.maxAge !== undefined ? ` --max-age ${request.maxAge}` : ''
  return `tokentool${p} login${acr}${maxAge || (acr ? '' : ' --max-age 0')}`
}

const loginHint = (profile: string) => `sign in with: tokentool login${profile === 'default' ? '' : ` --profile ${profile}`}`

export function profileTokenSource(o: ProfileTokenSourceOptions): TokenSource {
  const lockOpts = o.onWait ? { onWait: o.onWait } : {}
  let clientP: Promise<ProfileClient> | undefined
  const client = () => (clientP ??= o.client())

  async function refresh(claims: string | undefined): Promise<CallToken> {
    const pc = await client()
    const result = await refreshProfile(
      o.store,
      o.profile,
      pc.oc,
      { claims, resources: pc.resources, audience: pc.audience },
      { ...pc.shape, claims },
      o.now,
      lockOpts,
    )
    return { accessToken: result.accessToken, tokenType: result.tokenType, source: 'refresh' }
  }

  return {
    async current() {
      const tokens = await o.store.getTokens(o.profile)
      const stored = pickStoredToken(tokens, o.now())
      if (stored) return { accessToken: stored.accessToken, tokenType: stored.tokenType, source: 'stored' }
      if (tokens?.refreshToken) return refresh(o.caeClaims)
      if (tokens && Object.keys(tokens.accessTokens).length > 0) {
        throw new TokenInvalidError(`the access token of profile "${o.profile}" has expired and there is no refresh token`, { hint: loginHint(o.profile) })
      }
      throw new UsageError(`profile "${o.profile}" has no access token`, { hint: loginHint(o.profile) })
    },

    async stepUp(request: StepUpRequest) {
      // a refresh cannot raise the authentication level: only a new sign-in can
      if (!o.stepUpLogin) {
        throw new TokenInvalidError('the API asks for a stronger or more recent sign-in (RFC 9470 step-up)', {
          hint: `no terminal to sign in from: run ${stepUpCommand(request, o.profile)}`,
        })
      }
      await o.stepUpLogin(request)
      const stored = pickStoredToken(await o.store.getTokens(o.profile), o.now(), 0)
      if (!stored) throw new TokenInvalidError('the sign-in stored no access token')
      return { accessToken: stored.accessToken, tokenType: stored.tokenType, source: 'login' }
    },

    async answer(claims: string, _challenge, request: ClaimsRequest) {
      const commands = answerCommands(request, { profile: o.profile })
      await client() // a missing issuer or client is the user's to fix, not a reason to sign in
      try {
        return await refresh(claims)
      } catch (err) {
        // no refresh token (UsageError) or the server would not (invalid_grant, interaction_required, ...)
        const cannot = err instanceof UsageError || err instanceof AuthServerError
        if (!cannot) throw err
        if (o.login) {
          o.onRefreshFailed?.(err.message)
          await o.login(claims)
          const stored = pickStoredToken(await o.store.getTokens(o.profile), o.now(), 0)
          if (!stored) throw new TokenInvalidError('the sign-in stored no access token')
          return { accessToken: stored.accessToken, tokenType: stored.tokenType, source: 'login' }
        }
        const hint = `no terminal to sign in from: run ${commands.login}`
        if (err instanceof AuthServerError) {
          throw new AuthServerError(err.error, `${err.errorDescription ?? 'refresh with the claims request refused'}`, { cause: err, status: err.status, hint })
        }
        throw new TokenInvalidError(`the API asks for claims the stored token lacks, and ${err.message}`, { hint })
      }
    },
  }
}
