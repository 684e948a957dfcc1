/**
 * `tokentool --timeout 1s` in a terminal: the menu's commands inherit the HTTP timeout (login,
 * which has a --timeout of its own, through TOKENTOOL_TIMEOUT), so a verify against a server
 * that never answers gives up after 1s with the one-line reason, and the menu goes on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { KEY, startPty, type PtySession } from '../helpers/pty.js'
import { rawJws } from '../helpers/jwt-fixtures.js'
import { startFaultServers, type FaultServers } from './fault-servers.js'

let faults: FaultServers
let t: PtySession | undefined
beforeAll(async () => {
  faults = await startFaultServers()
})
afterAll(async () => {
  t?.kill()
  await faults?.close()
})

it('the menu passes --timeout on to the commands it runs', { timeout: 90_000 }, async () => {
  const issuer = faults.issuer('hang')
  const token = rawJws({ alg: 'RS256', kid: 'k1' }, { iss: issuer, sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 })
  t = startPty(['--timeout', '1s'])
  await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
  await t.choose('Verify a token')
  await t.waitFor(/Paste the token/)
  t.type(token + KEY.enter)
  await t.waitFor(/Check the signature with[\s\S]*navigate/)
  await t.choose("The issuer's keys")
  await t.waitFor(new RegExp(`Issuer URL.*\\(${issuer.replace(/[.:/]/g, '\\$&')}\\)`))
  t.mark()
  t.type(KEY.enter)
  await t.waitFor(/Audience[\s\S]*Require an audience/)
  await t.choose('Any audience')
  await t.waitFor(new RegExp(`timed out after 1s talking to 127\\.0\\.0\\.1:${new URL(faults.base).port}`), { ms: 20_000 })
  expect(faults.requestsTo('/hang/.well-known/openid-configuration')).toHaveLength(1)
  t.type(KEY.ctrlC)
  expect(await t.exited).toBe(130)
})
