import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { simulateSession, type SessionParams, type SimEvent } from '../../src/core/simulate/engine.js'
import { ALWAYS, isActive, type Window } from '../../src/core/simulate/windows.js'

const MIN = 60

/** Random policies on a one-minute grid, small enough for the minute-by-minute reference below. */
const policyArb = fc
  .record({
    absolute: fc.option(fc.integer({ min: 1, max: 48 * 60 }), { nil: null }),
    sliding: fc.option(fc.integer({ min: 1, max: 24 * 60 }), { nil: null }),
    accessTtl: fc.integer({ min: 2, max: 6 * 60 }),
    refreshBeforeFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
    horizon: fc.integer({ min: 1, max: 3 * 24 * 60 }),
    revokeAt: fc.option(fc.integer({ min: 0, max: 3 * 24 * 60 }), { nil: null }),
    cuts: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 3 * 24 * 60 }), { maxLength: 8 }), { nil: null }),
    openEnd: fc.boolean(),
  })
  .map((r): SessionParams => {
    const refreshBefore = Math.min(r.accessTtl - 1, Math.floor(r.accessTtl * r.refreshBeforeFraction))
    let active: readonly Window[] = ALWAYS
    if (r.cuts && r.cuts.length >= 2) {
      const c = [...r.cuts].sort((a, b) => a - b)
      const ws: Window[] = []
      for (let i = 0; i + 1 < c.length; i += 2) ws.push({ from: c[i]! * MIN, to: c[i + 1]! * MIN })
      if (r.openEnd) ws[ws.length - 1]!.to = Infinity
      // drop touching windows the way the parser merges them
      active = ws.reduce<Window[]>((acc, w) => {
        const last = acc[acc.length - 1]
        if (last && last.to === w.from) last.to = w.to
        else acc.push({ ...w })
        return acc
      }, [])
    }
    const horizon = r.horizon * MIN
    return {
      absolute: r.absolute === null ? null : r.absolute * MIN,
      sliding: r.sliding === null ? null : r.sliding * MIN,
      accessTtl: r.accessTtl * MIN,
      refreshBefore: refreshBefore * MIN,
      active,
      horizon,
      revokeAt: r.revokeAt === null ? null : Math.min(horizon, r.revokeAt * MIN),
    }
  })

const TOKEN = new Set<SimEvent['type']>(['login', 'refresh'])
const AFTERMATH = new Set<SimEvent['type']>(['session-end', 'reauth-required', 'access-expired', 'revoke'])

describe('simulate engine: invariants', () => {
  it('event times never go backwards, and refreshes come strictly one after the other', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const { events } = simulateSession(p)
        for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at)
        const issued = events.filter((e) => TOKEN.has(e.type)).map((e) => e.at)
        for (let i = 1; i < issued.length; i++) expect(issued[i]!).toBeGreaterThan(issued[i - 1]!)
      }),
    )
  })

  it('nothing is issued at or after the session end; after it only the aftermath follows', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const s = simulateSession(p)
        const ends = s.events.filter((e) => e.type === 'session-end')
        expect(ends).toHaveLength(1)
        expect(ends[0]!.at).toBe(s.sessionEnd.at)
        for (const e of s.events) {
          if (TOKEN.has(e.type) && e.type !== 'login') expect(e.at).toBeLessThan(s.sessionEnd.at)
          if (e.at > s.sessionEnd.at) expect(AFTERMATH.has(e.type)).toBe(true)
          expect(e.at).toBeLessThanOrEqual(p.horizon)
        }
        if (s.reauthRequiredAt !== null) expect(s.reauthRequiredAt).toBeGreaterThanOrEqual(s.sessionEnd.at)
        expect(s.tokensIssued).toBe(s.events.filter((e) => TOKEN.has(e.type)).length)
        expect(s.tokensIssued).toBe(s.refreshes + 1)
      }),
    )
  })

  it('no refresh token is ever valid past the absolute limit', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        if (p.absolute === null) return
        for (const e of simulateSession(p).events) expect(e.refreshExpiresAt).toBeLessThanOrEqual(p.absolute)
      }),
    )
  })

  it('refresh tokens never extend while the client is inactive, and only while the previous one is valid', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const { events } = simulateSession(p)
        for (let i = 1; i < events.length; i++) {
          const prev = events[i - 1]!
          const e = events[i]!
          if (e.refreshExpiresAt > prev.refreshExpiresAt) {
            expect(e.type).toBe('refresh')
            expect(isActive(p.active, e.at)).toBe(true)
          }
          if (e.type === 'refresh') {
            expect(isActive(p.active, e.at)).toBe(true)
            expect(e.at).toBeLessThan(prev.refreshExpiresAt)
            expect(e.accessExpiresAt).toBe(e.at + p.accessTtl)
            if (p.revokeAt !== null) expect(e.at).toBeLessThan(p.revokeAt)
          }
        }
      }),
    )
  })

  it('agrees with a naive minute-by-minute walk of the same model', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const s = simulateSession(p)
        const n = naive(p)
        expect({ tokensIssued: s.tokensIssued, end: s.sessionEnd, reauth: s.reauthRequiredAt }).toEqual(n)
      }),
      { numRuns: 300 },
    )
  })
})

