/**
 * A profile's stored tokens (`tokens/<profile>.json`, 0600): cached access tokens keyed by
 * `cacheKey()` of what shaped them, the refresh token and the ID token. Besides the file
 * shape, this module has pure helpers for reading and updating a ProfileTokens value; file
 * access goes through the TokenStore (store.ts), inside `withLock` for any read-modify-write.
 * Times are epoch seconds, as in an OAuth `expires_at`.
 * @module
 */
import type { NormalizedKeyParts } from '../core/cache-key.js'
import { epochSeconds, isDateSeconds } from '../core/time.js'
import { isObject, versionMismatch, type ShapeCheck } from './atomic-write.js'

export interface AccessTokenEntry {
  accessToken: string
  /** `Bearer`, `DPoP`, ... as the server sent it. */
  tokenType: string
  /** Epoch seconds; absent when the server sent no `expires_in`. */
  expiresAt?: number
  /** The scope the server granted (may differ from the one requested). */
  scope?: string
  /** `cacheKey()` of the request; also the entry's key in `accessTokens`. */
  cacheKey: string
  /** The normalised request that shaped it (`normalizeKeyParts()`), for display. No secrets. */
  shape?: NormalizedKeyParts
  /** Token exchange: the `issued_token_type`. */
  issuedTokenType?: string
  obtainedAt: number
}

export interface RefreshTokenEntry {
  value: string
  obtainedAt: number
  /** Some servers say when it ends (`refresh_expires_in`, Keycloak). */
  expiresAt?: number
  scope?: string
}

export interface IdTokenEntry {
  value: string
  obtainedAt: number
  /** The ID token's `exp`. */
  expiresAt?: number
}

export interface ProfileTokens {
  version: 1
  /** Whom the refresh token belongs to, to notice a profile whose client changed since. */
  issuer?: string
  clientId?: string
  accessTokens: Record<string, AccessTokenEntry>
  refreshToken?: RefreshTokenEntry
  idToken?: IdTokenEntry
}

export const emptyTokens = (): ProfileTokens => ({ version: 1, accessTokens: {} })

/** Whether anything is stored at all. */
export function hasTokens(t: ProfileTokens | undefined): boolean {
  return !!t && (Object.keys(t.accessTokens).length > 0 || !!t.refreshToken || !!t.idToken)
}

/** The freshness rule, shared with core/token-decision.ts (which does not know the store). */
export { usableAccessToken } from '../core/cached-tokens.js'

/** Returns a copy with `entry` stored under its cache key and expired entries dropped. */
export function withAccessToken(t: ProfileTokens | undefined, entry: AccessTokenEntry, now: Date): ProfileTokens {
  const base = t ?? emptyTokens()
  const nowSec = epochSeconds(now)
  const kept = Object.fromEntries(
    Object.entries(base.accessTokens).filter(([, e]) => e.expiresAt === undefined || e.expiresAt > nowSec),
  )
  return { ...base, accessTokens: { ...kept, [entry.cacheKey]: entry } }
}

/** Returns a copy with the refresh token replaced (rotation) or removed (`undefined`: rejected by the server). */
export function withRefreshToken(t: ProfileTokens | undefined, refresh: RefreshTokenEntry | undefined): ProfileTokens {
  const { refreshToken: _old, ...rest } = t ?? emptyTokens()
  return refresh ? { ...rest, refreshToken: refresh } : rest
}

export function withIdToken(t: ProfileTokens | undefined, id: IdTokenEntry | undefined): ProfileTokens {
  const { idToken: _old, ...rest } = t ?? emptyTokens()
  return id ? { ...rest, idToken: id } : rest
}

/** The access token that lasts longest: the rule lives in core, which status shares. */
export { latestAccessToken } from '../core/cached-tokens.js'

const optNumber = (v: unknown) => v === undefined || typeof v === 'number'
const optString = (v: unknown) => v === undefined || typeof v === 'string'

function entryProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'is not an object'
  if (typeof e.value !== 'string' || !e.value) return '"value" is not a string'
  if (typeof e.obtainedAt !== 'number') return '"obtainedAt" is not a number'
  if (!optNumber(e.expiresAt)) return '"expiresAt" is not a number'
  if (!optString(e.scope)) return '"scope" is not a string'
  return undefined
}

function accessProblem(key: string, e: unknown): string | undefined {
  if (!isObject(e)) return 'is not an object'
  if (typeof e.accessToken !== 'string' || !e.accessToken) return '"accessToken" is not a string'
  if (typeof e.tokenType !== 'string') return '"tokenType" is not a string'
  if (e.cacheKey !== key) return '"cacheKey" does not match its key'
  if (typeof e.obtainedAt !== 'number') return '"obtainedAt" is not a number'
  if (!optNumber(e.expiresAt)) return '"expiresAt" is not a number'
  if (!optString(e.scope)) return '"scope" is not a string'
  return undefined
}

export const checkTokens: ShapeCheck<ProfileTokens> = (v) => {
  if (!isObject(v)) return { ok: false, reason: 'not a JSON object' }
  const bad = versionMismatch(v)
  if (bad) return bad
  if (!optString(v.issuer) || !optString(v.clientId)) return { ok: false, reason: '"issuer"/"clientId" is not a string' }
  if (!isObject(v.accessTokens)) return { ok: false, reason: '"accessTokens" is not an object' }
  for (const [k, e] of Object.entries(v.accessTokens)) {
    const p = accessProblem(k, e)
    if (p) return { ok: false, reason: `access token "${k}" ${p}` }
  }
  for (const f of ['refreshToken', 'idToken'] as const) {
    if (v[f] === undefined) continue
    const p = entryProblem(v[f])
    if (p) return { ok: false, reason: `"${f}" ${p}` }
  }
  return { ok: true, value: saneTimes(v as unknown as ProfileTokens) }
}

/**
 * The file with every time a Date can hold. An `expiresAt` of `1e20` (kept by tokentool 0.1.0
 * from a server's `expires_in`) becomes unknown: the token is never served from the cache and is
 * shown as "no expiry known", while its refresh token stays usable. A bad `obtainedAt` becomes 0.
 */
function saneTimes(t: ProfileTokens): ProfileTokens {
  const fix = <E extends { expiresAt?: number; obtainedAt: number }>(e: E): E => {
    if (isDateSeconds(e.expiresAt ?? 0) && isDateSeconds(e.obtainedAt)) return e
    const { expiresAt, ...rest } = e
    return { ...rest, ...(expiresAt !== undefined && isDateSeconds(expiresAt) ? { expiresAt } : {}), obtainedAt: isDateSeconds(e.obtainedAt) ? e.obtainedAt : 0 } as E
  }
  const out: ProfileTokens = { ...t, accessTokens: Object.fromEntries(Object.entries(t.accessTokens).map(([k, e]) => [k, fix(e)])) }
  if (t.refreshToken) out.refreshToken = fix(t.refreshToken)
  if (t.idToken) out.idToken = fix(t.idToken)
  return out
}
