/**
 * Time claims (`exp`, `nbf`, `iat`, `auth_time`, `updated_at`) as absolute ISO times, relative
 * wording ("expired 3h ago") and a state per claim, evaluated at a given `now`. Pure.
 * @module
 */
import { epochSeconds, relative } from '../time.js'
import type { JsonObject } from './split.js'

export const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time', 'updated_at'] as const
export type TimeClaim = (typeof TIME_CLAIMS)[number]

/**
 * - `expired` / `valid` for `exp`; `not_yet_valid` / `valid` for `nbf`;
 * - `future` for an `iat`, `auth_time` or `updated_at` after `now` (a clock problem);
 * - `past` for those otherwise; `invalid` when the value is not a number of seconds.
 */
export type TimeState = 'valid' | 'expired' | 'not_yet_valid' | 'past' | 'future' | 'invalid'

export interface TimeInfo {
  claim: TimeClaim
  /** The claim's value as found. */
  value: unknown
  /** ISO 8601 UTC; absent when the value is not a usable number. */
  iso?: string
  /** value − now, seconds; positive is in the future. */
  inSeconds?: number
  /** "expires in 42m", "expired 3h ago", "issued 5m ago", ... */
  relative: string
  state: TimeState
}

/** The token's overall state at `now`, from `exp` and `nbf`. */
export type TokenTimeState = 'valid' | 'expired' | 'not_yet_valid' | 'no_expiry'

export interface TimesResult {
  now: string
  state: TokenTimeState
  /** exp − iat, seconds, when both are numbers. */
  lifetimeSeconds?: number
  claims: Partial<Record<TimeClaim, TimeInfo>>
}

/** Largest plausible seconds value; beyond it the number is likely milliseconds (year 5138+). */
const MAX_SECONDS = 1e11

const VERB: Record<TimeClaim, { future: string; past: string }> = {
  exp: { future: 'expires in', past: 'expired' },
  nbf: { future: 'not valid until', past: 'valid since' },
  iat: { future: 'issued in the future:', past: 'issued' },
  auth_time: { future: 'authenticated in the future:', past: 'authenticated' },
  updated_at: { future: 'updated in the future:', past: 'updated' },
}

/** Describes one time claim at `now`. */
export function describeTime(claim: TimeClaim, value: unknown, now: Date): TimeInfo {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { claim, value, relative: `not a number of seconds (${JSON.stringify(value) ?? String(value)})`, state: 'invalid' }
  }
  if (Math.abs(value) >= MAX_SECONDS) {
    return { claim, value, relative: 'out of range (milliseconds instead of seconds?)', state: 'invalid' }
  }
  const nowS = epochSeconds(now)
  const inSeconds = Math.round(value) - nowS
  const iso = new Date(Math.round(value) * 1000).toISOString().replace('.000Z', 'Z')
  const rel = relative(inSeconds) // "in 42m" | "3h ago" | "now"
  const verb = VERB[claim]
  let state: TimeState
  let text: string
  switch (claim) {
    case 'exp':
      state = inSeconds <= 0 ? 'expired' : 'valid'
      text = state === 'expired' ? (inSeconds === 0 ? 'expired just now' : `expired ${rel}`) : `expires ${rel}`
      break
    case 'nbf':
      state = inSeconds > 0 ? 'not_yet_valid' : 'valid'
      text = state === 'not_yet_valid' ? `not valid until ${rel}` : inSeconds === 0 ? 'valid since now' : `valid since ${rel}`
      break
    default:
      state = inSeconds > 0 ? 'future' : 'past'
      text = state === 'future' ? `${verb.future} ${rel}` : inSeconds === 0 ? `${verb.past} just now` : `${verb.past} ${rel}`
  }
  return { claim, value, iso, inSeconds, relative: text, state }
}

/** Every time claim present in `payload`, and the token's state at `now`. */
export function describeTimes(payload: JsonObject, now: Date): TimesResult {
  const claims: TimesResult['claims'] = {}
  for (const c of TIME_CLAIMS) if (c in payload) claims[c] = describeTime(c, payload[c], now)
  let state: TokenTimeState = claims.exp && claims.exp.state !== 'invalid' ? 'valid' : 'no_expiry'
  if (claims.nbf?.state === 'not_yet_valid') state = 'not_yet_valid'
  if (claims.exp?.state === 'expired') state = 'expired'
  const result: TimesResult = { now: new Date(epochSeconds(now) * 1000).toISOString().replace('.000Z', 'Z'), state, claims }
  const { exp, iat } = payload
  if (typeof exp === 'number' && typeof iat === 'number' && claims.exp?.state !== 'invalid' && claims.iat?.state !== 'invalid') {
    result.lifetimeSeconds = Math.round(exp - iat)
  }
  return result
}
