import { describe, expect, it } from 'vitest'
import { simulateSession, type SessionParams, type SimEvent } from '../../src/core/simulate/engine.js'
import { ALWAYS, parseWindows } from '../../src/core/simulate/windows.js'
import { resolvePolicy, type SimulateFlags } from '../../src/core/simulate/policy.js'
import { sessionParams, simulate } from '../../src/core/simulate/simulate.js'

const m = 60
const h = 3600
const d = 86400

/** [at, type, accessExpiresAt, refreshExpiresAt] — written by hand from the model. */
type Row = [number, SimEvent['type'], number, number]
const rows = (events: SimEvent[]): Row[] => events.map((e) => [e.at, e.type, e.accessExpiresAt, e.refreshExpiresAt])

const params = (over: Partial<SessionParams>): SessionParams => ({
  absolute: null,
  sliding: null,
  accessTtl: h,
  refreshBefore: m,
  active: ALWAYS,
  horizon: 30 * d,
  revokeAt: null,
  ...over,
})

const run = (flags: SimulateFlags) => simulate(flags).session

describe('simulate engine: the presets of the policy table', () => {
  it('e-government (4h absolute, 1h sliding): 5 token sets, ends at the absolute limit, last access token 56m past it', () => {
    const s = run({ preset: 'e-government' })
    // Login at 0: access until 1h, refresh token until min(0+1h, 4h) = 1h. Refresh 1m before each
    // access token expires: 59m, 1h58m, 2h57m, 3h56m (refresh token capped at 4h). The next
    // refresh falls due at 4h55m, after the refresh token expired at 4h.
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', 1 * h, 1 * h],
      [59 * m, 'refresh', 1 * h + 59 * m, 1 * h + 59 * m],
      [1 * h + 58 * m, 'refresh', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h + 57 * m, 'refresh', 3 * h + 57 * m, 3 * h + 57 * m],
      [3 * h + 56 * m, 'refresh', 4 * h + 56 * m, 4 * h],
      [4 * h, 'session-end', 4 * h + 56 * m, 4 * h],
      [4 * h + 55 * m, 'reauth-required', 4 * h + 56 * m, 4 * h],
      [4 * h + 56 * m, 'access-expired', 4 * h + 56 * m, 4 * h],
    ])
    expect(s.events[4]!.refreshLimit).toBe('absolute')
    expect(s.events[1]!.refreshLimit).toBe('sliding')
    expect(s.tokensIssued).toBe(5)
    expect(s.refreshes).toBe(4)
    expect(s.sessionEnd).toEqual({ at: 4 * h, reason: 'absolute' })
    expect(s.reauthRequiredAt).toBe(4 * h + 55 * m)
    expect(s.lastAccessToken).toEqual({ issuedAt: 3 * h + 56 * m, expiresAt: 4 * h + 56 * m, overhang: 56 * m })
  })

  it('enterprise (8h/1h): refreshes every 59m up to 7h52m, 9 token sets, 52m overhang', () => {
    const s = run({ preset: 'enterprise' })
    const refreshes = s.events.filter((e) => e.type === 'refresh').map((e) => e.at)
    expect(refreshes).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => k * 59 * m))
    expect(s.tokensIssued).toBe(9)
    expect(s.sessionEnd).toEqual({ at: 8 * h, reason: 'absolute' })
    expect(s.reauthRequiredAt).toBe(9 * 59 * m) // 8h51m
    expect(s.lastAccessToken.overhang).toBe(52 * m)
  })

  it('consumer (1 month/1h): 733 token sets, ends at 30 days, within the default horizon of 31 days', () => {
    const r = simulate({ preset: 'consumer' })
    expect(r.policy.horizon).toBe(31 * d)
    const s = r.session
    // 59m per token set: 732 refreshes fit before 43200m (732*59 = 43188), the 733rd is due at 43247m
    expect(s.refreshes).toBe(732)
    expect(s.tokensIssued).toBe(733)
    expect(s.sessionEnd).toEqual({ at: 30 * d, reason: 'absolute' })
    expect(s.reauthRequiredAt).toBe(733 * 59 * m)
    expect(s.lastAccessToken.overhang).toBe(48 * m)
    expect(s.events).toHaveLength(1 + 732 + 3)
  })

  it('the table counts absolute / 1h token sets; with the refresh exactly at expiry a 1h sliding window is lost', () => {
    // refresh-before 0: the refresh at 1h meets a refresh token that is valid only while t < 1h
    const s = run({ preset: 'e-government', refreshBefore: '0' })
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, h],
      [h, 'access-expired', h, h],
      [h, 'session-end', h, h],
      [h, 'reauth-required', h, h],
    ])
    expect(s.sessionEnd.reason).toBe('sliding')
    expect(s.tokensIssued).toBe(1)
  })

  it('with a sliding window a little longer than the access tokens and no early refresh, the table is exact: 4 sets', () => {
    const s = run({ preset: 'e-government', sliding: '61m', refreshBefore: '0' })
    expect(s.events.filter((e) => e.type === 'refresh').map((e) => e.at)).toEqual([h, 2 * h, 3 * h])
    expect(s.tokensIssued).toBe(4)
    expect(s.sessionEnd).toEqual({ at: 4 * h, reason: 'absolute' })
    expect(s.reauthRequiredAt).toBe(4 * h)
    expect(s.lastAccessToken.overhang).toBe(0)
  })
})

