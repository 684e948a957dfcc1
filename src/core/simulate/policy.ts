/**
 * Refresh-token expiry policy for `tokentool simulate`: the presets of the policy table and
 * the resolution of flags (raw strings) into a validated policy in seconds. Pure.
 * @module
 */
import { UsageError } from '../../errors.js'
import { formatDuration, parseDuration } from '../duration.js'
import { ALWAYS, parseWindows, type Window } from './windows.js'

const MINUTE = 60
const HOUR = 3600
const DAY = 86400

export type PresetName = 'e-government' | 'enterprise' | 'consumer'

/** One row of the policy table that people choose from. */
export interface Preset {
  name: PresetName
  scenario: string
  absolute: number
  sliding: number
  /** What the table promises, in token sets (login plus refreshes) before logging in again. */
  promisedTokenSets: number
}

export const PRESETS: Record<PresetName, Preset> = {
  'e-government': { name: 'e-government', scenario: 'e-government (tax form)', absolute: 4 * HOUR, sliding: HOUR, promisedTokenSets: 4 },
  enterprise: { name: 'enterprise', scenario: 'enterprise (issue tracker)', absolute: 8 * HOUR, sliding: HOUR, promisedTokenSets: 8 },
  consumer: { name: 'consumer', scenario: 'consumer (social media)', absolute: 30 * DAY, sliding: HOUR, promisedTokenSets: 720 },
}

/** The flags as typed, before any parsing (commander hands over strings). */
export interface SimulateFlags {
  preset?: string
  absolute?: string
  sliding?: string
  accessTtl?: string
  refreshBefore?: string
  active?: string
  horizon?: string
  revokeAt?: string
  introspectionCache?: string
  /** `--cae` alone is `true`; `--cae 20h` gives the CAE token lifetime. */
  cae?: string | boolean
  caeLatency?: string
}

export const DEFAULTS = {
  accessTtl: HOUR,
  refreshBefore: MINUTE,
  /** Horizon when there is no absolute limit; otherwise the absolute limit plus a day. */
  horizon: 30 * DAY,
  horizonPastAbsolute: DAY,
  /** Longest lifetime of a CAE-extended access token (Microsoft Entra: 20–28h). */
  caeMaxTtl: 28 * HOUR,
  caeLatency: 15 * MINUTE,
  introspectionCache: 0,
} as const

/** Longest horizon accepted: beyond it the numbers stop meaning anything. */
const MAX_HORIZON = 100 * 365 * DAY
/** More refreshes than this would not fit in memory as events; refuse with a clear message. */
export const MAX_REFRESHES = 2_000_000

export interface Policy {
  preset: Preset | null
  /** Hard limit from login, seconds; null when there is none. */
  absolute: number | null
  /** Each refresh gives the refresh token until now + sliding (never past absolute); null when none. */
  sliding: number | null
  /** Lifetime of the session's access tokens (the CAE lifetime with `--cae`). */
  accessTtl: number
  refreshBefore: number
  /** Sorted, non-overlapping activity windows; null means always active. */
  active: Window[] | null
  horizon: number
  revokeAt: number | null
  introspectionCache: number
  /** Whether the session's own access tokens are CAE-extended. */
  cae: boolean
  /** Lifetime of ordinary access tokens, compared in the revocation report. */
  ordinaryAccessTtl: number
  /** Lifetime of long-lived (CAE-extended) access tokens, compared in the revocation report. */
  longAccessTtl: number
  caeLatency: number
}

export interface ResolvedPolicy {
  policy: Policy
  warnings: string[]
}

