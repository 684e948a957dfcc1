/**
 * The whole browser login in real headless Chromium: tokentool prints the `Open:` URL
 * (--no-open), the browser signs in through the provider's own pages and lands on
 * tokentool's success page; tokentool stores the tokens and exits 0.
 * Without Chromium (CHROMIUM_PATH or the usual paths) it says loudly that it did not run, and
 * under CI=true that is a failure (test/helpers/system-program.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { startProvider, type TestProvider } from './provider.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'
import { CHROMIUM, describeWithProgram, findProgram } from '../helpers/system-program.js'

describeWithProgram(findProgram(CHROMIUM), 'login in headless Chromium', (executablePath) => {
  let provider: TestProvider
  let browser: Browser

  beforeAll(async () => {
    provider = await startProvider()
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.stop()
  })

  it('signs in through the provider pages in Chromium and lands on the success page', { timeout: 60_000 }, async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--scope', 'openid offline_access', '--no-open'])
    const url = await openUrl(cli)
    const page = await browser.newPage()
    // the stock login page imports a web font: nothing but loopback may be reached in tests
    await page.route('**/*', (route) => (/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(route.request().url()) ? route.continue() : route.abort()))
    await page.goto(url)
    await page.fill('input[name="login"]', 'alice')
    await page.fill('input[name="password"]', 'any')
    await page.click('button[type="submit"]')
    // the consent page comes because tokentool sent prompt=consent with offline_access
    // (the login page's form says prompt=login, so this cannot match the page just left)
    await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' })
    await page.click('button[type="submit"]')
    const heading = await page.waitForSelector('#tokentool-result')
    expect(await heading.textContent()).toBe('Signed in')
    expect(await heading.getAttribute('data-ok')).toBe('true')
    expect(new URL(page.url()).host).toMatch(/^127\.0\.0\.1:\d+$/)
    await page.close()

    const r = await cli.done
    expect(r.stderr).not.toMatch(/tokentool: /)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Signed in at .* \(profile default\)/)
    expect(r.stdout).toMatch(/refresh token\s+stored/)
    const stored = JSON.parse(readFileSync(join(cli.home, 'tokens', 'default.json'), 'utf8'))
    expect(stored.refreshToken.value).toEqual(expect.any(String))
    // the refresh token is stored but never shown
    expect(r.stdout + r.stderr).not.toContain(stored.refreshToken.value)
    // the provider saw PKCE S256 and a loopback redirect on 127.0.0.1
    const auth = provider.requestsTo('/auth')[0]!
    expect(auth.params.code_challenge_method).toBe('S256')
    expect(String(auth.params.redirect_uri)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
  })
})
