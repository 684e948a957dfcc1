/** The device flow's polling interval stays sane whatever the server says (RFC 8628 §3.2, §3.5). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_INTERVAL, pollInterval } from '../../src/oauth/device.js'

describe('pollInterval', () => {
  it('5 s when the server gives none; the server value within 1 s .. 5 min', () => {
    expect(pollInterval(undefined)).toBe(DEFAULT_INTERVAL)
    expect(pollInterval(1)).toBe(1)
    expect(pollInterval(7)).toBe(7)
    expect(pollInterval(0)).toBe(1)
    expect(pollInterval(0.001)).toBe(1)
    expect(pollInterval(1e12)).toBe(300)
    expect(pollInterval(Number.NaN)).toBe(DEFAULT_INTERVAL)
  })

  it('any number gives a delay a timer can hold and that is never a tight loop', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const s = pollInterval(x)
        expect(s).toBeGreaterThanOrEqual(1)
        expect(s * 1000).toBeLessThan(2 ** 31)
      }),
    )
  })
})
