import { Chalk } from 'chalk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeToken } from '../../src/core/jwt/decode.js'
import { decodedJson, formatValue, humanView, renderDecoded } from '../../src/render/decode.js'
import { visibleWidth } from '../../src/render/table.js'
import { NOW, NOW_S, rawJws } from '../helpers/jwt-fixtures.js'
import { testIO } from '../helpers/test-io.js'

const plain = new Chalk({ level: 0 })
const colour = new Chalk({ level: 1 })
const RED = '\u001b[31m'
const GREEN = '\u001b[32m'
const YELLOW = '\u001b[33m'

const tok = (payload: object, header: object = { alg: 'RS256', typ: 'JWT' }) => decodeToken(rawJws(header, payload), { now: NOW })

describe('humanView', () => {
  it('is readable without colour and says loudly that nothing was verified', () => {
    const v = humanView(tok({ sub: 'alice', exp: NOW_S + 60 }), plain, 120)
    expect(v).not.toMatch(/\u001b\[/)
    expect(v.split('\n')[0]).toBe('!! SIGNATURE NOT VERIFIED !! decoded only: check it with tokentool verify')
    expect(v).toMatch(/Signature  9 bytes \(RS256\) · NOT VERIFIED/)
    expect(v).toMatch(/sub\s+alice\s+subject \(whom the token is about\)/) // the glossary, when there is room
    expect(humanView(tok({ sub: 'alice', exp: NOW_S + 60 }), plain, 60)).toMatch(/sub\s+alice\n/) // and none when not
  })
  it('colours times by state: expired red, not yet valid yellow, valid green', () => {
    const expired = humanView(tok({ exp: NOW_S - 60 }), colour, 100)
    expect(expired).toContain(`${RED}1767225540 · 2025-12-31T23:59:00Z · expired 1m ago`)
    const early = humanView(tok({ nbf: NOW_S + 60, exp: NOW_S + 120 }), colour, 100)
    expect(early).toContain(`${YELLOW}1767225660 · 2026-01-01T00:01:00Z · NOT YET VALID, in 1m`)
    const valid = humanView(tok({ exp: NOW_S + 60 }), colour, 100)
    expect(valid).toContain(`${GREEN}1767225660 · 2026-01-01T00:01:00Z · in 1m`)
    expect(valid).toContain('\u001b[41m') // the banner on red
  })
  it('fits the terminal width, narrow or wide', () => {
    const t = tok({ iss: 'https://login.example.com/' + 'x'.repeat(200), scope: 'a b c d e f g h i j k l m n o p', groups: Array.from({ length: 50 }, (_, i) => `g${i}`) })
    for (const w of [40, 60, 80, 132]) {
      for (const line of humanView(t, plain, w).trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(w)
    }
  })
  it('shows warnings, notes and the binding', () => {
    const v = humanView(tok({ cnf: { jkt: 'abc' }, claim_type_limit_reached: 'groups' }, { alg: 'none' }), plain, 200)
    expect(v).toContain('Bound to  DPoP-bound (RFC 9449)')
    expect(v).toContain('! alg is "none"')
    expect(v).toContain('! claim_type_limit_reached: groups cut short')
  })
  it('shows hostile header and claim text escaped, never raw', () => {
    const v = humanView(tok({ sub: 'a\u001b[2Jb', name: 'x\u202ey' }, { alg: 'RS256\u001b]0;owned\u0007', typ: 'JWT\u001b[31m' }), plain, 200)
    expect(v).not.toMatch(/[\u001b\u0007\u202e]/)
    expect(v).toContain('a\\u001b[2Jb')
  })
  it('shows no banner for an opaque token, only the kind and the hint', () => {
    const v = humanView(decodeToken('2YotnFZFEjr1zCsicMWpAA', { now: NOW }), plain, 80)
    expect(v).not.toContain('SIGNATURE')
    expect(v).toMatch(/^Kind\s+opaque \(reference\) token$/m)
    expect(v).toContain('tokentool introspect <token>')
  })
})

describe('humanView for any decodable token (property)', () => {
  it('renders without throwing and within the width', () => {
    const key = fc.oneof(fc.constantFrom('exp', 'nbf', 'iat', 'auth_time', 'updated_at', 'cnf', 'act', 'events', 'typ', 'scope', 'nonce', 'claim_type_limit_reached'), fc.string())
    const inner = rawJws({ alg: 'none', typ: 'at+jwt' }, { exp: NOW_S - 5, sub: 'x'.repeat(90) }, '')
    const jwe = `${rawJws({ alg: 'dir', enc: 'A256GCM' }, {}, '').split('.')[0]}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`
    const value = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(inner, jwe), fc.array(fc.constant(inner), { maxLength: 3 }))
    const obj = fc.dictionary(key, value, { maxKeys: 12 })
    fc.assert(
      fc.property(obj, obj, fc.integer({ min: 40, max: 160 }), (h, p, width) => {
        const t = decodeToken(rawJws(h, p), { now: NOW })
        JSON.stringify(decodedJson(t))
        for (const line of humanView(t, plain, width).trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(width)
      }),
      { numRuns: 300 },
    )
  })
})

describe('formatValue', () => {
  it('shows strings bare, the rest as JSON, embedded JWTs abbreviated', () => {
    expect(formatValue('abc')).toBe('abc')
    expect(formatValue(['a', 1])).toBe('["a",1]')
    expect(formatValue(null)).toBe('null')
    const jwt = rawJws({ alg: 'none' }, { a: 1 }, '')
    expect(formatValue({ t: jwt })).toBe(`{"t":"${jwt.slice(0, 12)}… (JWT, ${jwt.length} chars, decoded below)"}`)
  })
})

describe('renderDecoded', () => {
  it('--json writes one document with the contract fields first', () => {
    const t = testIO()
    renderDecoded(t.io, tok({ sub: 'x' }), { json: true })
    const doc = JSON.parse(t.stdout())
    expect(Object.keys(doc).slice(0, 8)).toEqual(['kind', 'header', 'payload', 'signature', 'size', 'times', 'warnings', 'nested'])
    expect(decodedJson(tok({ sub: 'x' })).verified).toBe(false)
  })
})
