/** Pure helpers of the interactive mode: embedded tokens found by path, validators reusing the parsers. */
import { describe, expect, it } from 'vitest'
import { embeddedTokens } from '../../src/interactive/inspect.js'
import { shortToken } from '../../src/interactive/session.js'
import { validChallenge, validDuration, validLimit, validProfileName, validToken, validUrl, validWindows } from '../../src/interactive/validators.js'
import { rawJws } from '../helpers/jwt-fixtures.js'

const inner = rawJws({ alg: 'RS256' }, { sub: 'agent' })

describe('embeddedTokens', () => {
  it('finds JWT strings at any depth, with their paths, in document order', () => {
    const found = embeddedTokens({ sub: 'x', act: { actor_token: inner, act: { tokens: ['plain', inner] } }, other: inner })
    expect(found.map((f) => f.path)).toEqual(['act.actor_token', 'act.act.tokens[1]', 'other'])
    expect(found.every((f) => f.text === inner)).toBe(true)
  })
  it('ignores strings that only look a little like tokens', () => {
    expect(embeddedTokens({ a: 'eyJ', b: 'a.b.c', c: 42, d: null })).toEqual([])
  })
})

describe('validators (the parsers of the subcommands)', () => {
  it('tokens: a JWT and an opaque token pass; a broken JWT names the segment', () => {
    expect(validToken(inner)).toBe(true)
    expect(validToken(`Bearer ${inner}`)).toBe(true)
    expect(validToken('2YotnFZFEjr1zCsicMWpAA')).toBe(true)
    expect(validToken('eyJhbGciOiJSUzI1NiJ9.not-json!.sig')).toMatch(/payload|base64url/)
  })
  it('URLs: http(s) only', () => {
    expect(validUrl('https://login.example.com')).toBe(true)
    expect(validUrl('login.example.com')).toMatch(/not a URL/)
    expect(validUrl('ftp://x.example')).toMatch(/http\(s\)/)
  })
  it('durations, limits and windows', () => {
    expect(validDuration('1h30m')).toBe(true)
    expect(validDuration('8 hours')).not.toBe(true)
    expect(validLimit('none')).toBe(true)
    expect(validWindows('0-3h,5h-9h')).toBe(true)
    expect(validWindows('3h-1h')).not.toBe(true)
  })
  it('challenges and profile names', () => {
    expect(validChallenge('Bearer error="insufficient_claims"')).toBe(true)
    expect(validChallenge('Bearer error="x')).toMatch(/column/)
    expect(validProfileName('prod-eu')).toBe(true)
    expect(validProfileName('../x')).toMatch(/invalid profile name/)
  })
})

describe('shortToken', () => {
  it('a JWT keeps its header start and last 4 characters; anything else only its first 6, however short', () => {
    expect(shortToken(inner)).toBe(`${inner.slice(0, 12)}…${inner.slice(-4)} (${inner.length} chars)`)
    expect(shortToken('2YotnFZFEjr1zCsicMWpAA')).toBe('2YotnF… (22 chars)')
    expect(shortToken('abc')).toBe('abc… (3 chars)')
  })
})
