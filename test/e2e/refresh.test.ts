/**
 * `tokentool refresh` against the real provider, whose refresh tokens rotate on every use:
 * no flags needed after login, rotation stored, a replayed token rejected (exit 4) and a
 * rejected stored token removed, `--scope` narrowing, `--claims` reaching the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { freeLoopbackPort } from '../../src/http/free-port.js'
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

const storedRefresh = (home: string, profile = 'default'): string | undefined =>
  JSON.parse(readFileSync(join(home, 'tokens', `${profile}.json`), 'utf8')).refreshToken?.value

describe('refresh', { timeout: 60_000 }, () => {
  it('rotates twice in a row with no flags, storing each new refresh token', async () => {
    const home = await signedInHome(provider)
    const first = storedRefresh(home)!
    const a = await runCli(['refresh', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(a.stderr).toBe('')
    expect(a.code).toBe(0)
    const second = storedRefresh(home)!
    expect(second).not.toBe(first)
    const out = JSON.parse(a.stdout)
    expect(out).toMatchObject({ refresh_token_stored: true, refresh_token_rotated: true })
    expect(a.stdout).not.toContain(second)

    const b = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    expect(b.stdout).toMatch(/Refreshed at .* \(profile default\)/)
    expect(b.stdout).toMatch(/refresh token\s+rotated by the server; the new one is stored/)
    const third = storedRefresh(home)!
    expect(new Set([first, second, third]).size).toBe(3)
    // the provider saw each refresh token spent once, in order
    const spent = provider.requestsTo('/token').filter((r) => r.grantType === 'refresh_token').map((r) => r.params.refresh_token)
    expect(spent).toEqual(expect.arrayContaining([first, second]))
  })

  it('rejects a replayed old refresh token with exit 4, then removes the rejected stored one', async () => {
    const home = await signedInHome(provider)
    const old = storedRefresh(home)!
    expect((await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })).code).toBe(0)

    const replay = await runCli(['refresh', '--refresh-token', old], { env: { TOKENTOOL_HOME: home } })
    expect(replay.code).toBe(4)
    expect(replay.stderr).toMatch(/^tokentool: invalid_grant/m)
    expect(replay.stderr).not.toContain(old)

    // oidc-provider treats the reuse as theft and revokes the grant: the stored token is dead too
    const after = await runCli(['refresh', '--profile', 'default'], { env: { TOKENTOOL_HOME: home } })
    expect(after.code).toBe(4)
    expect(after.stderr).toMatch(/invalid_grant.*tokentool login --profile default/)
    expect(storedRefresh(home)).toBeUndefined()

    const again = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/has no refresh token/)
  })

  it('narrows the scope with --scope', async () => {
    const home = await signedInHome(provider, ['--scope', 'openid offline_access profile'])
    const r = await runCli(['refresh', '--json', '--scope', 'openid'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).scope).toBe('openid')
    const req = provider.requestsTo('/token').filter((t) => t.grantType === 'refresh_token').at(-1)!
    expect(req.params.scope).toBe('openid')
  })

  it('sends --claims to the provider, as JSON or as a challenge base64 value', async () => {
    const home = await signedInHome(provider)
    const claims = { access_token: { nbf: { essential: true, value: '1700000000' } } }
    const json = await runCli(['refresh', '--claims', JSON.stringify(claims)], { env: { TOKENTOOL_HOME: home } })
    expect(json.code).toBe(0)
    expect(provider.requestsTo('/token').at(-1)!.claims).toEqual(claims)

    const b64 = Buffer.from(JSON.stringify(claims)).toString('base64')
    const fromChallenge = await runCli(['refresh', '--claims', b64, '--cae'], { env: { TOKENTOOL_HOME: home } })
    expect(fromChallenge.code).toBe(0)
    expect(provider.requestsTo('/token').at(-1)!.claims).toEqual({ access_token: { ...claims.access_token, xms_cc: { values: ['cp1'] } } })
  })

  it('traces the token request with -v without the refresh token', async () => {
    const home = await signedInHome(provider)
    const rt = storedRefresh(home)!
    const r = await runCli(['-v', 'refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/token/)
    expect(r.stderr).toMatch(/refresh_token=/)
    expect(r.stderr).not.toContain(rt)
    expect(r.stderr).not.toContain(storedRefresh(home)!)
  })

  it('exits 2 for a profile that never signed in, and 3 when the provider is down', async () => {
    const none = await runCli(['refresh', '--profile', 'nobody'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--issuer/)
    const port = await freeLoopbackPort()
    const down = await runCli(['refresh', '--issuer', `http://127.0.0.1:${port}`, '--client-id', 'x', '--refresh-token', 'r'])
    expect(down.code).toBe(3)
    expect(down.stderr).toMatch(new RegExp(`^tokentool: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`, 'm'))
  })
})

describe('refresh of a profile signed in for an API resource', { timeout: 60_000 }, () => {
  it('asks for the same resource again and gets a JWT access token for it', async () => {
    const home = await signedInHome(provider, ['--scope', 'openid offline_access api:read', '--resource', 'https://api.example.test'])
    const r = await runCli(['refresh', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const req = provider.requestsTo('/token').filter((t) => t.grantType === 'refresh_token').at(-1)!
    expect(req.params.resource).toBe('https://api.example.test')
    const at = JSON.parse(r.stdout).access_token as string
    const header = JSON.parse(Buffer.from(at.split('.')[0]!, 'base64url').toString())
    const payload = JSON.parse(Buffer.from(at.split('.')[1]!, 'base64url').toString())
    expect(header.typ).toBe('at+jwt')
    expect(payload.aud).toBe('https://api.example.test')
  })
})
