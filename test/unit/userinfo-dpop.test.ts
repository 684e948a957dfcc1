/** When `userinfo` sends its token DPoP-bound (RFC 9449 §7): the flags, else what the token says. */
import { describe, expect, it } from 'vitest'
import { dpopBound } from '../../src/cli/commands/userinfo.js'

const jwt = (payload: object) => `eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`

describe('dpopBound', () => {
  it('a stored token: its token_type', () => {
    expect(dpopBound({}, { token: 'opaque', tokenType: 'DPoP' })).toBe(true)
    expect(dpopBound({}, { token: 'opaque', tokenType: 'dpop' })).toBe(true)
    expect(dpopBound({}, { token: jwt({ cnf: { jkt: 'k' } }), tokenType: 'Bearer' })).toBe(false)
  })
  it('a given token: a JWT with cnf.jkt; an opaque one or another binding is Bearer', () => {
    expect(dpopBound({}, { token: jwt({ cnf: { jkt: 'k' } }) })).toBe(true)
    expect(dpopBound({}, { token: jwt({ cnf: { 'x5t#S256': 'x' } }) })).toBe(false)
    expect(dpopBound({}, { token: 'opaque-token' })).toBe(false)
  })
  it('the flags win: --dpop, --dpop-key, --no-dpop', () => {
    expect(dpopBound({ dpop: true }, { token: 'opaque' })).toBe(true)
    expect(dpopBound({ dpopKey: 'k.json' }, { token: 'opaque' })).toBe(true)
    expect(dpopBound({ dpop: false }, { token: 'opaque', tokenType: 'DPoP' })).toBe(false)
  })
})
