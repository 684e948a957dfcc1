import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatDuration, parseDuration } from '../../src/core/duration.js'
import { UsageError } from '../../src/errors.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['45m', 2700],
    ['8h', 28800],
    ['5d', 432000],
    ['2w', 1209600],
    ['1mo', 2592000],
    ['1h30m', 5400],
    ['120', 120],
    [' 2H ', 7200],
  ])('%s → %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['', 'abc', '1x', '-5m', 'h1', '1h 30m', '5mm'])('rejects %j with a usage error', (text) => {
    expect(() => parseDuration(text, '--exp')).toThrow(UsageError)
    expect(() => parseDuration(text, '--exp')).toThrow(/--exp/)
  })

  it('formats what it parses back to the same number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (s) => {
        expect(parseDuration(formatDuration(s))).toBe(s)
      }),
    )
  })

  it('ends every input in a number or a UsageError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const n = parseDuration(text)
          expect(Number.isInteger(n) && n >= 0).toBe(true)
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError)
        }
      }),
    )
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.6, '1m'],
    [5400, '1h30m'],
    [93784, '1d2h3m4s'],
    [-3661, '-1h1m1s'],
  ])('%d seconds → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text)
  })

  it('with maxUnits: the largest units of the whole text, in order', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e10, max: 1e10, noNaN: true }), fc.integer({ min: 1, max: 4 }), (s, n) => {
        const whole = formatDuration(s)
        const sign = whole.startsWith('-') ? '-' : ''
        const units = whole.slice(sign.length).match(/\d+[a-z]/g) ?? []
        expect(formatDuration(s, n)).toBe(sign + units.slice(0, n).join(''))
      }),
    )
  })
})
