import { describe, expect, it } from 'vitest'
import { settingsAfterLogin } from '../../src/cli/commands/login.js'
import { mergeTokenResult, refreshProfile } from '../../src/oauth/user-session.js'
import { memoryStore } from '../../src/store/store.js'
import type { OAuthClient } from '../../src/oauth/client.js'

const now = new Date('2026-01-01T00:00:00Z')
const t0 = Math.floor(now.getTime() / 1000)
const shape = { issuer: 'https://as.example', clientId: 'cli', scope: 'openid offline_access' }
const result = { tokenType: 'Bearer', accessToken: 'at1', expiresAt: t0 + 3600, scope: 'openid offline_access', refreshToken: 'rt1', idToken: 'h.p.s', idTokenClaims: { exp: t0 + 600 } }

describe('mergeTokenResult', () => {
  it('stores access, refresh and ID token, keyed by what shaped the access token', () => {
    const t = mergeTokenResult(undefined, result, shape, now, { replaceSession: true })
    expect(t).toMatchObject({ issuer: shape.issuer, clientId: 'cli', refreshToken: { value: 'rt1', obtainedAt: t0 }, idToken: { value: 'h.p.s', expiresAt: t0 + 600 } })
    const entries = Object.values(t.accessTokens)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ accessToken: 'at1', expiresAt: t0 + 3600, shape: { grant: 'authorization_code', scope: ['offline_access', 'openid'] } })
  })
  it('keeps the refresh token when a response brings none, and replaces it when one comes', () => {
    const a = mergeTokenResult(undefined, result, shape, now, { replaceSession: true })
    const b = mergeTokenResult(a, { ...result, accessToken: 'at2', refreshToken: undefined }, shape, now, { replaceSession: false })
    expect(b.refreshToken?.value).toBe('rt1')
    const c = mergeTokenResult(b, { ...result, refreshToken: 'rt2' }, shape, now, { replaceSession: false })
    expect(c.refreshToken?.value).toBe('rt2')
  })
  it('starts a new session on login and for another issuer', () => {
    const a = mergeTokenResult(undefined, result, { ...shape, scope: 'openid' }, now, { replaceSession: true })
    const b = mergeTokenResult(a, { ...result, refreshToken: undefined }, shape, now, { replaceSession: true })
    expect(b.refreshToken).toBeUndefined()
    expect(Object.keys(b.accessTokens)).toHaveLength(1)
    const c = mergeTokenResult(a, { ...result, refreshToken: undefined }, { ...shape, issuer: 'https://other.example' }, now, { replaceSession: false })
    expect(c.refreshToken).toBeUndefined()
  })
})

describe('refreshProfile', () => {
  it('never sends a refresh token to a server other than its issuer', async () => {
    const store = memoryStore({ tokens: { default: mergeTokenResult(undefined, result, shape, now, { replaceSession: true }) } })
    const oc = { metadata: { issuer: 'https://evil.example', token_endpoint: 'https://evil.example/token' } } as unknown as OAuthClient
    await expect(refreshProfile(store, 'default', oc, {}, { clientId: 'cli' }, () => now)).rejects.toThrow(/issued by https:\/\/as\.example, not https:\/\/evil\.example/)
  })
  it('says how to sign in when no refresh token is stored', async () => {
    const oc = { metadata: { issuer: shape.issuer } } as unknown as OAuthClient
    await expect(refreshProfile(memoryStore(), 'work', oc, {}, { clientId: 'cli' }, () => now)).rejects.toMatchObject({ hint: expect.stringContaining('tokentool login --profile work') })
  })
})

describe('settingsAfterLogin', () => {
  const got = { issuer: 'https://as.example', clientId: 'cli', clientSecret: undefined, scope: 'openid' }
  it('saves what the login used, and the redirect and request flags given', () => {
    const s = settingsAfterLogin(undefined, { open: true, port: '8400', redirectHost: 'localhost', param: ['access_type=offline'], audience: 'api', resource: ['https://r'] }, got, {})
    expect(s).toEqual({ issuer: 'https://as.example', clientId: 'cli', scope: 'openid', audience: ['api'], resource: ['https://r'], params: { access_type: 'offline' }, redirect: { host: 'localhost', port: 8400 } })
  })
  it('keeps the secret as the user wrote it (a reference stays a reference)', () => {
    expect(settingsAfterLogin(undefined, { open: true }, { ...got, clientSecret: 'env:SECRET' }, {}).clientSecret).toBe('env:SECRET')
  })
  it('drops endpoint overrides saved for another issuer', () => {
    const cur = { issuer: 'https://old.example', clientId: 'cli', endpoints: { token_endpoint: 'https://old.example/token' } }
    expect(settingsAfterLogin(cur, { open: true }, got, {}).endpoints).toBeUndefined()
    expect(settingsAfterLogin({ ...cur, issuer: got.issuer }, { open: true }, got, {}).endpoints).toEqual(cur.endpoints)
  })
})

describe('settingsAfterLogin: the private_key_jwt audience', () => {
  const got = { issuer: 'https://as.example', clientId: 'cli', clientSecret: undefined, scope: 'openid' }
  it('saves --client-assertion-audience with the key, and keeps a saved one when not given', () => {
    const s = settingsAfterLogin(undefined, { open: true, clientAuth: 'private_key_jwt', clientKey: '/k.jwk', clientAssertionAudience: 'token-endpoint' }, got, {})
    expect(s).toMatchObject({ clientAuth: 'private_key_jwt', clientKey: '/k.jwk', clientAssertionAudience: 'token-endpoint' })
    expect(settingsAfterLogin(s, { open: true }, got, {}).clientAssertionAudience).toBe('token-endpoint')
  })
})

describe('authChoice: --client-assertion-audience over the profile', () => {
  const deps = { env: {}, cwd: '/' }
  it("the flag wins, else the profile's setting; bad values name where they came from", async () => {
    const { authChoice } = await import('../../src/cli/token-request.js')
    const { writeFileSync, mkdtempSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const key = join(mkdtempSync(join(tmpdir(), 'tt-')), 'k.jwk')
    writeFileSync(key, JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }))
    const saved = { clientKey: key, clientAssertionAudience: 'token-endpoint' }
    expect(await authChoice({}, saved, undefined, deps)).toMatchObject({ method: 'private_key_jwt', audience: 'token-endpoint' })
    expect(await authChoice({ clientAssertionAudience: 'https://as.example/other' }, saved, undefined, deps)).toMatchObject({ audience: { url: 'https://as.example/other' } })
    await expect(authChoice({}, { ...saved, clientAssertionAudience: 'nope' }, undefined, deps)).rejects.toThrow(/the clientAssertionAudience of the profile must be issuer, token-endpoint or a URL: nope/)
    await expect(authChoice({ clientAssertionAudience: 'issuer', clientAuth: 'post' }, {}, 's3cret', deps)).rejects.toThrow(/--client-assertion-audience is the aud of the assertion tokentool signs/)
  })
})
