/**
 * `tokentool logout` against the test provider: the refresh token and the access token are
 * revoked (seen as revocation requests by the provider, and the refresh token no longer
 * works there), then the profile goes (or only its tokens, with --keep-config). A provider
 * without a revocation endpoint, and one that is down, get a warning and a local sign-out.
 */
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { runCli } from '../helpers/run-cli.js'
import { signedInHome } from '../helpers/login-flow.js'

let provider: TestProvider
let bare: TestProvider

beforeAll(async () => {
  provider = await startProvider()
  bare = await startProvider({
    configure: (c) => {
      ;(c.features as Record<string, unknown>).revocation = { enabled: false }
    },
  })
})
afterAll(async () => {
  await provider?.stop()
  await bare?.stop()
})

const tokensOf = (home: string, profile = 'default') => JSON.parse(readFileSync(join(home, 'tokens', `${profile}.json`), 'utf8')) as { accessTokens: Record<string, { accessToken: string }>; refreshToken: { value: string } }
const config = (home: string) => JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { profiles: Record<string, unknown> }

/** The refresh token at the provider's token endpoint, as the native client. */
async function refreshWorks(p: TestProvider, refreshToken: string): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${p.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: p.clients.native.client_id }) })
  const body = (await res.json()) as { error?: string }
  return { status: res.status, ...(body.error ? { error: body.error } : {}) }
}

describe('logout', { timeout: 90_000 }, () => {
  it('revokes the refresh token and the access token at the server, then removes the profile', async () => {
    const home = await signedInHome(provider)
    const stored = tokensOf(home)
    const access = Object.values(stored.accessTokens).map((e) => e.accessToken)
    expect(access).toHaveLength(1)
    const before = provider.requestsTo('/token/revocation').length
    const r = await runCli(['logout'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`✓ revoked the refresh token and 1 access token at ${provider.issuer}/token/revocation\n✓ removed profile "default" (settings and tokens)\n`)
    const revocations = provider.requestsTo('/token/revocation').slice(before)
    expect(revocations.map((q) => [q.params.token, q.params.token_type_hint, q.status])).toEqual([
      [stored.refreshToken.value, 'refresh_token', 200],
      [access[0], 'access_token', 200],
    ])
    expect(await refreshWorks(provider, stored.refreshToken.value)).toEqual({ status: 400, error: 'invalid_grant' })
    expect(existsSync(join(home, 'tokens', 'default.json'))).toBe(false)
    expect(config(home).profiles.default).toBeUndefined()
    const status = await runCli(['status'], { env: { TOKENTOOL_HOME: home } })
    expect(status.code).toBe(2) // no such profile any more
  })

  it('--keep-config keeps issuer and client; status then says a sign-in is needed (exit 4); --json', async () => {
    const home = await signedInHome(provider, ['--profile', 'work'])
    const r = await runCli(['logout', '--profile', 'work', '--keep-config', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ profile: 'work', endpoint: `${provider.issuer}/token/revocation`, revoked: { refresh_token: true, access_tokens: 1, refreshToken: true, accessTokens: 1 }, removed: 'tokens', warnings: [] })
    expect(config(home).profiles.work).toMatchObject({ issuer: provider.issuer, clientId: provider.clients.native.client_id })
    expect(existsSync(join(home, 'tokens', 'work.json'))).toBe(false)
    const status = await runCli(['status', '--profile', 'work'], { env: { TOKENTOOL_HOME: home } })
    expect(status.code).toBe(4)
    expect(status.stderr).toContain('tokentool login --profile work')
  })

  it('a server without a revocation endpoint: says so, removes the tokens here (exit 0)', async () => {
    const home = await signedInHome(bare)
    const r = await runCli(['logout', '--keep-config'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(`tokentool: warning: ${bare.issuer} has no revocation endpoint: they were removed here but stay valid at the server until they expire\n`)
    expect(r.stdout).toBe('✓ removed the tokens of profile "default" (settings kept)\n')
    expect(existsSync(join(home, 'tokens', 'default.json'))).toBe(false)
  })

  it('offline: a warning that the tokens stay valid there, and the local sign-out still happens', async () => {
    const down = await startProvider()
    const home = await signedInHome(down)
    await down.stop()
    const r = await runCli(['logout', '--timeout', '3s'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^tokentool: warning: could not reach the server to revoke the tokens \(.*127\.0\.0\.1.*\): they were removed here but stay valid at the server until they expire\n$/)
    expect(r.stdout).toBe('✓ removed profile "default" (settings and tokens)\n')
    expect(existsSync(join(home, 'tokens', 'default.json'))).toBe(false)
  })

  it('a JWT access token the server will not revoke: a warning says so; the refresh token is revoked', async () => {
    const home = await signedInHome(provider, ['--scope', 'openid offline_access api:read', '--resource', API_RESOURCE])
    const stored = tokensOf(home)
    const before = provider.requestsTo('/token/revocation').length
    const r = await runCli(['logout', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.revoked.refreshToken).toBe(true)
    const hints = provider.requestsTo('/token/revocation').slice(before).map((q) => [q.params.token_type_hint, q.status])
    expect(hints[0]).toEqual(['refresh_token', 200])
    // oidc-provider refuses to revoke a structured JWT access token (unsupported_token_type): said, not hidden
    expect(hints[1]).toEqual(['access_token', 400])
    expect(doc.revoked.accessTokens).toBe(0)
    expect(doc.warnings).toEqual([expect.stringMatching(/^revocation failed for an access token: unsupported_token_type: .*; it was removed here but may stay valid at the server until it expires$/)])
    expect(r.stderr).toMatch(/^tokentool: warning: revocation failed for an access token: unsupported_token_type/)
    expect(await refreshWorks(provider, stored.refreshToken.value)).toEqual({ status: 400, error: 'invalid_grant' })
  })

  it('no such profile: exit 2', async () => {
    const r = await runCli(['logout', '--profile', 'nobody'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tokentool: no profile "nobody"/)
  })
})
