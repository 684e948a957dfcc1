/**
 * The terminal timeline of a simulated session: lanes for client activity, refresh token
 * validity and access token validity, and a lane of markers (login, refreshes, revocation,
 * session end, re-authentication), fitted to a given width. Pure: a string from a session, a
 * width and a chalk style; every lane uses its own character, so it reads without colour.
 * @module
 */
import type { ChalkInstance } from 'chalk'
import { formatDuration } from '../core/duration.js'
import type { Session, SimEvent } from '../core/simulate/engine.js'
import type { Window } from '../core/simulate/windows.js'
import { wrapUnits } from './wrap.js'

export interface TimelineOptions {
  /** Total width in columns, labels included. */
  width: number
  style: ChalkInstance
}

export interface TimelineInput {
  session: Session
  /** Activity windows the session ran with (always active: one window from 0 to Infinity). */
  active: readonly Window[]
  horizon: number
}

const LABEL_WIDTH = 14
const MIN_CHART = 20
const MIN_TICK_SPACING = 8

const CHAR = { active: '#', idle: '.', refresh: '=', access: '~', none: ' ' } as const

/** Markers, strongest first when two share a column. */
const MARKERS: Array<{ type: SimEvent['type']; char: string; label: string }> = [
  { type: 'session-end', char: 'E', label: 'session end' },
  { type: 'revoke', char: 'X', label: 'revocation' },
  { type: 'reauth-required', char: '!', label: 'log in again' },
  { type: 'login', char: 'L', label: 'login' },
  { type: 'refresh', char: 'R', label: 'refresh' },
]

const HORIZON = { char: 'H', label: 'horizon' }

const NICE_STEPS = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 90 * 86400, 180 * 86400, 365 * 86400]

