/**
 * `token --format exec-credential` when the profile needs a person: with kubectl's
 * `interactive: true` the sign-in runs (the `Open:` line on stderr, completed here by a
 * browserless user) and stdout carries only the ExecCredential; the next run is served from the
 * cache. With `interactive: false` nothing starts: the error line, exit 2.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { browserlessLogin } from './browserless-login.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const info = (interactive: boolean) => JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive } })
const args = () => ['token', '--profile', 'cluster', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--format', 'exec-credential']

it('interactive: true and no token: the sign-in runs, stdout is only the ExecCredential, the next run comes from the cache', { timeout: 90_000 }, async () => {
  const home = tempHome()
  // BROWSER=true: the "browser" is a command that does nothing; the browserless user follows the Open: URL
  const cli = spawnCli(args(), { home, env: { KUBERNETES_EXEC_INFO: info(true), BROWSER: 'true' } })
  const url = await openUrl(cli)
  await browserlessLogin(url, { deliver: true })
  const r = await cli.done
  expect(r.code).toBe(0)
  expect(r.stderr).toMatch(/^tokentool: profile "cluster" needs a sign-in; kubectl runs tokentool interactively, so it starts now$/m)
  const doc = JSON.parse(r.stdout)
  expect(doc).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: expect.any(String), expirationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) } })
  const { payload } = await jwtVerify(doc.status.token, createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
  expect(payload.client_id).toBe(provider.clients.native.client_id)

  const seen = provider.requests.length
  const again = await runCli(args(), { env: { TOKENTOOL_HOME: home, KUBERNETES_EXEC_INFO: info(false) } })
  expect(again.code).toBe(0)
  expect(JSON.parse(again.stdout).status.token).toBe(doc.status.token)
  expect(provider.requests.length).toBe(seen)
})

it('interactive: false and no token: no sign-in starts; the error line names it, exit 2', async () => {
  const seen = provider.requestsTo('/auth').length
  const r = await runCli(args(), { env: { KUBERNETES_EXEC_INFO: info(false), BROWSER: 'false' } })
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).not.toMatch(/Open: /)
  expect(r.stderr).toMatch(/^tokentool: no token in profile "cluster" for client "tokentool-native": nothing to get a token with \(.*tokentool login --profile cluster\)\n$/)
  expect(provider.requestsTo('/auth').length).toBe(seen)
})
