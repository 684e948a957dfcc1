/**
 * The session engine of `tokentool simulate`: steps from event to event (login, refreshes,
 * activity changes, revocation, session end), never minute by minute, so a year of refreshes
 * costs one step per refresh. The model is written out in the README; in short:
 * - login at 0 issues an access token (expires at 0 + accessTtl) and a refresh token
 *   (expires at min(0 + sliding, absolute));
 * - a token is valid at t when t < its expiry;
 * - the client refreshes `refreshBefore` ahead of its access token's expiry, or at the start of
 *   its next active window when that moment falls while it is inactive;
 * - a refresh at t succeeds while the refresh token is valid and issues both tokens anew;
 *   otherwise the session ended when the refresh token expired (or was revoked).
 * Pure.
 * @module
 */
import { ActivityCursor, type Window } from './windows.js'

/** Why a session ended. `revoked` is an addition to the contract's three, for `--revoke-at`. */
export type EndReason = 'absolute' | 'sliding' | 'revoked' | 'horizon'

/** Which limit set a refresh token's expiry when it was issued. */
export type RefreshLimit = 'absolute' | 'sliding' | 'none'

export type EventType =
  | 'login'
  | 'refresh'
  | 'active'
  | 'inactive'
  | 'access-expired'
  | 'revoke'
  | 'session-end'
  | 'reauth-required'

export interface SimEvent {
  /** Seconds from login. */
  at: number
  type: EventType
  /** Expiry of the newest access token after this event (may already be past). */
  accessExpiresAt: number
  /** Expiry of the refresh token after this event (Infinity: never); a revocation sets it to the revocation time. */
  refreshExpiresAt: number
  /** On login and refresh: the limit that set the new refresh token's expiry. */
  refreshLimit?: RefreshLimit
  /** On session-end. */
  reason?: EndReason
}

export interface SessionParams {
  absolute: number | null
  sliding: number | null
  accessTtl: number
  refreshBefore: number
  /** Sorted, non-overlapping, non-touching windows. */
  active: readonly Window[]
  horizon: number
  revokeAt: number | null
}

export interface Session {
  /** Token sets issued: the login's and one per successful refresh. */
  tokensIssued: number
  refreshes: number
  sessionEnd: { at: number; reason: EndReason }
  /** When the client needed a refresh and could not get one; null when not within the horizon. */
  reauthRequiredAt: number | null
  lastAccessToken: {
    issuedAt: number
    expiresAt: number
    /** How long it stays valid after the session ended; null when the horizon came first. */
    overhang: number | null
  }
  /** In time order; ties in the order of PRECEDENCE. */
  events: SimEvent[]
}

/** Order of events at the same instant: activity first, a revocation beats a refresh at that instant. */
export const PRECEDENCE: Record<EventType, number> = {
  login: 0,
  active: 1,
  inactive: 1,
  revoke: 2,
  refresh: 3,
  'access-expired': 4,
  'session-end': 5,
  'reauth-required': 6,
}

type Pending = Pick<SimEvent, 'at' | 'type'>

const before = (e: Pending, at: number, type: EventType): boolean =>
  e.at < at || (e.at === at && PRECEDENCE[e.type] < PRECEDENCE[type])

const byTime = (a: Pending, b: Pending): number => a.at - b.at || PRECEDENCE[a.type] - PRECEDENCE[b.type]

