/**
 * `tokentool login --device` (RFC 8628) against the real provider: `Verify:` and the user
 * code on stderr, polling until the (browserless) user approves, `access_denied`,
 * `expired_token`, and `--timeout`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { browserlessDeviceApproval } from './browserless-login.js'
import { createAdapterFactory } from './provider-adapter.js'
import { startProvider, type TestProvider } from './provider.js'
import { spawnCli } from '../helpers/spawn-cli.js'
import { runCli } from '../helpers/run-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const deviceArgs = (p: TestProvider, ...more: string[]) => ['login', '--device', '--issuer', p.issuer, '--client-id', p.clients.native.client_id, ...more]

describe('login --device', { timeout: 60_000 }, () => {
  it('shows Verify: and the code, polls until approved, and stores the tokens', async () => {
    const cli = spawnCli(deviceArgs(provider, '--scope', 'openid offline_access', '--json'))
    const verify = (await cli.waitForStderr(/^Verify: (\S+)$/m))[1]!
    const code = (await cli.waitForStderr(/^Code: (\S+)$/m))[1]!
    expect(new URL(verify).searchParams.get('user_code')).toBe(code)
    await browserlessDeviceApproval(verify)
    const r = await cli.done
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ refresh_token_stored: true, id_token_claims: { sub: 'alice', iss: provider.issuer } })
    const stored = JSON.parse(readFileSync(join(cli.home, 'tokens', 'default.json'), 'utf8'))
    expect(stored.refreshToken.value).toEqual(expect.any(String))
    // polled (authorization_pending at least once is likely but not certain): every poll was a device_code grant
    const polls = provider.requestsTo('/token').filter((t) => t.grantType === 'urn:ietf:params:oauth:grant-type:device_code')
    expect(polls.at(-1)!.status).toBe(200)
    // the profile remembers the server: a refresh needs no flags
    const refreshed = await runCli(['refresh'], { env: { TOKENTOOL_HOME: cli.home } })
    expect(refreshed.code).toBe(0)
  })

  it('reports access_denied with exit 4 when the user refuses', async () => {
    const cli = spawnCli(deviceArgs(provider))
    const verify = (await cli.waitForStderr(/^Verify: (\S+)$/m))[1]!
    // after the refusal the provider shows its code input page again, which the driver does not fill
    await browserlessDeviceApproval(verify, { deny: true }).catch((e: Error) => expect(e.message).toMatch(/asks for a user code/))
    const r = await cli.done
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: access_denied/m)
    expect(existsSync(join(cli.home, 'tokens', 'default.json'))).toBe(false)
  })

  it('gives up after --timeout with exit 3', async () => {
    const r = await runCli(deviceArgs(provider, '--timeout', '2s'))
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^Verify: /m)
    expect(r.stderr).toMatch(/tokentool: timed out after 2s with nobody entering the code/)
  })

  it('exits 2 for a server without a device authorization endpoint', async () => {
    const r = await runCli(['login', '--device', '--token-endpoint', `${provider.issuer}/token`, '--client-id', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no device_authorization_endpoint/)
  })
})

describe('login --device against a provider with short-lived codes', { timeout: 60_000 }, () => {
  let short: TestProvider
  beforeAll(async () => {
    short = await startProvider({
      ttl: { DeviceCode: 2 },
      // keep expired codes findable for a while, so the provider can say expired_token
      configure: (config) => {
        config.adapter = createAdapterFactory(30).factory
      },
    })
  })
  afterAll(async () => {
    await short?.stop()
  })

  it('reports expired_token with exit 4 when the code expires unused', async () => {
    const r = await runCli(deviceArgs(short))
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: expired_token/m)
  })
})
