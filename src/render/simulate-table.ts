/**
 * The human view of `tokentool simulate`: a summary (token sets, refreshes, session end and
 * why, the last access token's overhang, the policy's promise, the revocation report), the
 * table of events and the timeline chart. Plain aligned text; colour only through the style.
 * @module
 */
import type { ChalkInstance } from 'chalk'
import { formatDuration } from '../core/duration.js'
import type { Session, SimEvent } from '../core/simulate/engine.js'
import type { ExposureRow } from '../core/simulate/exposure.js'
import { activityOf, type Policy } from '../core/simulate/policy.js'
import type { SimulationResult } from '../core/simulate/simulate.js'
import { renderTimeline } from './timeline-chart.js'
import { wrapText } from './wrap.js'

export interface SimulationViewOptions {
  width: number
  style: ChalkInstance
  /** Show every event instead of eliding the middle of long lists. */
  all?: boolean
}

/** Longer event lists show their first and last HEAD_TAIL rows. */
export const MAX_ROWS = 40
const HEAD_TAIL = 20

const d = (seconds: number): string => (seconds === Infinity ? 'never' : formatDuration(seconds))

export function renderSimulation(result: SimulationResult, opts: SimulationViewOptions): string {
  const { policy, session } = result
  const parts = [
    renderSummary(result, opts.style, opts.width),
    renderEventTable(session, policy, opts),
    renderTimeline({ session, active: activityOf(policy), horizon: policy.horizon }, { width: opts.width, style: opts.style }),
  ]
  return parts.join('\n')
}

export function renderSummary(result: SimulationResult, s: ChalkInstance, width = 80): string {
  const { policy, session } = result
  const rows: Array<[string, string]> = []
  rows.push(['Policy', describePolicy(policy)])
  rows.push(['Tokens', `${session.tokensIssued} token set${session.tokensIssued === 1 ? '' : 's'} issued (access + refresh token): the login's and ${session.refreshes} refresh${session.refreshes === 1 ? '' : 'es'}`])
  rows.push(['Session end', describeEnd(session, policy)])
  rows.push(['Overhang', describeOverhang(session)])
  const promise = describePromise(result)
  if (promise) rows.push(['Promise', promise])
  const keyWidth = Math.max(...rows.map(([k]) => k.length)) + 2
  const indent = ' '.repeat(keyWidth)
  let out =
    rows
      .map(([k, v]) => wrapText(v, Math.max(keyWidth + 30, width), { first: s.bold(k.padEnd(keyWidth)), rest: indent }).join('\n'))
      .join('\n') + '\n'
  if (result.exposure) out += '\n' + renderExposure(result.exposure.revokeAt, result.exposure.rows, s)
  return out
}

function describePolicy(p: Policy): string {
  const parts = [
    p.absolute === null ? 'no absolute limit' : `absolute ${d(p.absolute)}`,
    p.sliding === null ? 'no sliding limit' : `sliding ${d(p.sliding)}`,
    `${d(p.accessTtl)} ${p.cae ? 'CAE-extended ' : ''}access tokens refreshed ${d(p.refreshBefore)} before expiry`,
    p.active === null ? 'always active' : `active ${p.active.map((w) => `${d(w.from)}-${w.to === Infinity ? '' : d(w.to)}`).join(',')}`,
    `horizon ${d(p.horizon)}`,
  ]
  return parts.join(', ') + (p.preset ? ` (preset: ${p.preset.scenario})` : '')
}

function describeEnd(session: Session, p: Policy): string {
  const { at, reason } = session.sessionEnd
  if (reason === 'horizon') {
    const last = session.events.filter((e) => e.type === 'login' || e.type === 'refresh').pop()
    return `none within the ${d(p.horizon)} horizon: the session is still alive (refresh token valid until ${d(last?.refreshExpiresAt ?? Infinity)})`
  }
  const why =
    reason === 'absolute'
      ? 'the absolute limit'
      : reason === 'sliding'
        ? `the sliding limit (no refresh within ${d(p.sliding ?? 0)} of the last one)`
        : 'the refresh token was revoked'
  const then =
    session.reauthRequiredAt === null
      ? 'the client did not need a refresh again within the horizon'
      : `the client needed a refresh at ${d(session.reauthRequiredAt)} and must log in again`
  return `at ${d(at)}: ${why}; ${then}`
}

function describeOverhang(session: Session): string {
  const { issuedAt, expiresAt, overhang } = session.lastAccessToken
  const token = `the last access token (issued at ${d(issuedAt)}) expires at ${d(expiresAt)}`
  if (overhang === null) return `none: the session outlives the horizon`
  if (overhang === 0) return `none: ${token}, no later than the session`
  return `${d(overhang)}: ${token}, ${d(overhang)} after the session ended (access tokens are not cut short when the refresh token ends)`
}

