/**
 * Issue #19: a client secret the profile saved as `env:VAR` is read only when a request sends
 * it. A cached `token` and `userinfo` work with VAR unset; whatever does send it (a refresh
 * through `token`, `introspect`) says VAR is unset, and works when it is set.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'
import { startProvider, type TestProvider } from './provider.js'

const VAR = 'TT_I19_LAZY_SECRET'
let provider: TestProvider
let home: string
beforeAll(async () => {
  provider = await startProvider()
  const c = provider.clients.basic
  const r = await loginWithBrowserless(provider, ['--client-id', c.client_id, '--client-secret', `env:${VAR}`, '--scope', 'openid offline_access'], { env: { [VAR]: c.client_secret } })
  expect(r.code, r.stderr).toBe(0)
  home = r.home
}, 60_000)
afterAll(async () => {
  await provider?.stop()
})

const unset = () => ({ TOKENTOOL_HOME: home, [VAR]: undefined })
const set = () => ({ TOKENTOOL_HOME: home, [VAR]: provider.clients.basic.client_secret })

describe('a profile secret saved as env:VAR', () => {
  it('is saved as the reference, not the value', () => {
    const config = readFileSync(join(home, 'config.json'), 'utf8')
    expect(config).toContain(`env:${VAR}`)
    expect(config).not.toContain(provider.clients.basic.client_secret)
  })

  it('is not needed for a cached token: token prints it with VAR unset, and sends nothing', async () => {
    const before = provider.requests.length
    const r = await runCli(['token'], { env: unset() })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\S+\n$/)
    expect(provider.requests.length).toBe(before)
  })

  it('is not needed for userinfo: it answers with VAR unset', async () => {
    const r = await runCli(['--json', 'userinfo'], { env: unset() })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).claims.sub).toBeTruthy()
  })

  it('is read when a refresh sends it: unset, one clear line and exit 2; set, a new token', async () => {
    const a = await runCli(['token', '--min-ttl', '2h'], { env: unset() })
    expect(a.code).toBe(2)
    expect(a.stdout).toBe('')
    expect(a.stderr).toMatch(new RegExp(`^tokentool: the client secret of profile "default": environment variable ${VAR} is not set\\n`))
    const b = await runCli(['token', '--min-ttl', '2h'], { env: set() })
    expect(b.code, b.stderr).toBe(0)
    expect(b.stdout).toMatch(/^\S+\n$/)
    expect(b.stderr).not.toContain(provider.clients.basic.client_secret)
  })

  it('is read when introspect sends it: unset, exit 2 naming VAR; set, the token is active', async () => {
    const a = await runCli(['introspect'], { env: unset() })
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(new RegExp(`^tokentool: the client secret of profile "default": environment variable ${VAR} is not set\\n`))
    const b = await runCli(['--json', 'introspect'], { env: set() })
    expect(b.code, b.stderr).toBe(0)
    expect(JSON.parse(b.stdout)).toMatchObject({ active: true })
  })
})
