/**
 * The views of exchange and introspect without a server: readable without colour (an inactive
 * token says `active: false` in words), colour codes never escaped into text by wrapping, the
 * tables never wider than the terminal, no token in the human view.
 */
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { diffClaims } from '../../src/core/jwt/claims-diff.js'
import { decodeToken } from '../../src/core/jwt/decode.js'
import { visibleWidth } from '../../src/render/table.js'
import { exchangeJson, exchangeText, type ExchangeView } from '../../src/render/exchange.js'
import { introspectJson, introspectText } from '../../src/render/introspect.js'
import { NOW, NOW_S, rawJws } from '../helpers/jwt-fixtures.js'

const plain = new Chalk({ level: 0 })
const colour = new Chalk({ level: 1 })
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

const subjectClaims = { iss: 'https://as.example', sub: 'alice', aud: 'https://api.example', scope: 'read write', iat: NOW_S - 60, exp: NOW_S + 540 }
const issuedClaims = { ...subjectClaims, aud: 'https://orders.example', scope: 'read', iat: NOW_S, exp: NOW_S + 60, act: { sub: 'gateway' } }
const subjectJwt = rawJws({ alg: 'RS256', typ: 'at+jwt' }, subjectClaims)
const issuedJwt = rawJws({ alg: 'RS256', typ: 'at+jwt' }, issuedClaims)

function view(): ExchangeView {
  const subject = decodeToken(subjectJwt, { now: NOW })
  const issued = decodeToken(issuedJwt, { now: NOW })
  return {
    endpoint: 'https://as.example/token',
    subject: { tokenType: 'urn:ietf:params:oauth:token-type:access_token', decoded: subject, from: '--subject-token' },
    issued: { token: issuedJwt, issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token', tokenType: 'bearer', expiresAt: NOW_S + 60, scope: 'read', decoded: issued },
    request: { audience: [], resource: ['https://orders.example'], scope: 'read' },
    diff: diffClaims({ claims: subject.payload!, source: 'jwt' }, { claims: issued.payload!, source: 'jwt' }, NOW),
  }
}

describe('exchange view', () => {
  it('says what changed in words and shows each claim, without the token', () => {
    const text = exchangeText(view(), plain, 80, NOW)
    expect(text).toContain('• scope narrowed: write dropped, read kept')
    expect(text).toContain('• audience changed: https://api.example → https://orders.example')
    expect(text).toContain('• act added: gateway acts for alice (delegation)')
    expect(text).toContain('• expires 8m before the subject token')
    expect(text).toMatch(/^ {2}act\s+\+ \{"sub":"gateway"\}/m)
    expect(text).toMatch(/^ {2}exp\s+2026-01-01T00:09:00Z → 2026-01-01T00:01:00Z \(-8m\)/m)
    expect(text).not.toContain(issuedJwt)
  })

  it('fits a narrow terminal, and colour survives wrapping', () => {
    for (const width of [40, 60, 100]) {
      const text = strip(exchangeText(view(), colour, width, NOW))
      for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(width)
    }
    const coloured = exchangeText(view(), colour, 50, NOW)
    expect(coloured).toContain('\u001b[')
    expect(coloured).not.toContain('\\u001b')
  })

  it('--json carries the token, both tokens decoded and the diff', () => {
    const j = exchangeJson(view())
    expect(j).toMatchObject({ access_token: issuedJwt, token_type: 'bearer', scope: 'read', expires_at: NOW_S + 60, actor: null })
    expect(j.subject).toMatchObject({ from: '--subject-token', claims_source: 'jwt', payload: { sub: 'alice' } })
    expect((j.diff as { scope: { verdict: string } }).scope.verdict).toBe('narrowed')
  })
})

describe('introspect view', () => {
  const endpoint = 'https://as.example/introspect'

  it('an inactive token says active: false in words, with or without colour', () => {
    const r = { active: false, claims: { active: false }, endpoint }
    for (const c of [plain, colour]) {
      const text = strip(introspectText(r, c, 80, NOW))
      expect(text.split('\n')[0]).toBe('INACTIVE  active: false — the server does not accept this token')
    }
    expect(introspectJson(r)).toEqual({ active: false, response: { active: false }, jwt: null, endpoint })
  })

  it('an active token: its members with times and meanings; the RFC 9701 JWT decoded but not printed', () => {
    const token_introspection = { active: true, sub: 'bob', scope: 'openid', exp: NOW_S + 600, client_id: 'gw' }
    const jwt = rawJws({ alg: 'RS256', typ: 'token-introspection+jwt' }, { iss: 'https://as.example', aud: 'gw', iat: NOW_S, token_introspection })
    const r = { active: true, claims: token_introspection, jwt: { token: jwt, signatureVerified: true }, endpoint }
    const text = introspectText(r, plain, 100, NOW)
    expect(text).toMatch(/^ACTIVE {2}active: true — https:\/\/as\.example\/introspect accepts this token/)
    expect(text).toMatch(/^ {2}exp\s+\d+ · 2026-01-01T00:10:00Z · in 10m/m)
    expect(text).toContain("signature verified against the issuer's keys")
    expect(text).toMatch(/^ {4}typ\s+token-introspection\+jwt/m)
    expect(text).not.toContain(jwt)
    for (const line of strip(introspectText(r, colour, 40, NOW)).split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(40)
    const j = introspectJson(r) as { jwt: { header: unknown; payload: { token_introspection: unknown }; signature_verified: boolean } }
    expect(j.jwt.payload.token_introspection).toEqual(token_introspection)
    expect(j.jwt.signature_verified).toBe(true)
  })

  it('--jwt answered with plain JSON says so', () => {
    const text = introspectText({ active: true, claims: { active: true }, jwtRefused: true, endpoint }, plain, 80, NOW)
    expect(text).toContain('! --jwt: the server answered with plain JSON, not a signed JWT')
  })
})