/** For a preset: what the table promises, what the run gave, and why they differ. */
function describePromise(result: SimulationResult): string | null {
  const { policy: p, session } = result
  if (!p.preset) return null
  const promised = p.preset.promisedTokenSets
  const head = `the policy table promises about ${promised} token sets (${d(p.preset.absolute)} of 1h token sets)`
  if (session.tokensIssued === promised) return `${head}; simulated ${promised}`
  const serves = p.accessTtl - p.refreshBefore
  if (session.sessionEnd.reason === 'absolute' && p.active === null && p.absolute !== null && p.refreshBefore > 0) {
    return `${head}; simulated ${session.tokensIssued}: each set is replaced ${d(p.refreshBefore)} before it expires, so it serves ${d(serves)}, and ${d(p.absolute)} / ${d(serves)} = ${(p.absolute / serves).toFixed(2)} rounds up to ${session.tokensIssued}`
  }
  if (session.sessionEnd.reason === 'sliding' && session.reauthRequiredAt !== null) {
    return `${head}; simulated ${session.tokensIssued}: the refresh token expired at ${d(session.sessionEnd.at)} and the client's refresh at ${d(session.reauthRequiredAt)} came too late (a token is valid only while t < its expiry)`
  }
  return `${head}; simulated ${session.tokensIssued} with these flags`
}

const EXPOSURE_LABEL: Record<ExposureRow['kind'], (r: ExposureRow) => string> = {
  jwt: (r) => `(a) self-contained JWT access tokens (${d(r.accessTtl)})`,
  reference: (r) => `(b) reference tokens, introspection cached ${d(r.enforcedWithin ?? 0)}`,
  cae: (r) => `(c) CAE, ${d(r.accessTtl)} tokens, enforced within ${d(r.enforcedWithin ?? 0)}`,
  'long-lived': (r) => `(d) ${d(r.accessTtl)} tokens without CAE`,
}

function renderExposure(revokeAt: number, rows: readonly ExposureRow[], s: ChalkInstance): string {
  const labels = rows.map((r) => EXPOSURE_LABEL[r.kind](r))
  const width = Math.max(...labels.map((l) => l.length)) + 2
  const amounts = rows.map((r) => d(r.continuesFor))
  const amountWidth = Math.max(...amounts.map((a) => a.length)) + 2
  const lines = rows.map((r, i) => {
    const note =
      r.tokenExpiresAt === null
        ? 'no valid access token at the revocation'
        : r.continuesFor === 0
          ? 'stops at once'
          : `until ${d(r.until)}`
    return '  ' + labels[i]!.padEnd(width) + s.bold(amounts[i]!.padStart(amountWidth - 2)) + '  ' + note
  })
  return `${s.bold(`Revocation at ${d(revokeAt)}`)}: how long access goes on\n${lines.join('\n')}\n`
}

const EVENT_TEXT: Record<SimEvent['type'], (e: SimEvent, session: Session) => string> = {
  login: () => 'login',
  refresh: () => 'refresh',
  active: () => 'client active',
  inactive: () => 'client idle',
  'access-expired': (e, session) =>
    session.sessionEnd.reason !== 'horizon' && e.at > session.sessionEnd.at ? 'last access token expires' : 'access token expired, idle',
  revoke: () => 'revocation',
  'session-end': (e) =>
    e.reason === 'horizon' ? 'horizon reached, session alive' : e.reason === 'revoked' ? 'session ends: revoked' : `session ends: ${e.reason} limit`,
  'reauth-required': () => 'refresh fails: log in again',
}

/** The table of events: time from login, event, and the token expiries after it. */
export function renderEventTable(session: Session, policy: Policy, opts: SimulationViewOptions): string {
  const s = opts.style
  const header = ['time', 'event', 'access token expires', 'refresh token expires']
  const cells = (e: SimEvent): string[] => [d(e.at), EVENT_TEXT[e.type](e, session), accessCell(e), refreshCell(e, policy, session)]
  const events = session.events
  let shown: Array<SimEvent | number> = [...events]
  if (!opts.all && events.length > MAX_ROWS) {
    shown = [...events.slice(0, HEAD_TAIL), events.length - 2 * HEAD_TAIL, ...events.slice(-HEAD_TAIL)]
  }
  const table = shown.map((e) => (typeof e === 'number' ? null : cells(e)))
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r ? r[i]!.length : 0))))
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padStart(widths[0]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  const out = [s.bold(line(header)), s.dim(widths.map((w) => '-'.repeat(w)).join('  '))]
  shown.forEach((e, i) => {
    const row = table[i]
    if (row) out.push(line(row))
    else out.push(s.dim(`${''.padStart(widths[0]!)}  ... ${e as number} more events not shown (--all or --json lists every event) ...`))
  })
  return out.join('\n') + '\n'
}

function accessCell(e: SimEvent): string {
  return e.accessExpiresAt <= e.at ? `${d(e.accessExpiresAt)} (expired)` : d(e.accessExpiresAt)
}

function refreshCell(e: SimEvent, p: Policy, session: Session): string {
  const exp = e.refreshExpiresAt
  if (exp === Infinity) return 'never'
  const revoked = session.sessionEnd.reason === 'revoked' && exp === session.sessionEnd.at
  if (exp <= e.at) return `${d(exp)} (${revoked ? 'revoked' : 'expired'})`
  if (p.absolute !== null && exp === p.absolute) return `${d(exp)} (absolute)`
  return d(exp)
}
