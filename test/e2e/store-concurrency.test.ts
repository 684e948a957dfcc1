/**
 * The token store under pressure, with the real provider rotating refresh tokens on every
 * use: a `refresh` SIGKILLed while it holds the profile lock (its request hanging at a server
 * that never answers) does not block the next run; then 30 `token --force` and `refresh`
 * processes at once on the same profile each spend a different refresh token (none twice, so
 * the provider's reuse detection never revokes the grant), and the store is whole afterwards.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startProvider, type TestProvider } from './provider.js'
import { startFaultServers, type FaultServers } from './fault-servers.js'
import { signedInHome } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'
import { spawnCli } from '../helpers/spawn-cli.js'

let provider: TestProvider
let faults: FaultServers
beforeAll(async () => {
  provider = await startProvider()
  faults = await startFaultServers()
})
afterAll(async () => {
  await faults?.close()
  await provider?.stop()
})

const storedFile = (home: string) => join(home, 'tokens', 'default.json')
const storedRefreshToken = (home: string): string => JSON.parse(readFileSync(storedFile(home), 'utf8')).refreshToken.value

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('a holder killed with the lock held does not block; 30 concurrent token/refresh runs never spend a refresh token twice', { timeout: 180_000 }, async () => {
  const home = await signedInHome(provider)
  const env = { TOKENTOOL_HOME: home }
  const lockFile = join(home, 'tokens', 'default.lock')
  const rtBefore = storedRefreshToken(home)

  // 1. a refresh that takes the lock and hangs at a token endpoint that never answers
  const holder = spawnCli(['refresh', '--issuer', provider.issuer, '--token-endpoint', `${faults.issuer('hang')}/token`], { home })
  await until(() => faults.requestsTo('/hang/token').length === 1, 45_000, 'the hanging refresh request')
  expect(existsSync(lockFile)).toBe(true)
  holder.child.kill('SIGKILL')
  const killed = await holder.done
  expect(killed.code).toBeNull()
  expect(existsSync(lockFile)).toBe(true) // left behind: nobody released it
  expect(storedRefreshToken(home)).toBe(rtBefore) // the store is as it was

  // 2. the next run breaks the dead holder's lock and refreshes at the provider
  const next = await runCli(['refresh', '--json'], { env, timeoutMs: 60_000 })
  expect(next.code, next.stderr).toBe(0)
  expect(existsSync(lockFile)).toBe(false)
  expect(storedRefreshToken(home)).not.toBe(rtBefore)

  // 3. 30 processes at once, half `token --force`, half `refresh`
  const before = provider.requestsTo('/token').length
  const runs = await Promise.all(
    Array.from({ length: 30 }, (_, i) => runCli(i % 2 ? ['refresh', '--json'] : ['token', '--force'], { env, timeoutMs: 150_000 })),
  )
  for (const r of runs) expect(r.code, r.stderr).toBe(0)
  const grants = provider.requestsTo('/token').slice(before).filter((t) => t.grantType === 'refresh_token')
  expect(grants).toHaveLength(30)
  expect(grants.every((g) => g.status === 200)).toBe(true)
  const spent = grants.map((g) => g.params.refresh_token as string)
  expect(new Set(spent).size).toBe(30)
  expect(provider.events.filter((e) => e.name === 'grant.revoked')).toHaveLength(0)

  // each run printed its own new access token
  const printed = runs.map((r, i) => (i % 2 ? JSON.parse(r.stdout).access_token : r.stdout.trim()))
  expect(new Set(printed).size).toBe(30)

  // the store is whole: parseable, no temporary files left, 0600, and its refresh token works
  const dir = join(home, 'tokens')
  expect(readdirSync(dir).sort()).toEqual(['default.json'])
  expect(statSync(dir).mode & 0o777).toBe(0o700)
  expect(statSync(storedFile(home)).mode & 0o777).toBe(0o600)
  const stored = storedRefreshToken(home)
  expect(spent).not.toContain(stored)
  const after = await runCli(['refresh'], { env })
  expect(after.code, after.stderr).toBe(0)
})

it('a refresh answered without access_token, or with garbage, exits 3 and keeps the stored tokens as they were', { timeout: 60_000 }, async () => {
  const home = await signedInHome(provider)
  const env = { TOKENTOOL_HOME: home }
  const before = readFileSync(storedFile(home), 'utf8')
  for (const fault of ['noaccess', 'truncated', 'notjson', 'busy']) {
    const r = await runCli(['refresh', '--issuer', provider.issuer, '--token-endpoint', `${faults.issuer(fault)}/token`], { env })
    expect(r.code, `${fault}: ${r.stderr}`).toBe(3)
    expect(r.stderr.trimEnd().split('\n'), fault).toHaveLength(1)
    expect(readFileSync(storedFile(home), 'utf8'), fault).toBe(before)
  }
  // the stored refresh token was never spent at the provider, and still works there
  const ok = await runCli(['refresh'], { env })
  expect(ok.code, ok.stderr).toBe(0)
})
