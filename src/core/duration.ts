/**
 * Durations of the contract: `90s`, `45m`, `8h`, `5d`, `2w`, `1mo` (30 days), combined
 * (`1h30m`); a bare number is seconds. Pure.
 * @module
 */
import { UsageError } from '../errors.js'

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 7 * 86400,
  mo: 30 * 86400,
  y: 365 * 86400,
}

// `mo` before `m` so that "1mo" is a month, not a minute followed by "o".
const PART = /(\d+(?:\.\d+)?)(mo|s|m|h|d|w|y)/gy

/**
 * Parses a duration into whole seconds. Throws UsageError naming the flag on bad input.
 * @example parseDuration('1h30m') === 5400
 */
export function parseDuration(input: string, what = 'duration'): number {
  const text = input.trim().toLowerCase()
  if (/^\d+$/.test(text)) return Number(text)
  if (text === '') throw new UsageError(`${what}: empty duration (use e.g. 90s, 45m, 8h, 5d, 2w, 1mo, 1h30m)`)
  if (text.startsWith('-')) throw new UsageError(`${what}: "${input}" is negative; a duration must be positive`)
  let total = 0
  let pos = 0
  PART.lastIndex = 0
  for (;;) {
    PART.lastIndex = pos
    const m = PART.exec(text)
    if (!m) break
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!
    pos = PART.lastIndex
  }
  if (pos !== text.length || pos === 0) {
    throw new UsageError(
      `${what}: cannot read "${input}" as a duration (use e.g. 90s, 45m, 8h, 5d, 2w, 1mo, 1h30m)`,
    )
  }
  return Math.round(total)
}

const UNITS = ['d', 'h', 'm', 's'] as const
const SIZES = [86400, 3600, 60, 1] as const

/**
 * Formats seconds compactly: 5400 → "1h30m", 0 → "0s". Negative values get a leading "-".
 * `maxUnits`: only the largest units that are there (`formatDuration(93784, 2)` → "1d2h").
 */
export function formatDuration(seconds: number, maxUnits = 4): string {
  if (seconds < 0) return '-' + formatDuration(-seconds, maxUnits)
  let s = Math.round(seconds)
  if (s === 0) return '0s'
  let out = ''
  let units = 0
  for (let i = 0; i < 4 && units < maxUnits; i++) {
    const size = SIZES[i]!
    if (s >= size) {
      out += `${Math.floor(s / size)}${UNITS[i]}`
      s %= size
      units++
    }
  }
  return out
}
