/**
 * `--now` and other absolute times: ISO 8601 or unix seconds. Relative wording for
 * time claims ("expires in 42m", "expired 3h ago"). Pure.
 * @module
 */
import { UsageError } from '../errors.js'
import { formatDuration } from './duration.js'

export function parseTime(input: string, what = '--now'): Date {
  const text = input.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000)
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
  const full = formatDuration(seconds)
  const units = full.match(/\d+[a-z]/g) ?? [full]
  return units.slice(0, 2).join('')
}