describe('simulate engine: hand-worked cases', () => {
  it('enterprise, active 0-3h and 5h-9h: the sliding limit ends the session during the break', () => {
    const s = run({ preset: 'enterprise', active: '0-3h,5h-9h' })
    // refreshes at 59m, 1h58m, 2h57m (refresh token until 3h57m); due at 3h56m while idle,
    // so the client tries at 5h: the refresh token expired at 3h57m (sliding)
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, h],
      [59 * m, 'refresh', h + 59 * m, h + 59 * m],
      [h + 58 * m, 'refresh', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h + 57 * m, 'refresh', 3 * h + 57 * m, 3 * h + 57 * m],
      [3 * h, 'inactive', 3 * h + 57 * m, 3 * h + 57 * m],
      [3 * h + 57 * m, 'access-expired', 3 * h + 57 * m, 3 * h + 57 * m],
      [3 * h + 57 * m, 'session-end', 3 * h + 57 * m, 3 * h + 57 * m],
      [5 * h, 'reauth-required', 3 * h + 57 * m, 3 * h + 57 * m],
    ])
    expect(s.sessionEnd).toEqual({ at: 3 * h + 57 * m, reason: 'sliding' })
    expect(s.lastAccessToken.overhang).toBe(0)
  })

  it('an idle gap shorter than the sliding window: the access token lapses, the refresh at the next window succeeds', () => {
    const s = simulateSession(params({ sliding: 4 * h, active: parseWindows('0-1h,2h-'), horizon: 5 * h }))
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, 4 * h],
      [59 * m, 'refresh', h + 59 * m, 4 * h + 59 * m],
      [h, 'inactive', h + 59 * m, 4 * h + 59 * m],
      [h + 59 * m, 'access-expired', h + 59 * m, 4 * h + 59 * m],
      [2 * h, 'active', h + 59 * m, 4 * h + 59 * m],
      [2 * h, 'refresh', 3 * h, 6 * h],
      [2 * h + 59 * m, 'refresh', 3 * h + 59 * m, 6 * h + 59 * m],
      [3 * h + 58 * m, 'refresh', 4 * h + 58 * m, 7 * h + 58 * m],
      [4 * h + 57 * m, 'refresh', 5 * h + 57 * m, 8 * h + 57 * m],
      [5 * h, 'session-end', 5 * h + 57 * m, 8 * h + 57 * m],
    ])
    expect(s.sessionEnd).toEqual({ at: 5 * h, reason: 'horizon' })
    expect(s.reauthRequiredAt).toBeNull()
    expect(s.lastAccessToken.overhang).toBeNull()
  })

  it('absolute only: refreshes never extend the refresh token', () => {
    const s = simulateSession(params({ absolute: 3 * h, horizon: 4 * h }))
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, 3 * h],
      [59 * m, 'refresh', h + 59 * m, 3 * h],
      [h + 58 * m, 'refresh', 2 * h + 58 * m, 3 * h],
      [2 * h + 57 * m, 'refresh', 3 * h + 57 * m, 3 * h],
      [3 * h, 'session-end', 3 * h + 57 * m, 3 * h],
      [3 * h + 56 * m, 'reauth-required', 3 * h + 57 * m, 3 * h],
      [3 * h + 57 * m, 'access-expired', 3 * h + 57 * m, 3 * h],
    ])
    expect(s.sessionEnd.reason).toBe('absolute')
  })

  it('neither limit: the horizon ends the simulation, the refresh token never expires', () => {
    const s = simulateSession(params({ accessTtl: 10 * h, horizon: 24 * h }))
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', 10 * h, Infinity],
      [9 * h + 59 * m, 'refresh', 19 * h + 59 * m, Infinity],
      [19 * h + 58 * m, 'refresh', 29 * h + 58 * m, Infinity],
      [24 * h, 'session-end', 29 * h + 58 * m, Infinity],
    ])
    expect(s.sessionEnd).toEqual({ at: 24 * h, reason: 'horizon' })
  })

  it('a refresh token that expires while the client is gone for good ends the session without a re-authentication', () => {
    const s = simulateSession(params({ sliding: h, active: parseWindows('0-2h'), horizon: 6 * h }))
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, h],
      [59 * m, 'refresh', h + 59 * m, h + 59 * m],
      [h + 58 * m, 'refresh', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h, 'inactive', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h + 58 * m, 'access-expired', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h + 58 * m, 'session-end', 2 * h + 58 * m, 2 * h + 58 * m],
    ])
    expect(s.sessionEnd).toEqual({ at: 2 * h + 58 * m, reason: 'sliding' })
    expect(s.reauthRequiredAt).toBeNull()
  })

  it('a login outside every window: the first refresh waits for the first window', () => {
    const s = simulateSession(params({ sliding: 8 * h, active: parseWindows('3h-4h'), horizon: 5 * h }))
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, 8 * h],
      [0, 'inactive', h, 8 * h],
      [h, 'access-expired', h, 8 * h],
      [3 * h, 'active', h, 8 * h],
      [3 * h, 'refresh', 4 * h, 11 * h],
      [3 * h + 59 * m, 'refresh', 4 * h + 59 * m, 11 * h + 59 * m],
      [4 * h, 'inactive', 4 * h + 59 * m, 11 * h + 59 * m],
      [4 * h + 59 * m, 'access-expired', 4 * h + 59 * m, 11 * h + 59 * m],
      [5 * h, 'session-end', 4 * h + 59 * m, 11 * h + 59 * m],
    ])
  })

  it('a revocation ends the session at once; the current access token lives on', () => {
    const s = run({ preset: 'enterprise', revokeAt: '2h30m' })
    expect(rows(s.events)).toEqual<Row[]>([
      [0, 'login', h, h],
      [59 * m, 'refresh', h + 59 * m, h + 59 * m],
      [h + 58 * m, 'refresh', 2 * h + 58 * m, 2 * h + 58 * m],
      [2 * h + 30 * m, 'revoke', 2 * h + 58 * m, 2 * h + 30 * m],
      [2 * h + 30 * m, 'session-end', 2 * h + 58 * m, 2 * h + 30 * m],
      [2 * h + 57 * m, 'reauth-required', 2 * h + 58 * m, 2 * h + 30 * m],
      [2 * h + 58 * m, 'access-expired', 2 * h + 58 * m, 2 * h + 30 * m],
    ])
    expect(s.sessionEnd).toEqual({ at: 2 * h + 30 * m, reason: 'revoked' })
    expect(s.lastAccessToken.overhang).toBe(28 * m)
  })

  it('a revocation at the instant of a refresh wins: the refresh fails', () => {
    const s = run({ preset: 'enterprise', revokeAt: '59m' })
    expect(rows(s.events).map(([at, type]) => [at, type])).toEqual([
      [0, 'login'],
      [59 * m, 'revoke'],
      [59 * m, 'session-end'],
      [59 * m, 'reauth-required'],
      [h, 'access-expired'],
    ])
  })

  it('a revocation after the session ended still stands, and changes nothing about the end', () => {
    const s = run({ preset: 'e-government', revokeAt: '4h30m' })
    expect(s.sessionEnd).toEqual({ at: 4 * h, reason: 'absolute' })
    expect(s.events.map((e) => e.type).slice(-4)).toEqual(['session-end', 'revoke', 'reauth-required', 'access-expired'])
  })

  it('sliding longer than absolute: a warning, and every refresh token lives until the absolute limit', () => {
    const r = simulate({ absolute: '4h', sliding: '8h' })
    expect(r.warnings).toEqual([expect.stringMatching(/--sliding 8h is longer than --absolute 4h/)])
    expect(new Set(r.session.events.filter((e) => e.type === 'refresh').map((e) => e.refreshExpiresAt))).toEqual(new Set([4 * h]))
  })
})

