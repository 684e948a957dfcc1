/** Times at and beyond the edge of what a Date holds: core/time's guards, pure. */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { expiresAtFrom, isDateSeconds, isoFromSeconds, MAX_DATE_SECONDS, MAX_LIFETIME_SECONDS, parseTime } from '../../src/core/time.js'
import { UsageError } from '../../src/errors.js'

describe('isoFromSeconds', () => {
  it('formats the last and first representable seconds, and nothing beyond', () => {
    expect(isoFromSeconds(MAX_DATE_SECONDS)).toBe('+275760-09-13T00:00:00Z')
    expect(isoFromSeconds(-MAX_DATE_SECONDS)).toBe('-271821-04-20T00:00:00Z')
    for (const v of [MAX_DATE_SECONDS + 1, 1e20, -1e20, 9007199254740993, NaN, Infinity]) expect(isoFromSeconds(v)).toBeUndefined()
  })
  it('never throws, whatever the number', () => {
    fc.assert(fc.property(fc.double(), (v) => {
      const iso = isoFromSeconds(v)
      expect(iso === undefined).toBe(!isDateSeconds(v))
    }))
  })
})

describe('expiresAtFrom', () => {
  const at = new Date('2026-01-01T00:00:00Z')
  const base = at.getTime() / 1000
  it('adds expires_in, clamped to ten years; ignores what is not a positive number', () => {
    expect(expiresAtFrom(at, 3600)).toBe(base + 3600)
    expect(expiresAtFrom(at, '3600')).toBe(base + 3600)
    expect(expiresAtFrom(at, 1e20)).toBe(base + MAX_LIFETIME_SECONDS)
    expect(expiresAtFrom(at, '1e400')).toBe(base + MAX_LIFETIME_SECONDS)
    for (const v of [0, -5, NaN, 'soon', '', null, undefined, {}]) expect(expiresAtFrom(at, v)).toBeUndefined()
  })
  it('always gives a time a Date can show', () => {
    fc.assert(fc.property(fc.oneof(fc.double(), fc.string()), (v) => {
      const e = expiresAtFrom(at, v)
      if (e !== undefined) expect(isoFromSeconds(e)).toBeDefined()
    }))
  })
})

describe('parseTime', () => {
  it('refuses unix seconds no Date holds', () => {
    expect(() => parseTime('99999999999999999999')).toThrow(UsageError)
    expect(parseTime('8640000000000').toISOString()).toBe('+275760-09-13T00:00:00.000Z')
  })
})
