/**
 * `--now` and other absolute times: ISO 8601 or unix seconds. Relative wording for
 * time claims ("expires in 42m", "expired 3h ago"). Pure.
 * @module
 */
import { UsageError } from '../errors.js'
import { formatDuration } from './duration.js'

/**
 * The largest |epoch seconds| a JavaScript Date can hold: ±8.64e15 ms (ECMA-262 §21.4.1.1), the
 * years −271821 to 275760. A "time" beyond it (`exp: 1e20`) is no time at all: `toISOString`
 * throws on it, so every time shown goes through `isoFromSeconds`.
 */
export const MAX_DATE_SECONDS = 8.64e12

/** Whether `v` is a number of epoch seconds some Date can represent. */
export function isDateSeconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_DATE_SECONDS
}

/**
 * Epoch seconds → `2026-01-31T12:00:00Z` (fractions rounded down); undefined for a value no Date
 * can hold, instead of the RangeError `toISOString` throws.
 */
export function isoFromSeconds(seconds: number): string | undefined {
  if (!isDateSeconds(seconds)) return undefined
  return new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z')
}

/**
 * The longest lifetime tokentool records for a token: ten years. A server's `expires_in: 1e20`
 * means "practically never"; kept as it came, `now + 1e20` is no date at all.
 */
export const MAX_LIFETIME_SECONDS = 10 * 365 * 86400

/**
 * `expires_in` (seconds, as a server sent it) → absolute epoch seconds at `receivedAt`; undefined
 * when it is absent, not a positive number, or not a number at all; at most MAX_LIFETIME_SECONDS.
 */
export function expiresAtFrom(receivedAt: Date, expiresIn: unknown): number | undefined {
  const n = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && expiresIn.trim() !== '' ? Number(expiresIn) : NaN
  if (Number.isNaN(n) || n <= 0) return undefined // +Infinity ("1e400") is "never" too: clamped below
  return Math.floor(receivedAt.getTime() / 1000) + Math.min(n, MAX_LIFETIME_SECONDS)
}

export function parseTime(input: string, what = '--now'): Date {
  const text = input.trim()
  if (/^\d+(\.\d+)?$/.test(text)) {
    const d = new Date(Number(text) * 1000)
    if (!Number.isNaN(d.getTime())) return d
    throw new UsageError(`${what}: ${text} seconds is beyond any date a clock can show (the last is in the year 275760)`)
  }
  // Date.parse accepts far more than ISO 8601; require a date shape first.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const ms = Date.parse(text)
    if (!Number.isNaN(ms)) return new Date(ms)
  }
  throw new UsageError(`${what}: cannot read "${input}" as a time (use ISO 8601 like 2026-01-31T12:00:00Z, or unix seconds)`)
}

/** Seconds since the epoch, whole. */
export function epochSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000)
}

/** "in 42m" / "3h ago" / "now", rounded to the two largest units. */
export function relative(deltaSeconds: number): string {
  if (deltaSeconds === 0) return 'now'
  const abs = Math.abs(deltaSeconds)
  const text = roundTwoUnits(abs)
  return deltaSeconds > 0 ? `in ${text}` : `${text} ago`
}

function roundTwoUnits(seconds: number): string {
  return formatDuration(seconds, 2)
}
