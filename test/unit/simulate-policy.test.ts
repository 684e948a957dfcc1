import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { normalizeWindows, parseWindows, type Window } from '../../src/core/simulate/windows.js'
import { resolvePolicy } from '../../src/core/simulate/policy.js'
import { UsageError } from '../../src/errors.js'

const h = 3600

describe('parseWindows', () => {
  it('reads half-open windows from login, sorted, touching ones merged', () => {
    expect(parseWindows('0-3h,5h-9h')).toEqual([
      { from: 0, to: 3 * h },
      { from: 5 * h, to: 9 * h },
    ])
    expect(parseWindows(' 5h-9h , 0-3h ')).toEqual([
      { from: 0, to: 3 * h },
      { from: 5 * h, to: 9 * h },
    ])
    expect(parseWindows('0-3h,3h-5h')).toEqual([{ from: 0, to: 5 * h }])
    expect(parseWindows('1h30m-')).toEqual([{ from: 5400, to: Infinity }])
  })

  it.each([
    ['', /no windows/],
    ['0-3h,', /empty window/],
    ['3h', /no "-"/],
    ['-3h', /no start/],
    ['5h-3h', /runs backwards/],
    ['3h-3h', /is empty/],
    ['0-4h,3h-5h', /overlap/],
    ['0-x', /cannot read "x"/],
    ['2h--1h', /negative/],
  ])('%j is a usage error (%s)', (text, message) => {
    expect(() => parseWindows(text)).toThrow(UsageError)
    expect(() => parseWindows(text)).toThrow(message)
  })

  it('gives windows or a UsageError for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9hms\-, ]{0,20}$/)), (text) => {
        try {
          const ws = parseWindows(text)
          expect(ws.length).toBeGreaterThan(0)
          for (let i = 0; i < ws.length; i++) {
            expect(ws[i]!.from).toBeLessThan(ws[i]!.to)
            if (i > 0) expect(ws[i]!.from).toBeGreaterThan(ws[i - 1]!.to)
          }
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('reads back any set of disjoint windows written out in seconds', () => {
    const windowsArb = fc.uniqueArray(fc.integer({ min: 0, max: 10 ** 7 }), { minLength: 2, maxLength: 12 }).map((cuts) => {
      const c = [...cuts].sort((a, b) => a - b)
      const ws: Window[] = []
      for (let i = 0; i + 1 < c.length; i += 2) ws.push({ from: c[i]!, to: c[i + 1]! })
      return ws
    })
    fc.assert(
      fc.property(windowsArb, fc.boolean(), (ws, shuffle) => {
        const list = shuffle ? [...ws].reverse() : ws
        const text = list.map((w) => `${w.from}-${w.to}`).join(',')
        expect(parseWindows(text)).toEqual(normalizeWindows(ws))
      }),
    )
  })
})

describe('resolvePolicy', () => {
  it('a preset sets the table values; explicit flags override it', () => {
    const eg = resolvePolicy({ preset: 'e-government' }).policy
    expect([eg.absolute, eg.sliding, eg.accessTtl, eg.refreshBefore, eg.horizon]).toEqual([4 * h, h, h, 60, 28 * h])
    const over = resolvePolicy({ preset: 'enterprise', sliding: '30m', horizon: '2d' }).policy
    expect([over.absolute, over.sliding, over.horizon]).toEqual([8 * h, 1800, 48 * h])
    expect(resolvePolicy({ preset: 'consumer' }).policy.absolute).toBe(720 * h)
    expect(resolvePolicy({ preset: 'consumer', absolute: 'none' }).policy).toMatchObject({ absolute: null, horizon: 30 * 86400 })
  })

  it('defaults: 1h access tokens refreshed 1m early, always active, a 30-day horizon without an absolute limit', () => {
    const p = resolvePolicy({}).policy
    expect(p).toMatchObject({ absolute: null, sliding: null, accessTtl: h, refreshBefore: 60, active: null, horizon: 30 * 86400, cae: false, caeLatency: 900, introspectionCache: 0 })
  })

  it('--cae alone gives 28h session tokens; a longer CAE lifetime is refused', () => {
    expect(resolvePolicy({ cae: true }).policy).toMatchObject({ cae: true, accessTtl: 28 * h, ordinaryAccessTtl: h })
    expect(() => resolvePolicy({ cae: '30h' })).toThrow(/at most 28h/)
  })

  it.each([
    [{ absolute: '-4h' }, /--absolute: "-4h" is negative/],
    [{ sliding: 'soon' }, /--sliding: cannot read "soon"/],
    [{ accessTtl: '0' }, /--access-ttl: must be longer than zero/],
    [{ horizon: '0s' }, /--horizon: must be longer than zero/],
    [{ refreshBefore: '1h' }, /--refresh-before 1h is not shorter than --access-ttl/],
    [{ preset: 'bank' }, /unknown preset "bank" \(choose e-government, enterprise, consumer\)/],
    [{ active: '3h-1h' }, /runs backwards/],
    [{ absolute: '4h', revokeAt: '2d' }, /--revoke-at 2d is after the horizon/],
    [{ horizon: '1y', accessTtl: '10s', refreshBefore: '5s' }, /more than 2000000 refreshes/],
    [{ horizon: '200y' }, /100 years/],
  ])('%j is a usage error', (flags, message) => {
    expect(() => resolvePolicy(flags)).toThrow(UsageError)
    expect(() => resolvePolicy(flags)).toThrow(message)
  })

  it('sliding longer than absolute is a warning, not an error', () => {
    const r = resolvePolicy({ absolute: '4h', sliding: '8h' })
    expect(r.policy.sliding).toBe(8 * h)
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(/sliding limit never applies/)
  })
})
