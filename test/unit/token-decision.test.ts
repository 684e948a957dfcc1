import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cacheKey } from '../../src/core/cache-key.js'
import { decideToken, machineTokenKey, userTokenKey, USER_TOKEN_GRANT, type TokenDecisionInput } from '../../src/core/token-decision.js'
import { USER_GRANT, userCacheKeyParts } from '../../src/oauth/user-session.js'
import type { AccessTokenEntry, ProfileTokens } from '../../src/store/tokens.js'

const now = new Date('2026-01-01T00:00:00Z')
const nowSec = now.getTime() / 1000
const shape = { issuer: 'https://as.example', clientId: 'cli' }
const userKey = userTokenKey({ ...shape, scope: 'openid offline_access' })
const ccKey = machineTokenKey({ ...shape, grant: 'client_credentials', scope: 'api:read' })

const entry = (key: string, left: number | undefined, token = `tok-${key.slice(4, 10)}`): AccessTokenEntry => ({
  accessToken: token,
  tokenType: 'Bearer',
  cacheKey: key,
  obtainedAt: nowSec - 100,
  ...(left === undefined ? {} : { expiresAt: nowSec + left }),
})

function tokens(entries: AccessTokenEntry[], refresh?: { clientId?: string }): ProfileTokens {
  return {
    version: 1,
    accessTokens: Object.fromEntries(entries.map((e) => [e.cacheKey, e])),
    ...(refresh ? { refreshToken: { value: 'rt', obtainedAt: nowSec - 100 }, ...(refresh.clientId ? { clientId: refresh.clientId } : {}) } : {}),
  }
}

const input = (over: Partial<TokenDecisionInput>): TokenDecisionInput => ({
  tokens: undefined,
  now,
  minTtl: 60,
  force: false,
  claims: false,
  clientId: 'cli',
  userKey,
  machine: { grant: 'client_credentials', key: ccKey },
  ...over,
})

describe('decideToken', () => {
  it.each([
    { name: 'a fresh user token', t: tokens([entry(userKey, 3600)], {}), over: {}, want: { kind: 'cached', from: 'user' } },
    { name: 'a fresh machine token', t: tokens([entry(ccKey, 3600)]), over: {}, want: { kind: 'cached', from: 'machine' } },
    { name: 'the user token first when both are fresh', t: tokens([entry(ccKey, 3600), entry(userKey, 3600)], {}), over: {}, want: { kind: 'cached', from: 'user' } },
    { name: 'exactly min-ttl left is not enough', t: tokens([entry(userKey, 60)], {}), over: {}, want: { kind: 'refresh' } },
    { name: 'one second more is', t: tokens([entry(userKey, 61)], {}), over: {}, want: { kind: 'cached' } },
    { name: 'a token of unknown lifetime is never cached', t: tokens([entry(ccKey, undefined)]), over: {}, want: { kind: 'grant', grant: 'client_credentials' } },
    { name: '--force refreshes', t: tokens([entry(userKey, 3600)], {}), over: { force: true }, want: { kind: 'refresh' } },
    { name: 'a claims request refreshes', t: tokens([entry(userKey, 3600)], {}), over: { claims: true }, want: { kind: 'refresh' } },
    { name: '--force on a machine token runs the grant', t: tokens([entry(ccKey, 3600)]), over: { force: true }, want: { kind: 'grant' } },
    { name: 'refresh before client credentials', t: tokens([], {}), over: {}, want: { kind: 'refresh' } },
    { name: "another client's refresh token is not used", t: tokens([], { clientId: 'other' }), over: {}, want: { kind: 'grant' } },
    { name: '--client-credentials (no user key) skips the session', t: tokens([entry(userKey, 3600)], {}), over: { userKey: undefined }, want: { kind: 'grant' } },
    { name: 'jwt-bearer grant', t: undefined, over: { machine: { grant: 'jwt_bearer' as const, key: 'k' } }, want: { kind: 'grant', grant: 'jwt_bearer' } },
    { name: 'nothing at all', t: undefined, over: { machine: undefined }, want: { kind: 'none', expired: false } },
    { name: 'only an expired token', t: tokens([entry(userKey, -5)]), over: { machine: undefined }, want: { kind: 'none', expired: true } },
  ])('$name', ({ t, over, want }) => {
    expect(decideToken(input({ tokens: t, ...over }))).toMatchObject(want)
  })

  it('never hands out a token with min-ttl or less left, nor any token under --force or a claims request', () => {
    fc.assert(
      fc.property(fc.integer({ min: -7200, max: 7200 }), fc.integer({ min: 0, max: 3600 }), fc.boolean(), fc.boolean(), fc.boolean(), (left, minTtl, force, claims, machineEntry) => {
        const t = tokens([entry(machineEntry ? ccKey : userKey, left)], {})
        const d = decideToken(input({ tokens: t, minTtl, force, claims }))
        if (d.kind === 'cached') {
          expect(force || claims).toBe(false)
          expect(d.entry.expiresAt! - nowSec).toBeGreaterThan(minTtl)
        } else {
          expect(force || claims || left <= minTtl).toBe(true)
          expect(d.kind).toBe('refresh')
        }
      }),
    )
  })
})

describe('cache keys', () => {
  it("the user key is the one login and refresh store under (user-session's shape)", () => {
    expect(USER_TOKEN_GRANT).toBe(USER_GRANT)
    const s = { ...shape, scope: 'openid offline_access', audience: ['a'], resource: 'https://api.example', claims: '{"access_token":{}}' }
    expect(userTokenKey(s)).toBe(cacheKey(userCacheKeyParts(s)))
  })

  it('differ by grant, scope and assertion subject; not by scope order', () => {
    const cc = (scope: string) => machineTokenKey({ ...shape, grant: 'client_credentials', scope })
    const jb = (sub: string) => machineTokenKey({ ...shape, grant: 'jwt_bearer', scope: 'a', assertionSubject: { iss: 'https://ci', sub } })
    expect(cc('a b')).toBe(cc('b  a'))
    expect(new Set([cc('a'), cc('b'), jb('x'), jb('y'), userTokenKey({ ...shape, scope: 'a' })]).size).toBe(5)
  })
})