/**
 * The model read literally, one minute at a time (every input is on the minute grid): at each
 * minute, an active client whose refresh is due refreshes if the refresh token is still valid.
 */
function naive(p: SessionParams) {
  const revokeAt = p.revokeAt ?? Infinity
  const rt = (t: number) => Math.min(p.sliding === null ? Infinity : t + p.sliding, p.absolute ?? Infinity)
  const reasonOf = (t: number) => ((p.absolute ?? Infinity) <= (p.sliding === null ? Infinity : t + p.sliding) ? 'absolute' : 'sliding')
  let accessExp = p.accessTtl
  let refreshExp = rt(0)
  let reason = reasonOf(0)
  let tokensIssued = 1
  for (let t = MIN; t < p.horizon; t += MIN) {
    if (!isActive(p.active, t) || t < accessExp - p.refreshBefore) continue
    if (t < Math.min(refreshExp, revokeAt)) {
      accessExp = t + p.accessTtl
      refreshExp = rt(t)
      reason = reasonOf(t)
      tokensIssued++
      continue
    }
    return end(t)
  }
  return end(null)

  function end(reauth: number | null) {
    const revoked = revokeAt < refreshExp
    const cutoff = Math.min(refreshExp, revokeAt)
    if (cutoff > p.horizon) return { tokensIssued, end: { at: p.horizon, reason: 'horizon' }, reauth: null }
    return { tokensIssued, end: { at: cutoff, reason: revoked ? 'revoked' : reason }, reauth }
  }
}

describe('revocation report: invariants', () => {
  it('reference ≤ JWT, CAE ≤ long-lived, CAE ≤ its latency, and nothing outlives its token', async () => {
    const { simulate } = await import('../../src/core/simulate/simulate.js')
    const flagsArb = fc.record({
      preset: fc.constantFrom('e-government', 'enterprise', 'consumer'),
      revokeMinutes: fc.integer({ min: 0, max: 24 * 60 }),
      cacheMinutes: fc.integer({ min: 0, max: 120 }),
      latencyMinutes: fc.integer({ min: 0, max: 120 }),
      cae: fc.boolean(),
    })
    fc.assert(
      fc.property(flagsArb, (f) => {
        const r = simulate({
          preset: f.preset,
          revokeAt: `${f.revokeMinutes}m`,
          introspectionCache: `${f.cacheMinutes}m`,
          caeLatency: `${f.latencyMinutes}m`,
          horizon: '2d',
          ...(f.cae ? { cae: true } : {}),
        })
        const [jwt, ref, cae, long] = r.exposure!.rows
        expect(ref!.continuesFor).toBeLessThanOrEqual(jwt!.continuesFor)
        expect(ref!.continuesFor).toBeLessThanOrEqual(f.cacheMinutes * 60)
        expect(cae!.continuesFor).toBeLessThanOrEqual(long!.continuesFor)
        expect(cae!.continuesFor).toBeLessThanOrEqual(f.latencyMinutes * 60)
        for (const row of r.exposure!.rows) {
          expect(row.until).toBe(f.revokeMinutes * 60 + row.continuesFor)
          if (row.tokenExpiresAt === null) expect(row.continuesFor).toBe(0)
          else expect(row.until).toBeLessThanOrEqual(row.tokenExpiresAt)
          expect(row.continuesFor).toBeLessThanOrEqual(row.accessTtl)
        }
      }),
      { numRuns: 200 },
    )
  })
})
