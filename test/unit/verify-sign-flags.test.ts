import { describe, expect, it } from 'vitest'
import { parseClaimFlag, parseOptions } from '../../src/cli/commands/verify.js'
import { parseWhen } from '../../src/cli/commands/sign.js'
import { UsageError } from '../../src/errors.js'

const now = new Date('2026-01-01T00:00:00Z')
const T = now.getTime() / 1000

describe('parseWhen (sign --exp/--nbf)', () => {
  it.each([
    ['1h', T + 3600],
    ['+90s', T + 90],
    ['-5m', T - 300],
    ['0', T],
    ['1h30m', T + 5400],
    ['2030-01-01T00:00:00Z', 1893456000],
    ['1893456000', 1893456000],
  ])('%s', (text, want) => expect(parseWhen(text, now, '--exp')).toBe(want))
  it('rejects what is neither', () => expect(() => parseWhen('tomorrow', now, '--exp')).toThrow(UsageError))
})

describe('parseClaimFlag', () => {
  it.each([
    ['admin=true', { name: 'admin', value: true }],
    ['level=2', { name: 'level', value: 2 }],
    ['roles=["a","b"]', { name: 'roles', value: ['a', 'b'] }],
    ['tenant=t1', { name: 'tenant', value: 't1' }],
    ['eq=a=b', { name: 'eq', value: 'a=b' }],
    ['empty=', { name: 'empty', value: '' }],
  ])('%s', (text, want) => expect(parseClaimFlag(text)).toEqual(want))
  it('needs a name', () => {
    expect(() => parseClaimFlag('=x')).toThrow(/expected name=value/)
    expect(() => parseClaimFlag('x')).toThrow(/expected name=value/)
  })
})

describe('parseOptions (verify flags)', () => {
  it('--iss defaults to --issuer; scopes split on spaces; durations parsed once', () => {
    expect(parseOptions({ clockSkew: '2m', issuer: 'https://i', scope: ['a b', 'c'], maxAge: '1h', alg: ['ES256'] })).toEqual({
      clockSkew: 120,
      iss: 'https://i',
      scopes: ['a', 'b', 'c'],
      maxAge: 3600,
      algorithms: ['ES256'],
    })
    expect(parseOptions({ clockSkew: '60s', issuer: 'https://i', iss: 'https://other' }).iss).toBe('https://other')
  })
  it('refuses --alg none and unknown algorithms', () => {
    expect(() => parseOptions({ clockSkew: '60s', alg: ['none'] })).toThrow(/never accepted/)
    expect(() => parseOptions({ clockSkew: '60s', alg: ['XS256'] })).toThrow(/not a supported JWS algorithm/)
  })
})
