/**
 * The revocation report of `tokentool simulate --revoke-at T`: after a revocation (user
 * disabled, token stolen), how long does access go on with (a) self-contained JWT access
 * tokens, (b) reference tokens checked by introspection, (c) CAE with long-lived tokens, and
 * (d) the same long-lived tokens without CAE. Pure.
 * @module
 */
import type { Session } from './engine.js'

export type ExposureKind = 'jwt' | 'reference' | 'cae' | 'long-lived'

export interface ExposureRow {
  kind: ExposureKind
  /** Lifetime of the access tokens this row is about. */
  accessTtl: number
  /** Expiry of the newest access token valid at the revocation; null when none was valid. */
  tokenExpiresAt: number | null
  /** How long access goes on after the revocation. */
  continuesFor: number
  /** When access stops (revocation time + continuesFor). */
  until: number
  /** (b): how long a resource server caches an introspection answer. (c): how soon CAE enforces the event. */
  enforcedWithin?: number
}

export interface Exposure {
  revokeAt: number
  rows: ExposureRow[]
}

export interface ExposureInput {
  revokeAt: number
  /** The session with ordinary access tokens, and with long-lived (CAE-extended) ones. */
  ordinary: { session: Session; accessTtl: number }
  long: { session: Session; accessTtl: number }
  introspectionCache: number
  caeLatency: number
}

/**
 * The newest access token issued at or before t that is still valid at t (a token issued
 * earlier expires earlier, so the newest one is the one that lives longest).
 */
export function accessTokenAt(session: Session, accessTtl: number, t: number): { issuedAt: number; expiresAt: number } | null {
  const events = session.events
  // binary search: the last event at or before t
  let lo = 0
  let hi = events.length - 1
  let last = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (events[mid]!.at <= t) {
      last = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  for (let i = last; i >= 0; i--) {
    const e = events[i]!
    if (e.type === 'login' || e.type === 'refresh') {
      const expiresAt = e.at + accessTtl
      return t < expiresAt ? { issuedAt: e.at, expiresAt } : null
    }
  }
  return null
}

export function compareExposure(input: ExposureInput): Exposure {
  const t = input.revokeAt
  const remaining = (s: ExposureInput['ordinary']): [number | null, number] => {
    const token = accessTokenAt(s.session, s.accessTtl, t)
    return token ? [token.expiresAt, token.expiresAt - t] : [null, 0]
  }
  const [ordinaryExp, ordinaryLeft] = remaining(input.ordinary)
  const [longExp, longLeft] = remaining(input.long)
  const row = (kind: ExposureKind, accessTtl: number, tokenExpiresAt: number | null, continuesFor: number, enforcedWithin?: number): ExposureRow => ({
    kind,
    accessTtl,
    tokenExpiresAt,
    continuesFor,
    until: t + continuesFor,
    ...(enforcedWithin === undefined ? {} : { enforcedWithin }),
  })
  return {
    revokeAt: t,
    rows: [
      row('jwt', input.ordinary.accessTtl, ordinaryExp, ordinaryLeft),
      // an introspection answer is never cached past the token's own expiry
      row('reference', input.ordinary.accessTtl, ordinaryExp, Math.min(input.introspectionCache, ordinaryLeft), input.introspectionCache),
      row('cae', input.long.accessTtl, longExp, Math.min(input.caeLatency, longLeft), input.caeLatency),
      row('long-lived', input.long.accessTtl, longExp, longLeft),
    ],
  }
}
