/**
 * `tokentool status` for each state a profile can be in, from seeded stores (status reads only
 * the store; the issuer does not even resolve): exit 0 when `token` could answer without a
 * person (cache, refresh, client credentials), 4 when a sign-in is needed; `--json`; `--all`.
 */
import { describe, expect, it } from 'vitest'
import { machineTokenKey, userTokenKey } from '../../src/core/token-decision.js'
import { fileStore } from '../../src/store/store.js'
import type { ProfileTokens } from '../../src/store/tokens.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

// `.invalid` never resolves (RFC 6761): a request would show as exit 3
const ISSUER = 'https://login.example.invalid'
const now = () => Math.floor(Date.now() / 1000)
const userKey = userTokenKey({ issuer: ISSUER, clientId: 'app', scope: 'openid offline_access' })

async function home(profiles: Record<string, { settings?: Parameters<ReturnType<typeof fileStore>['saveSettings']>[1]; tokens?: ProfileTokens }>): Promise<string> {
  const h = tempHome()
  const store = fileStore(h)
  for (const [name, p] of Object.entries(profiles)) {
    if (p.settings) await store.saveSettings(name, p.settings)
    if (p.tokens) await store.saveTokens(name, p.tokens)
  }
  return h
}

const user = { issuer: ISSUER, clientId: 'app', scope: 'openid offline_access' }
const access = (expiresIn: number, key = userKey) => ({ [key]: { accessToken: 'at-value', tokenType: 'Bearer', expiresAt: now() + expiresIn, scope: 'openid', cacheKey: key, obtainedAt: now() - 10 } })
const refresh = (expiresIn?: number) => ({ value: 'rt-value', obtainedAt: now() - 10, ...(expiresIn !== undefined ? { expiresAt: now() + expiresIn } : {}) })
const status = (h: string, args: string[] = []) => runCli(['status', ...args], { env: { TOKENTOOL_HOME: h } })

describe('status', () => {
  it('a cached access token: exit 0, its time left; no secret printed', async () => {
    const h = await home({ default: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: access(3600), refreshToken: refresh() } } })
    const r = await status(h)
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain(`default  ${ISSUER} · client app`)
    expect(r.stdout).toMatch(/access token {3}expires in (59m\d*s|1h)/)
    expect(r.stdout).toContain('refresh token  stored')
    expect(r.stdout).toContain('✓ a token can be had without signing in: the cached access token')
    expect(r.stdout).not.toMatch(/at-value|rt-value/)
  })

  it('expired access token but a refresh token: exit 0 via a refresh', async () => {
    const h = await home({ default: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: access(-60), refreshToken: refresh() } } })
    const r = await status(h, ['--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ ready: true, profiles: [{ profile: 'default', ready: true, via: 'refresh', issuer: ISSUER, clientId: 'app', refreshToken: { present: true, expired: false }, clientCredentials: false, problem: null, fix: null }] })
    expect(doc.profiles[0].accessToken.secondsLeft).toBeLessThan(0)
    expect(r.stdout).not.toMatch(/at-value|rt-value/)
  })

  it('expired access token and no refresh token: exit 4, the line names the login command', async () => {
    const h = await home({ work: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: access(-60) } } })
    const r = await status(h, ['--profile', 'work'])
    expect(r.code).toBe(4)
    expect(r.stdout).toContain('✗ sign-in needed: the access token has expired and there is no refresh token or client credential — run: tokentool login --profile work')
    expect(r.stderr).toBe('tokentool: profile "work" needs a sign-in (run: tokentool login --profile work)\n')
  })

  it('a refresh token known to have expired: exit 4', async () => {
    const h = await home({ default: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: {}, refreshToken: refresh(-5) } } })
    const r = await status(h, ['--json'])
    expect(r.code).toBe(4)
    expect(JSON.parse(r.stdout).profiles[0]).toMatchObject({ ready: false, via: null, refreshToken: { present: true, expired: true }, problem: 'the refresh token has expired', fix: 'tokentool login' })
  })

  it('a machine profile (client secret) with nothing cached: exit 0 via client credentials; its machine token counts as cached', async () => {
    const machine = { issuer: ISSUER, clientId: 'ci', clientSecret: 'env:CI_SECRET' }
    const h = await home({ ci: { settings: machine } })
    const r = await runCli(['status', '--profile', 'ci', '--json'], { env: { TOKENTOOL_HOME: h, CI_SECRET: 's3cret' } })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).profiles[0]).toMatchObject({ ready: true, via: 'client_credentials', clientCredentials: true })
    expect(r.stdout).not.toContain('s3cret')
    // the secret's variable unset: the credential is not there, a person must act
    const unset = await runCli(['status', '--profile', 'ci', '--json'], { env: { TOKENTOOL_HOME: h, CI_SECRET: undefined } })
    expect(unset.code).toBe(4)
    expect(JSON.parse(unset.stdout).profiles[0].problem).toMatch(/CI_SECRET/)
    const key = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials' })
    const h2 = await home({ ci: { settings: machine, tokens: { version: 1, accessTokens: access(600, key) } } })
    const cached = await runCli(['status', '--profile', 'ci', '--json'], { env: { TOKENTOOL_HOME: h2, CI_SECRET: 's3cret' } })
    expect(JSON.parse(cached.stdout).profiles[0].via).toBe('cache')
  })

  it('--all: every profile; exit 4 when one needs a sign-in; an unknown --profile is exit 2', async () => {
    const h = await home({
      good: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: access(3600) } },
      stale: { settings: user, tokens: { version: 1, issuer: ISSUER, clientId: 'app', accessTokens: access(-1) } },
    })
    const r = await status(h, ['--all', '--json'])
    expect(r.code).toBe(4)
    const doc = JSON.parse(r.stdout)
    expect(doc.ready).toBe(false)
    expect(doc.profiles.map((p: { profile: string; ready: boolean }) => [p.profile, p.ready])).toEqual([['good', true], ['stale', false]])
    const missing = await status(h, ['--profile', 'nope'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^tokentool: no profile "nope"/)
    const empty = await status(tempHome(), ['--all'])
    expect(empty.code).toBe(4)
    expect(empty.stderr).toBe('tokentool: no profiles are stored (sign in with: tokentool login)\n')
  })
})
