/**
 * The loopback login when things go wrong: requests to the listener that are not the callback
 * (wrong state, other paths) get 400/404 and do not end the flow; the provider stopped between
 * the user's consent and the code exchange ends the login with exit 3 and one line, nothing
 * stored, the code exchange not retried, a failure page for the browser; afterwards the
 * listener is closed.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startProvider, type TestProvider } from './provider.js'
import { browserlessLogin } from './browserless-login.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

it('stray requests do not end the flow; the provider stopped mid-flow ends it with exit 3, nothing stored, listener closed', { timeout: 90_000 }, async () => {
  const cli = spawnCli(['login', '-v', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--no-open', '--scope', 'openid offline_access'])
  const auth = new URL(await openUrl(cli))
  const redirectUri = new URL(auth.searchParams.get('redirect_uri')!)
  expect(redirectUri.hostname).toBe('127.0.0.1')

  // not the callback: refused, and the login keeps waiting
  const wrongState = await fetch(`${redirectUri.href}?code=stolen-code-0123456789&state=forged-state`)
  expect(wrongState.status).toBe(400)
  const noState = await fetch(`${redirectUri.href}?code=x`)
  expect(noState.status).toBe(400)
  const otherPath = await fetch(new URL('/favicon.ico', redirectUri))
  expect(otherPath.status).toBe(404)
  expect(cli.child.exitCode).toBeNull()

  // the user consents; the authorization response is ready, then the provider goes away
  const walked = await browserlessLogin(auth.href, { deliver: false })
  const callback = new URL(walked.url)
  expect(callback.searchParams.get('code')).toBeTruthy()
  const tokenRequestsBefore = provider.requestsTo('/token').length
  await provider.stop()

  const page = await fetch(callback)
  expect(page.status).toBeGreaterThanOrEqual(400)
  const r = await cli.done
  expect(r.code, r.stderr).toBe(3)
  const errLines = r.stderr.split('\n').filter((l) => l.startsWith('tokentool: '))
  expect(errLines).toHaveLength(1)
  expect(errLines[0]).toMatch(new RegExp(`cannot connect to 127\\.0\\.0\\.1:${provider.port}: connection refused`))
  expect(r.stderr).not.toContain(callback.searchParams.get('code')!)
  expect(provider.requestsTo('/token').length).toBe(tokenRequestsBefore)
  // the code exchange is the one request never retried, not even after "connection refused"
  expect(r.stderr.match(/^> POST .*\/token$/gm)).toHaveLength(1)
  expect(r.stderr).not.toMatch(/^\* retrying POST/m)

  // nothing stored
  const tokensDir = join(cli.home, 'tokens')
  expect(existsSync(tokensDir) ? readdirSync(tokensDir).filter((n) => n.endsWith('.json')) : []).toEqual([])
  // and the listener is gone
  await expect(fetch(redirectUri)).rejects.toThrow()
})
