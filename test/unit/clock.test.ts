import { describe, expect, it } from 'vitest'
import { clockSkewWarning } from '../../src/core/jwt/clock.js'

const local = new Date('2026-01-01T00:00:00.400Z')
describe('clockSkewWarning', () => {
  it('says how far and which way, in whole minutes beyond two minutes', () => {
    expect(clockSkewWarning(new Date('2026-01-01T00:06:59Z'), local, 60, 'issuer')).toMatch(/^this machine's clock is 7m behind the issuer's \(server Date 2026-01-01T00:06:59.000Z/)
    expect(clockSkewWarning(new Date('2025-12-31T23:58:30Z'), local, 60, 'JWKS server')).toMatch(/^this machine's clock is 1m30s ahead of the JWKS server's/)
  })
  it('is silent within the leeway', () => {
    expect(clockSkewWarning(new Date('2026-01-01T00:01:00Z'), local, 60, 'issuer')).toBeUndefined()
    expect(clockSkewWarning(new Date('2026-01-01T00:01:00Z'), local, 30, 'issuer')).toBeDefined()
  })
})
