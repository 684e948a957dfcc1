/**
 * Signs a profile in for tests that need one: runs the built `tokentool login --no-open`
 * against the test provider and drives the provider's pages browserlessly.
 */
import { expect } from 'vitest'
import { browserlessLogin, type BrowserlessOptions } from '../e2e/browserless-login.js'
import type { TestProvider } from '../e2e/provider.js'
import { tempHome, type CliResult } from './run-cli.js'
import { openUrl, spawnCli } from './spawn-cli.js'

export interface LoggedIn extends CliResult {
  home: string
  /** The authorization URL tokentool printed. */
  authorizationUrl: URL
  /** The page tokentool's listener served to the (browserless) browser. */
  page: { status: number; body: string } | undefined
}

/** `tokentool login` with the native client and `args`, completed by a browserless user. */
export async function loginWithBrowserless(
  provider: TestProvider,
  args: string[] = [],
  opts: { home?: string; env?: Record<string, string | undefined>; browser?: BrowserlessOptions } = {},
): Promise<LoggedIn> {
  const home = opts.home ?? tempHome()
  const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--no-open', ...args], { home, env: opts.env })
  const url = await openUrl(cli)
  const walked = await browserlessLogin(url, { deliver: true, ...opts.browser })
  const r = await cli.done
  return { ...r, home, authorizationUrl: new URL(url), page: walked.delivered }
}

/** A profile signed in with `openid offline_access`: a stored refresh token. */
export async function signedInHome(provider: TestProvider, args: string[] = []): Promise<string> {
  const r = await loginWithBrowserless(provider, ['--scope', 'openid offline_access', ...args])
  expect(r.stderr).not.toMatch(/^tokentool: /m)
  expect(r.code).toBe(0)
  return r.home
}
