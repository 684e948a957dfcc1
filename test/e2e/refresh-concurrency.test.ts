/**
 * 20 `tokentool refresh` processes at once on one profile whose refresh tokens rotate on
 * every use: the profile lock serialises them, so each spends the token the previous one
 * stored. All succeed, the provider never sees a refresh token twice, and the stored one
 * still works afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
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

it('serialises 20 concurrent refreshes of one rotating refresh token', { timeout: 120_000 }, async () => {
  const home = await signedInHome(provider)
  const before = provider.requestsTo('/token').length
  const runs = await Promise.all(
    Array.from({ length: 20 }, () => runCli(['refresh', '--json'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 90_000 })),
  )
  for (const r of runs) {
    expect(r.stdout.length > 0 ? '' : r.stderr).toBe('')
    expect(r.code).toBe(0)
  }
  const refreshes = provider.requestsTo('/token').slice(before).filter((t) => t.grantType === 'refresh_token')
  expect(refreshes).toHaveLength(20)
  expect(refreshes.every((t) => t.status === 200)).toBe(true)
  const spent = refreshes.map((t) => t.params.refresh_token)
  expect(new Set(spent).size).toBe(20)
  // each process got its own access token
  expect(new Set(runs.map((r) => JSON.parse(r.stdout).access_token)).size).toBe(20)

  const stored = JSON.parse(readFileSync(join(home, 'tokens', 'default.json'), 'utf8')).refreshToken.value
  expect(spent).not.toContain(stored)
  const after = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
  expect(after.stderr).toBe('')
  expect(after.code).toBe(0)
  expect(provider.events.filter((e) => e.name === 'grant.revoked')).toHaveLength(0)
})