describe('simulate: the revocation report', () => {
  it('enterprise, revoked at 2h30m: JWT 28m, reference (cache 5m) 5m, CAE 15m, 28h tokens without CAE 25h30m', () => {
    const r = simulate({ preset: 'enterprise', revokeAt: '2h30m', introspectionCache: '5m' })
    expect(r.exposure?.rows.map((x) => [x.kind, x.accessTtl, x.continuesFor, x.until])).toEqual([
      ['jwt', h, 28 * m, 2 * h + 58 * m],
      ['reference', h, 5 * m, 2 * h + 35 * m],
      ['cae', 28 * h, 15 * m, 2 * h + 45 * m],
      ['long-lived', 28 * h, 25 * h + 30 * m, 28 * h],
    ])
  })

  it('an introspection cache is never used past the token expiry; a revocation after every token expired exposes nothing', () => {
    const r = simulate({ preset: 'enterprise', revokeAt: '2h50m', introspectionCache: '1h' })
    expect(r.exposure?.rows[1]?.continuesFor).toBe(8 * m)
    const late = simulate({ preset: 'e-government', revokeAt: '5h', horizon: '2d' })
    expect(late.exposure?.rows.map((x) => [x.kind, x.continuesFor, x.tokenExpiresAt])).toEqual([
      ['jwt', 0, null],
      ['reference', 0, null],
      ['cae', 15 * m, 28 * h],
      ['long-lived', 23 * h, 28 * h],
    ])
  })

  it('with --cae the session itself runs on long-lived tokens, and (a)/(b) compare ordinary ones', () => {
    const r = simulate({ preset: 'enterprise', cae: '20h', revokeAt: '2h' })
    expect(r.policy.accessTtl).toBe(20 * h)
    expect(r.session.events[0]!.accessExpiresAt).toBe(20 * h)
    expect(r.exposure?.rows.map((x) => [x.kind, x.accessTtl, x.continuesFor])).toEqual([
      ['jwt', h, 58 * m],
      ['reference', h, 0],
      ['cae', 20 * h, 15 * m],
      ['long-lived', 20 * h, 18 * h],
    ])
  })
})

describe('simulate: speed comes from stepping event to event', () => {
  it('a year with a 2h sliding window and no absolute limit is one event per refresh', () => {
    const { policy } = resolvePolicy({ horizon: '1y', sliding: '2h' })
    const s = simulateSession(sessionParams(policy))
    expect(s.refreshes).toBe(Math.floor((365 * d - 1) / (59 * m)))
    expect(s.sessionEnd.reason).toBe('horizon')
  })
})