export function renderTimeline(input: TimelineInput, opts: TimelineOptions): string {
  const { session, horizon } = input
  const s = opts.style
  const cols = Math.max(MIN_CHART, Math.floor(opts.width) - LABEL_WIDTH)
  const last = session.events[session.events.length - 1]
  const span = Math.max(1, session.sessionEnd.reason === 'horizon' ? horizon : Math.min(horizon, last?.at ?? 1))
  const colOf = (t: number): number => Math.min(cols - 1, Math.max(0, Math.floor((t / span) * cols)))

  const refreshEnd = session.sessionEnd.at
  const access = accessIntervals(session.events)
  const activeCov = coverage(input.active, span, cols)
  const refreshCov = coverage([{ from: 0, to: refreshEnd }], span, cols)
  const accessCov = coverage(access, span, cols)

  const lane = (cov: number[], on: string, off: string, paint: (x: string) => string, paintOff: (x: string) => string = (x) => x): string =>
    cov.map((c) => (c >= 0.5 ? paint(on) : paintOff(off))).join('')

  const rows: string[] = []
  const label = (text: string): string => text.padEnd(LABEL_WIDTH)
  const [tickLabels, ruler] = axis(span, cols)
  rows.push(label('from login') + tickLabels)
  rows.push(label('') + s.dim(ruler))
  rows.push(label('active') + lane(activeCov, CHAR.active, CHAR.idle, s.green, s.dim))
  rows.push(label('refresh token') + lane(refreshCov, CHAR.refresh, CHAR.none, s.cyan))
  rows.push(label('access token') + lane(accessCov, CHAR.access, CHAR.none, s.yellow))
  const markerLane = markers(session.events, cols, colOf, s)
  rows.push(label('events') + markerLane)

  const perColumn = roughly(span / cols)
  const marks = markerLane.replace(/\x1b\[[0-9;]*m/g, '')
  const legend = [
    `${CHAR.active} active`,
    `${CHAR.idle} idle`,
    `${CHAR.refresh} refresh token valid`,
    `${CHAR.access} access token valid`,
    // only the markers that appear
    ...[...MARKERS, HORIZON].filter((m) => marks.includes(m.char)).map((m) => `${m.char} ${m.label}`),
    `1 column = ${perColumn}`,
  ]
  rows.push(...wrapUnits(legend, Math.max(MIN_CHART, Math.floor(opts.width) - LABEL_WIDTH), { separator: '  ' }).map((line) => label('') + s.dim(line)))
  return rows.map((r) => r.trimEnd()).join('\n') + '\n'
}

/** The intervals during which the client holds at least one valid access token, merged. */
function accessIntervals(events: readonly SimEvent[]): Window[] {
  const out: Window[] = []
  for (const e of events) {
    if (e.type !== 'login' && e.type !== 'refresh') continue
    const prev = out[out.length - 1]
    if (prev && e.at <= prev.to) prev.to = Math.max(prev.to, e.accessExpiresAt)
    else out.push({ from: e.at, to: e.accessExpiresAt })
  }
  return out
}

/** Fraction of each column's time span covered by the (sorted, disjoint) intervals. */
function coverage(intervals: readonly Window[], span: number, cols: number): number[] {
  const cov = new Array<number>(cols).fill(0)
  const width = span / cols
  for (const { from, to } of intervals) {
    const a = Math.max(0, from)
    const b = Math.min(span, to)
    if (b <= a) continue
    for (let c = Math.floor(a / width); c < cols && c * width < b; c++) {
      const lo = Math.max(a, c * width)
      const hi = Math.min(b, (c + 1) * width)
      if (hi > lo) cov[c]! += (hi - lo) / width
    }
  }
  return cov
}

function markers(events: readonly SimEvent[], cols: number, colOf: (t: number) => number, s: ChalkInstance): string {
  const cells: Array<{ char: string; rank: number } | undefined> = new Array(cols)
  const rankOf = new Map(MARKERS.map((m, i) => [m.type, MARKERS.length - i]))
  const charOf = new Map(MARKERS.map((m) => [m.type, m.char]))
  const refreshRank = rankOf.get('refresh')!
  for (const e of events) {
    const rank = rankOf.get(e.type)
    if (rank === undefined) continue
    let col = colOf(e.at)
    // a rare marker (not a refresh) that meets another rare one moves right, so both show
    if (rank > refreshRank) {
      while (col < cols - 1 && (cells[col]?.rank ?? 0) > refreshRank) col++
    }
    const held = cells[col]
    const char = e.type === 'session-end' && e.reason === 'horizon' ? HORIZON.char : charOf.get(e.type)!
    if (!held || held.rank <= rank) cells[col] = { char, rank }
  }
  const paint = (c: string): string => (c === 'R' || c === 'L' ? s.bold(c) : c === 'X' ? s.magenta.bold(c) : s.red.bold(c))
  return Array.from(cells, (c) => (c ? paint(c.char) : ' ')).join('')
}

/** Tick labels and a ruler (`+` at ticks) for [0, span] over `cols` columns. */
function axis(span: number, cols: number): [string, string] {
  const maxTicks = Math.max(1, Math.floor(cols / MIN_TICK_SPACING))
  const step = NICE_STEPS.find((st) => span / st <= maxTicks) ?? Math.ceil(span / maxTicks)
  const labels = new Array<string>(cols).fill(' ')
  const ruler = new Array<string>(cols).fill('-')
  let free = 0
  for (let t = 0; t <= span; t += step) {
    const col = Math.min(cols - 1, Math.floor((t / span) * cols))
    ruler[col] = '+'
    const text = t === 0 ? '0' : formatDuration(t)
    if (col < free || col + text.length > cols) continue
    for (let i = 0; i < text.length; i++) labels[col + i] = text[i]!
    free = col + text.length + 1
  }
  return [labels.join(''), ruler.join('')]
}

/** A column's duration, to its two largest units ("8h23m", not "8h22m53s"). */
function roughly(seconds: number): string {
  const units = formatDuration(seconds).match(/\d+[a-z]/g) ?? ['0s']
  if (units.length <= 2) return units.join('')
  const size: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 }
  const second = units[1]!.slice(-1)
  const rounded = Math.round(seconds / size[second]!) * size[second]!
  return (formatDuration(rounded).match(/\d+[a-z]/g) ?? []).slice(0, 2).join('')
}

