/**
 * Activity windows (`--active 0-3h,5h-9h`): half-open spans `[from, to)` in seconds from
 * login, when the client is there to refresh its tokens. Parsing, and the two questions the
 * engine asks: is the client active at t, and when is it next active. Pure.
 * @module
 */
import { UsageError } from '../../errors.js'
import { formatDuration, parseDuration } from '../duration.js'

/** `[from, to)` in seconds from login; `to` is `Infinity` for an open end (`5h-`). */
export interface Window {
  from: number
  to: number
}

/** The default: active from login on, for ever. */
export const ALWAYS: readonly Window[] = Object.freeze([{ from: 0, to: Infinity }])

const SYNTAX = 'use FROM-TO durations from login, comma-separated, e.g. 0-3h,5h-9h (an open end: 5h-)'

/**
 * Parses `0-3h,5h-9h` into sorted windows. Touching windows (`0-3h,3h-5h`) are merged; windows
 * that overlap, run backwards or are empty are a UsageError. Any string gives windows or a
 * UsageError, nothing else.
 * @example parseWindows('0-3h,5h-') // [{from:0,to:10800},{from:18000,to:Infinity}]
 */
export function parseWindows(input: string, what = '--active'): Window[] {
  const text = input.trim()
  if (text === '') throw new UsageError(`${what}: no windows given (${SYNTAX})`)
  const items = text.split(',').map((raw) => ({ raw: raw.trim(), w: parseOne(raw.trim(), what) }))
  // an overlap is reported in the user's own notation ("0-3h and 2h-5h"), not in seconds
  const sorted = [...items].sort((a, b) => a.w.from - b.w.from)
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!
    const b = sorted[i]!
    if (b.w.from < a.w.to) throw new UsageError(`${what}: windows ${a.raw} and ${b.raw} overlap`)
  }
  return normalizeWindows(items.map((x) => x.w), what)
}

function parseOne(item: string, what: string): Window {
  if (item === '') throw new UsageError(`${what}: empty window between commas (${SYNTAX})`)
  // Durations are never negative, so the first "-" is the separator.
  const dash = item.indexOf('-')
  if (dash < 0) throw new UsageError(`${what}: window "${item}" has no "-" between start and end (${SYNTAX})`)
  const fromText = item.slice(0, dash).trim()
  const toText = item.slice(dash + 1).trim()
  if (fromText === '') throw new UsageError(`${what}: window "${item}" has no start (${SYNTAX})`)
  const from = parseDuration(fromText, `${what} window "${item}"`)
  const to = toText === '' ? Infinity : parseDuration(toText, `${what} window "${item}"`)
  if (!Number.isFinite(from)) throw new UsageError(`${what}: window "${item}" starts too late to simulate`)
  if (to < from) throw new UsageError(`${what}: window "${item}" runs backwards (its end is before its start)`)
  if (to === from) throw new UsageError(`${what}: window "${item}" is empty (its end equals its start)`)
  return { from, to }
}

/** Sorts, rejects overlaps, merges windows that touch. */
export function normalizeWindows(windows: readonly Window[], what = '--active'): Window[] {
  const sorted = [...windows].sort((a, b) => a.from - b.from)
  const out: Window[] = []
  for (const w of sorted) {
    const last = out[out.length - 1]
    if (last && w.from < last.to) {
      throw new UsageError(`${what}: windows ${show(last)} and ${show(w)} overlap`)
    }
    if (last && w.from === last.to) last.to = w.to
    else out.push({ ...w })
  }
  return out
}

function show(w: Window): string {
  return `${formatDuration(w.from)}-${Number.isFinite(w.to) ? formatDuration(w.to) : ''}`
}

/** Whether the client is active at t (windows are half-open). */
export function isActive(windows: readonly Window[], t: number): boolean {
  return windows.some((w) => w.from <= t && t < w.to)
}

/**
 * Steps through sorted windows with ever later times, in O(1) amortised per question: the
 * engine asks about increasing times only.
 */
export class ActivityCursor {
  private i = 0
  constructor(private readonly windows: readonly Window[]) {}

  /** The first moment at or after t when the client is active; Infinity when never. */
  nextActive(t: number): number {
    while (this.i < this.windows.length && this.windows[this.i]!.to <= t) this.i++
    const w = this.windows[this.i]
    if (!w) return Infinity
    return w.from <= t ? t : w.from
  }
}
