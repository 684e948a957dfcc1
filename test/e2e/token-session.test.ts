/**
 * `tokentool token` on a signed-in profile whose refresh tokens rotate on every use: the
 * token login stored is served with no request; once it has expired, 20 concurrent `token`
 * processes share exactly one refresh (the profile lock plus a second look at the cache under
 * it), and the stored refresh token still works afterwards; a claims request bypasses the
 * cache; a rejected stored refresh token is removed and the error says how to sign in again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startProvider, type TestProvider } from './provider.js'
import { signedInHome } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const tokensFile = (home: string) => join(home, 'tokens', 'default.json')
const readTokens = (home: string) => JSON.parse(readFileSync(tokensFile(home), 'utf8'))

/** Ages every stored access token past its expiry (as time passing would). */
function expireAccessTokens(home: string): void {
  const t = readTokens(home)
  for (const e of Object.values(t.accessTokens) as { expiresAt: number }[]) e.expiresAt = Math.floor(Date.now() / 1000) - 10
  writeFileSync(tokensFile(home), JSON.stringify(t))
}

const refreshesSince = (n: number) => provider.requestsTo('/token').filter((r) => provider.requests.indexOf(r) >= n && r.grantType === 'refresh_token')

describe('token on a signed-in profile', { timeout: 180_000 }, () => {
  it('serves what login stored with no request, and refreshes once it has expired', async () => {
    const home = await signedInHome(provider)
    const stored = Object.values(readTokens(home).accessTokens as Record<string, { accessToken: string }>)[0]!.accessToken
    const before = provider.requests.length
    const a = await runCli(['token'], { env: { TOKENTOOL_HOME: home } })
    expect(a.stderr).toBe('')
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(`${stored}\n`)
    expect(provider.requests.length).toBe(before)

    expireAccessTokens(home)
    const b = await runCli(['token', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    const doc = JSON.parse(b.stdout)
    expect(doc).toMatchObject({ source: 'refresh', refresh_token_stored: true, refresh_token_rotated: true })
    expect(doc.access_token).not.toBe(stored)
    expect(b.stdout).not.toContain(readTokens(home).refreshToken.value)
    expect(refreshesSince(before)).toHaveLength(1)
  })

  it('20 concurrent token runs share exactly one refresh; the stored refresh token works afterwards', async () => {
    const home = await signedInHome(provider)
    expireAccessTokens(home)
    const first = readTokens(home).refreshToken.value
    const before = provider.requests.length
    const runs = await Promise.all(Array.from({ length: 20 }, () => runCli(['token'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 90_000 })))
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/^tokentool: /m)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^\S+\n$/)
    }
    const refreshes = refreshesSince(before)
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]).toMatchObject({ status: 200 })
    expect(refreshes[0]!.params.refresh_token).toBe(first)
    // every run printed the one token that refresh produced
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1)

    const rotated = readTokens(home).refreshToken.value
    expect(rotated).not.toBe(first)
    const after = await runCli(['token', '--force'], { env: { TOKENTOOL_HOME: home } })
    expect(after.stderr).toBe('')
    expect(after.code).toBe(0)
    expect(after.stdout).not.toBe(runs[0]!.stdout)
    expect(refreshesSince(before).map((r) => r.params.refresh_token)).toEqual([first, rotated])
    expect(provider.events.filter((e) => e.name === 'grant.revoked')).toHaveLength(0)
  })

  it('20 concurrent --force runs each refresh, each spending the token the previous one stored', async () => {
    const home = await signedInHome(provider)
    const before = provider.requests.length
    const runs = await Promise.all(Array.from({ length: 20 }, () => runCli(['token', '--force'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 90_000 })))
    expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0))
    const spent = refreshesSince(before).map((r) => r.params.refresh_token)
    expect(spent).toHaveLength(20)
    expect(new Set(spent).size).toBe(20)
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(20)
    const ok = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(ok.code).toBe(0)
  })

  it('a claims request (--cae) bypasses a valid cached token and reaches the provider', async () => {
    const home = await signedInHome(provider)
    const before = provider.requests.length
    const r = await runCli(['token', '--cae'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const refreshes = refreshesSince(before)
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]!.claims).toEqual({ access_token: { xms_cc: { values: ['cp1'] } } })
  })

  it('a rejected stored refresh token is removed: exit 4 saying how to sign in again, then exit 2 without a request', async () => {
    const home = await signedInHome(provider)
    const t = readTokens(home)
    t.refreshToken.value = 'not-a-refresh-token-this-provider-issued'
    writeFileSync(tokensFile(home), JSON.stringify(t))
    expireAccessTokens(home)
    const r = await runCli(['token'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: invalid_grant/)
    expect(r.stderr).toContain('tokentool login --profile default')
    expect(readTokens(home).refreshToken).toBeUndefined()

    const before = provider.requests.length
    const again = await runCli(['token'], { env: { TOKENTOOL_HOME: home } })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/access token of profile "default" has expired .*and there is no refresh token/)
    expect(again.stderr).toContain('tokentool login --profile default')
    expect(provider.requests.length).toBe(before)
  })
})