/** Turns flags into a policy: preset values first, explicit flags over them, then defaults. */
export function resolvePolicy(flags: SimulateFlags): ResolvedPolicy {
  const warnings: string[] = []
  const preset = flags.preset === undefined ? null : presetNamed(flags.preset)

  const absolute = flags.absolute !== undefined ? limit(flags.absolute, '--absolute') : (preset?.absolute ?? null)
  const sliding = flags.sliding !== undefined ? limit(flags.sliding, '--sliding') : (preset?.sliding ?? null)
  const ordinaryAccessTtl = flags.accessTtl !== undefined ? positive(flags.accessTtl, '--access-ttl') : DEFAULTS.accessTtl
  const refreshBefore = flags.refreshBefore !== undefined ? duration(flags.refreshBefore, '--refresh-before') : DEFAULTS.refreshBefore

  const cae = flags.cae !== undefined && flags.cae !== false
  let longAccessTtl: number = DEFAULTS.caeMaxTtl
  if (typeof flags.cae === 'string') {
    longAccessTtl = positive(flags.cae, '--cae')
    if (longAccessTtl > DEFAULTS.caeMaxTtl) {
      throw new UsageError(`--cae: CAE-extended access tokens live at most 28h, not ${formatDuration(longAccessTtl)}`)
    }
  }
  const caeLatency = flags.caeLatency !== undefined ? duration(flags.caeLatency, '--cae-latency') : DEFAULTS.caeLatency
  const introspectionCache =
    flags.introspectionCache !== undefined ? duration(flags.introspectionCache, '--introspection-cache') : DEFAULTS.introspectionCache

  const accessTtl = cae ? longAccessTtl : ordinaryAccessTtl
  const horizon =
    flags.horizon !== undefined
      ? positive(flags.horizon, '--horizon')
      : absolute !== null
        ? absolute + DEFAULTS.horizonPastAbsolute
        : DEFAULTS.horizon
  if (horizon > MAX_HORIZON) throw new UsageError(`--horizon: ${formatDuration(horizon)} is longer than the 100 years tokentool simulates`)

  const active = flags.active !== undefined ? parseWindows(flags.active, '--active') : null
  const revokeAt = flags.revokeAt !== undefined ? duration(flags.revokeAt, '--revoke-at') : null
  if (revokeAt !== null && revokeAt > horizon) {
    throw new UsageError(`--revoke-at ${formatDuration(revokeAt)} is after the horizon (${formatDuration(horizon)})`, {
      hint: `raise --horizon to at least ${formatDuration(revokeAt)}`,
    })
  }

  // The session's tokens, and with --revoke-at also those the revocation report compares.
  const lifetimes: Array<[number, string]> = [[accessTtl, cae ? 'the --cae lifetime' : '--access-ttl']]
  if (revokeAt !== null) lifetimes.push([ordinaryAccessTtl, '--access-ttl'], [longAccessTtl, 'the CAE lifetime'])
  for (const [ttl, name] of lifetimes) {
    if (refreshBefore >= ttl) {
      throw new UsageError(
        `--refresh-before ${formatDuration(refreshBefore)} is not shorter than ${name} (${formatDuration(ttl)}): the client would refresh the moment it got a token`,
      )
    }
    if (horizon / (ttl - refreshBefore) > MAX_REFRESHES) {
      throw new UsageError(
        `a ${formatDuration(horizon)} horizon with ${formatDuration(ttl)} access tokens refreshed ${formatDuration(refreshBefore)} early is more than ${MAX_REFRESHES} refreshes`,
        { hint: 'shorten --horizon or lengthen --access-ttl' },
      )
    }
  }

  if (absolute !== null && sliding !== null && sliding > absolute) {
    warnings.push(
      `--sliding ${formatDuration(sliding)} is longer than --absolute ${formatDuration(absolute)}: the sliding limit never applies and every refresh token lives until the absolute limit`,
    )
  }
  if (active) {
    const late = active.filter((w) => w.from >= horizon)
    if (late.length > 0) warnings.push(`--active: ${late.length} window(s) start at or after the horizon (${formatDuration(horizon)}) and play no part`)
  }

  return {
    policy: {
      preset,
      absolute,
      sliding,
      accessTtl,
      refreshBefore,
      active,
      horizon,
      revokeAt,
      introspectionCache,
      cae,
      ordinaryAccessTtl,
      longAccessTtl,
      caeLatency,
    },
    warnings,
  }
}

/** The windows the engine uses: the given ones, or always active. */
export function activityOf(policy: Pick<Policy, 'active'>): readonly Window[] {
  return policy.active ?? ALWAYS
}

export function presetNamed(name: string): Preset {
  const preset = (PRESETS as Record<string, Preset | undefined>)[name.trim().toLowerCase()]
  if (!preset) throw new UsageError(`--preset: unknown preset "${name}" (choose ${Object.keys(PRESETS).join(', ')})`)
  return preset
}

/** A duration of zero or more seconds. */
function duration(text: string, flag: string): number {
  const s = parseDuration(text, flag)
  if (!Number.isFinite(s) || s > MAX_HORIZON) throw new UsageError(`${flag}: "${text}" is longer than the 100 years tokentool simulates`)
  return s
}

function positive(text: string, flag: string): number {
  const s = duration(text, flag)
  if (s <= 0) throw new UsageError(`${flag}: must be longer than zero`)
  return s
}

/** `--absolute`/`--sliding`: a positive duration, or `none` to drop a preset's limit. */
function limit(text: string, flag: string): number | null {
  if (/^\s*(none|off)\s*$/i.test(text)) return null
  return positive(text, flag)
}
