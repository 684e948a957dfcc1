/**
 * What the decision about a cached token needs to know of what is stored, as shapes of its
 * own: core does not know the store (store/tokens.ts has the full records, which fit these).
 * The freshness rule lives here and the store uses it, so both sides agree on "usable". Pure.
 * @module
 */
import { epochSeconds } from './time.js'

export interface CachedAccessToken {
  accessToken: string
  tokenType: string
  /** Epoch seconds; absent when the server sent no `expires_in`. */
  expiresAt?: number | undefined
  scope?: string | undefined
}

export interface CachedTokens<E extends CachedAccessToken = CachedAccessToken> {
  /** Whom the refresh token belongs to. */
  clientId?: string | undefined
  accessTokens: Record<string, E>
  refreshToken?: unknown
}

/** The entry under `key` while it has more than `minTtlSeconds` left; a token without an expiry never is. */
export function usableAccessToken<E extends CachedAccessToken>(t: CachedTokens<E> | undefined, key: string, now: Date, minTtlSeconds = 60): E | undefined {
  const e = t?.accessTokens[key]
  if (!e || e.expiresAt === undefined) return undefined
  return e.expiresAt - epochSeconds(now) > minTtlSeconds ? e : undefined
}

/** The access token that lasts longest (what `profiles list` and `status` show), if any. */
export function latestAccessToken<E extends CachedAccessToken>(t: { accessTokens: Record<string, E> } | undefined): E | undefined {
  let best: E | undefined
  for (const e of Object.values(t?.accessTokens ?? {})) {
    if (!best || (e.expiresAt ?? -Infinity) > (best.expiresAt ?? -Infinity)) best = e
  }
  return best
}