/** Runs one session from login to its end (or the horizon). */
export function simulateSession(p: SessionParams): Session {
  const { accessTtl, refreshBefore, horizon } = p
  const revokeAt = p.revokeAt ?? Infinity
  const issueRefresh = (t: number): [number, RefreshLimit] => {
    const slidingEnd = p.sliding === null ? Infinity : t + p.sliding
    const absoluteEnd = p.absolute ?? Infinity
    if (slidingEnd === Infinity && absoluteEnd === Infinity) return [Infinity, 'none']
    // at a tie the absolute limit is what stops it: no refresh could extend it
    return absoluteEnd <= slidingEnd ? [absoluteEnd, 'absolute'] : [slidingEnd, 'sliding']
  }

  const external = externalEvents(p)
  let next = 0
  const events: SimEvent[] = []
  let accessIssuedAt = 0
  let accessExp = accessTtl
  let [refreshExp, refreshLimit] = issueRefresh(0)
  events.push({ at: 0, type: 'login', accessExpiresAt: accessExp, refreshExpiresAt: refreshExp, refreshLimit })

  /** Emits the external events (activity changes) that come before (at, type). */
  const drain = (at: number, type: EventType): void => {
    while (next < external.length && before(external[next]!, at, type)) {
      const e = external[next++]!
      events.push({ at: e.at, type: e.type, accessExpiresAt: accessExp, refreshExpiresAt: refreshExp })
    }
  }

  const cursor = new ActivityCursor(p.active)
  let refreshes = 0
  let due: number
  for (;;) {
    due = cursor.nextActive(accessExp - refreshBefore)
    const cutoff = Math.min(refreshExp, revokeAt)
    // the client acts within [0, horizon): at a tie the horizon comes first
    if (!(due < horizon && due < cutoff)) break
    if (accessExp < due) {
      // the client was away when its access token fell due: it lapses before the refresh
      drain(accessExp, 'access-expired')
      events.push({ at: accessExp, type: 'access-expired', accessExpiresAt: accessExp, refreshExpiresAt: refreshExp })
    }
    drain(due, 'refresh')
    accessIssuedAt = due
    accessExp = due + accessTtl
    ;[refreshExp, refreshLimit] = issueRefresh(due)
    refreshes++
    events.push({ at: due, type: 'refresh', accessExpiresAt: accessExp, refreshExpiresAt: refreshExp, refreshLimit })
  }

  // No further refresh: either the refresh token is gone before the client needs it, or the
  // horizon comes first.
  const revoked = revokeAt < refreshExp
  const cutoff = revoked ? revokeAt : refreshExp
  const sessionEnd: Session['sessionEnd'] =
    cutoff <= horizon
      ? { at: cutoff, reason: revoked ? 'revoked' : (refreshLimit as 'absolute' | 'sliding') }
      : { at: horizon, reason: 'horizon' }
  const reauthRequiredAt = sessionEnd.reason !== 'horizon' && due < horizon ? due : null

  // The aftermath, all at or after the last refresh: activity changes up to the end, the last
  // access token's expiry, the revocation, the end and the failed refresh.
  const after: Pending[] = external
    .slice(next)
    .filter((e) => e.type === 'revoke' || e.at <= sessionEnd.at)
  if (accessExp <= horizon) after.push({ at: accessExp, type: 'access-expired' })
  after.push({ at: sessionEnd.at, type: 'session-end' })
  if (reauthRequiredAt !== null) after.push({ at: reauthRequiredAt, type: 'reauth-required' })
  after.sort(byTime)
  for (const e of after) {
    const refreshExpiresAt = revokeAt <= e.at && revoked ? revokeAt : refreshExp
    const event: SimEvent = { at: e.at, type: e.type, accessExpiresAt: accessExp, refreshExpiresAt }
    if (e.type === 'session-end') event.reason = sessionEnd.reason
    events.push(event)
  }

  return {
    tokensIssued: refreshes + 1,
    refreshes,
    sessionEnd,
    reauthRequiredAt,
    lastAccessToken: {
      issuedAt: accessIssuedAt,
      expiresAt: accessExp,
      overhang: sessionEnd.reason === 'horizon' ? null : Math.max(0, accessExp - sessionEnd.at),
    },
    events,
  }
}

/** Activity changes and the revocation, in time order, within the horizon. */
function externalEvents(p: SessionParams): Pending[] {
  const out: Pending[] = []
  const first = p.active[0]
  if (!first || first.from > 0) out.push({ at: 0, type: 'inactive' })
  for (const w of p.active) {
    if (w.from > 0) out.push({ at: w.from, type: 'active' })
    if (Number.isFinite(w.to)) out.push({ at: w.to, type: 'inactive' })
  }
  if (p.revokeAt !== null) out.push({ at: p.revokeAt, type: 'revoke' })
  return out.filter((e) => e.at <= p.horizon).sort(byTime)
}
