/**
 * claims-diff: what a token exchange changed, from the two tokens' claims. Hand-worked cases
 * for each verdict, and properties: the scope verdict agrees with set inclusion, and a token
 * compared with itself differs in nothing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { actorChain, diffClaims, scopesOf, OUTLIVE_TOLERANCE, type TokenSide } from '../../src/core/jwt/claims-diff.js'
import { tokenTypeUri } from '../../src/core/token-types.js'
import { UsageError } from '../../src/errors.js'

const NOW = new Date('2026-01-01T10:00:00Z')
const T = NOW.getTime() / 1000
const jwt = (claims: Record<string, unknown>): TokenSide => ({ claims, source: 'jwt' })

const subject = { iss: 'https://as', sub: 'alice', aud: 'https://api', scope: 'read write', iat: T - 60, exp: T + 540, client_id: 'web' }

describe('diffClaims', () => {
  it('delegation to a downstream API: scope narrowed, audience changed, act added, shorter life', () => {
    const issued = { iss: 'https://as', sub: 'alice', aud: 'https://orders', scope: 'read', iat: T, exp: T + 60, client_id: 'web', act: { sub: 'gateway' } }
    const d = diffClaims(jwt(subject), jwt(issued), NOW)
    expect(d.scope).toEqual({ before: ['read', 'write'], after: ['read'], removed: ['write'], added: [], verdict: 'narrowed' })
    expect(d.audience).toEqual({ before: ['https://api'], after: ['https://orders'], verdict: 'changed' })
    expect(d.actor).toMatchObject({ verdict: 'added', chain: ['gateway'], before: null })
    expect(d.subject).toEqual({ before: 'alice', after: 'alice', same: true })
    expect(d.lifetime).toEqual({
      before: { expiresAt: T + 540, lifetimeSeconds: 600, remainingSeconds: 540 },
      after: { expiresAt: T + 60, lifetimeSeconds: 60, remainingSeconds: 60 },
      expiresDeltaSeconds: -480,
      verdict: 'shorter',
    })
    expect(d.summary).toEqual([
      'scope narrowed: write dropped, read kept',
      'audience changed: https://api → https://orders',
      'act added: gateway acts for alice (delegation)',
      'expires 8m before the subject token',
    ])
    expect(d.warnings).toEqual([])
    const byName = Object.fromEntries(d.claims.map((c) => [c.claim, c.status]))
    expect(byName).toEqual({ iss: 'same', sub: 'same', aud: 'changed', scope: 'changed', iat: 'changed', exp: 'changed', client_id: 'same', act: 'added' })
  })

  it('warns when the scope widens and when the issued token outlives the subject token', () => {
    const issued = { ...subject, scope: 'read write admin', iat: T, exp: T + 540 + OUTLIVE_TOLERANCE + 1 }
    const d = diffClaims(jwt(subject), jwt(issued), NOW)
    expect(d.scope.verdict).toBe('widened')
    expect(d.scope.added).toEqual(['admin'])
    expect(d.lifetime.verdict).toBe('longer')
    expect(d.warnings).toEqual([
      'the issued token has scope the subject token did not (admin): an exchange should only narrow',
      'the issued token outlives the subject token by 1m1s',
    ])
  })

  it('does not warn about a few seconds of exchange latency', () => {
    const d = diffClaims(jwt(subject), jwt({ ...subject, exp: subject.exp + 3 }), NOW)
    expect(d.lifetime.verdict).toBe('longer')
    expect(d.summary).toContain('expires 3s after the subject token')
    expect(d.warnings).toEqual([])
  })

  it('names impersonation (no act) and a changed subject', () => {
    const d = diffClaims(jwt(subject), jwt({ ...subject, sub: 'svc-orders' }), NOW)
    expect(d.actor.verdict).toBe('none')
    expect(d.summary).toContain('no act claim: the issued token does not name an actor (impersonation, not delegation)')
    expect(d.summary).toContain('subject changed: alice → svc-orders')
  })

  it('an audience where the subject token had none is a change; neither having one is not worth a line', () => {
    const d = diffClaims(jwt({ sub: 'a', scope: 'x' }), { claims: { sub: 'a', scope: 'x', aud: 'orders' }, source: 'introspection' }, NOW)
    expect(d.audience).toEqual({ before: [], after: ['orders'], verdict: 'changed' })
    expect(d.summary).toContain('audience changed: (none) → orders')
    const none = diffClaims(jwt({ sub: 'a' }), jwt({ sub: 'a' }), NOW)
    expect(none.audience.verdict).toBe('same')
    expect(none.summary.some((l) => l.startsWith('audience'))).toBe(false)
  })

  it('follows a delegation chain: the current actor first, then the earlier ones', () => {
    const act = { sub: 'service-b', act: { sub: 'service-a' } }
    expect(actorChain(act)).toEqual(['service-b', 'service-a'])
    const d = diffClaims(jwt({ ...subject, act: { sub: 'service-a' } }), jwt({ ...subject, act }), NOW)
    expect(d.actor.verdict).toBe('changed')
    expect(d.summary).toContain('act changed: actors now service-b ← service-a')
  })

  it('reads scp arrays (Entra ID, Okta) and the token response for an opaque issued token', () => {
    expect(scopesOf({ claims: { scp: ['a', 'b'] }, source: 'jwt' })).toEqual(['a', 'b'])
    expect(scopesOf({ claims: { scp: 'a b' }, source: 'jwt' })).toEqual(['a', 'b'])
    const d = diffClaims(jwt(subject), { source: 'none', scope: 'read', expiresAt: T + 300 }, NOW)
    expect(d.scope.verdict).toBe('narrowed')
    expect(d.audience.verdict).toBe('unknown')
    expect(d.lifetime).toMatchObject({ verdict: 'shorter', expiresDeltaSeconds: -240 })
    expect(d.claims).toEqual([])
  })

  it('says what it cannot know when the subject token is opaque', () => {
    const d = diffClaims({ source: 'none' }, jwt({ sub: 'alice', scope: 'read', aud: 'x' }), NOW)
    expect(d.scope.verdict).toBe('unknown')
    expect(d.summary[0]).toBe("scope: read (the subject token's is not known)")
    expect(d.subject.same).toBeNull()
  })

  it('property: the scope verdict agrees with set inclusion', () => {
    const scope = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 })
    fc.assert(
      fc.property(scope, scope, (before, after) => {
        const d = diffClaims(jwt({ scope: before.join(' ') }), jwt({ scope: after.join(' ') }), NOW)
        const sub = after.every((s) => before.includes(s))
        const sup = before.every((s) => after.includes(s))
        const want = sub && sup ? 'same' : sub ? 'narrowed' : sup ? 'widened' : 'changed'
        expect(d.scope.verdict).toBe(want)
        expect(new Set([...d.scope.removed, ...after])).toEqual(new Set([...before, ...d.scope.added]))
      }),
    )
  })

  it('property: a token compared with itself differs in nothing', () => {
    const claims = fc.dictionary(fc.constantFrom('sub', 'aud', 'scope', 'x', 'act', 'exp'), fc.jsonValue(), { maxKeys: 6 })
    fc.assert(
      fc.property(claims, (c) => {
        const d = diffClaims(jwt(c), jwt(structuredClone(c)), NOW)
        expect(d.claims.every((ch) => ch.status === 'same')).toBe(true)
        expect(d.warnings).toEqual([])
        expect(['same', 'unknown']).toContain(d.scope.verdict)
        expect(['none', 'same']).toContain(d.actor.verdict)
      }),
    )
  })
})

describe('tokenTypeUri', () => {
  it('expands short names and keeps URIs', () => {
    expect(tokenTypeUri('access_token', '--x')).toBe('urn:ietf:params:oauth:token-type:access_token')
    expect(tokenTypeUri('ID-Token', '--x')).toBe('urn:ietf:params:oauth:token-type:id_token')
    expect(tokenTypeUri('saml2', '--x')).toBe('urn:ietf:params:oauth:token-type:saml2')
    expect(tokenTypeUri('urn:ietf:params:oauth:token-type:jwt', '--x')).toBe('urn:ietf:params:oauth:token-type:jwt')
    expect(tokenTypeUri('urn:example:vendor-token', '--x')).toBe('urn:example:vendor-token')
    expect(tokenTypeUri('https://tokens.example.com/kerberos', '--x')).toBe('https://tokens.example.com/kerberos')
  })

  it('rejects anything else with the names it accepts', () => {
    expect(() => tokenTypeUri('bearer', '--subject-token-type')).toThrow(UsageError)
    expect(() => tokenTypeUri('bearer', '--subject-token-type')).toThrow(/--subject-token-type: unknown token type "bearer"/)
  })
})
