/**
 * Issue #19: `userinfo` and `exchange` get the profile's access token the way `token` does: a
 * missing or expired one is refreshed once, under the profile lock, and the rotated refresh
 * token is stored; the next run uses the new token from the cache. Real oidc-provider
 * (rotating refresh tokens).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_RESOURCE, DOWNSTREAM_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { loginWithBrowserless, signedInHome } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const file = (h: string) => join(h, 'tokens', 'default.json')
const stored = (h: string) => JSON.parse(readFileSync(file(h), 'utf8'))
const accessTokens = (h: string) => Object.values(stored(h).accessTokens) as { accessToken: string; expiresAt: number }[]
const refreshes = () => provider.requestsTo('/token').filter((x) => x.grantType === 'refresh_token').length

function expire(h: string): void {
  const t = stored(h)
  for (const e of Object.values(t.accessTokens) as { expiresAt: number }[]) e.expiresAt = Math.floor(Date.now() / 1000) - 5
  writeFileSync(file(h), JSON.stringify(t))
}

function dropAccessTokens(h: string): void {
  const t = stored(h)
  t.accessTokens = {}
  writeFileSync(file(h), JSON.stringify(t))
}

describe('userinfo refreshes like token', () => {
  it('an expired access token: one refresh, the rotated refresh token stored, the new token sent; the next run refreshes nothing', async () => {
    const home = await signedInHome(provider)
    const env = { TOKENTOOL_HOME: home }
    const oldRt = stored(home).refreshToken.value as string
    const oldAt = accessTokens(home)[0]!.accessToken
    expire(home)
    const before = refreshes()
    const r = await runCli(['userinfo', '--json'], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).claims.sub).toBeTruthy()
    expect(refreshes()).toBe(before + 1)
    const rt = stored(home).refreshToken.value as string
    expect(rt).not.toBe(oldRt)
    const at = accessTokens(home)
    expect(at).toHaveLength(1)
    expect(at[0]!.accessToken).not.toBe(oldAt)
    expect(at[0]!.expiresAt).toBeGreaterThan(Date.now() / 1000)

    const again = await runCli(['userinfo', '--json'], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(refreshes()).toBe(before + 1)
    expect(stored(home).refreshToken.value).toBe(rt)
  })

  it('no access token stored, only a refresh token: one refresh, then the claims', async () => {
    const home = await signedInHome(provider)
    const oldRt = stored(home).refreshToken.value as string
    dropAccessTokens(home)
    const before = refreshes()
    const r = await runCli(['userinfo', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).claims.sub).toBeTruthy()
    expect(refreshes()).toBe(before + 1)
    expect(stored(home).refreshToken.value).not.toBe(oldRt)
    expect(accessTokens(home)).toHaveLength(1)
  })

  it('two at once with an expired token: the lock lets one refresh, the other uses the token it stored', async () => {
    const home = await signedInHome(provider)
    expire(home)
    const before = refreshes()
    const [a, b] = await Promise.all([runCli(['userinfo', '--json'], { env: { TOKENTOOL_HOME: home } }), runCli(['userinfo', '--json'], { env: { TOKENTOOL_HOME: home } })])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    expect(refreshes()).toBe(before + 1)
  })
})

describe('exchange refreshes its default subject token like token', () => {
  const basicHome = async () => {
    const basic = provider.clients.basic
    const r = await loginWithBrowserless(provider, ['--client-id', basic.client_id, '--client-secret', basic.client_secret, '--scope', 'openid offline_access api:read api:write', '--resource', API_RESOURCE])
    expect(r.code, r.stderr).toBe(0)
    return r.home
  }
  const exchanged = () => provider.requestsTo('/token').filter((x) => x.grantType === 'urn:ietf:params:oauth:grant-type:token-exchange')

  it('an expired access token: one refresh, the rotated refresh token stored, the new token is the subject', async () => {
    const home = await basicHome()
    const oldRt = stored(home).refreshToken.value as string
    expire(home)
    const before = refreshes()
    const r = await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).subject.from).toBe('the access token of profile "default" (refreshed)')
    expect(refreshes()).toBe(before + 1)
    expect(stored(home).refreshToken.value).not.toBe(oldRt)
    const at = accessTokens(home)
    expect(at).toHaveLength(1)
    expect(exchanged().at(-1)!.params.subject_token).toBe(at[0]!.accessToken)
  })

  it('no access token stored: refreshed first; --scope/--resource shape only the new token, not the refresh', async () => {
    const home = await basicHome()
    dropAccessTokens(home)
    const before = refreshes()
    const r = await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--scope', 'api:read', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code, r.stderr).toBe(0)
    expect(refreshes()).toBe(before + 1)
    const refresh = provider.requestsTo('/token').filter((x) => x.grantType === 'refresh_token').at(-1)!
    expect(refresh.params.scope).toBeUndefined()
    expect(exchanged().at(-1)!.params.subject_token).toBe(accessTokens(home)[0]!.accessToken)
  })
})
