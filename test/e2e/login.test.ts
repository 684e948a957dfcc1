/**
 * `tokentool login` (the built binary) against the real test provider, with the browserless
 * driver as the user: the happy path and what the profile keeps, the redirect listener's
 * rules (state, missing code, timeout, one callback), provider errors, discovery-less
 * servers, pasting the redirect URL, and `-v`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { freeLoopbackPort } from '../../src/http/free-port.js'
import { join } from 'node:path'
import { fetch } from 'undici'
import { browserlessLogin } from './browserless-login.js'
import { startProvider, type TestProvider } from './provider.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const tokensFile = (home: string, profile = 'default') => join(home, 'tokens', `${profile}.json`)
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'))
const native = () => provider.clients.native.client_id

describe('login with the browserless driver', { timeout: 60_000 }, () => {
  it('signs in, stores the tokens and the settings, and prints the contract JSON', async () => {
    const r = await loginWithBrowserless(provider, ['--json', '--scope', 'openid offline_access profile', '--profile', 'work'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect(r.page?.status).toBe(200)
    expect(r.page?.body).toContain('Signed in')

    const out = JSON.parse(r.stdout)
    expect(Object.keys(out).sort()).toEqual(['access_token', 'expires_at', 'id_token', 'id_token_claims', 'refresh_token_stored', 'scope', 'token_type'].sort())
    expect(out.token_type).toBe('Bearer')
    expect(out.refresh_token_stored).toBe(true)
    expect(out.scope.split(' ').sort()).toEqual(['offline_access', 'openid', 'profile'])
    expect(out.id_token_claims).toMatchObject({ sub: 'alice', iss: provider.issuer, aud: native() })
    expect(out.expires_at).toBeGreaterThan(Date.now() / 1000)

    // the authorization request: PKCE S256, state, nonce, prompt=consent for offline_access
    const auth = r.authorizationUrl.searchParams
    expect(auth.get('code_challenge_method')).toBe('S256')
    expect(auth.get('state')).toBeTruthy()
    expect(auth.get('nonce')).toBeTruthy()
    expect(auth.get('prompt')).toBe('consent')
    expect(auth.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(out.id_token_claims.nonce).toBe(auth.get('nonce'))

    const stored = readJson(tokensFile(r.home, 'work'))
    expect(stored.refreshToken.value).toEqual(expect.any(String))
    expect(stored.idToken.value).toBe(out.id_token)
    expect(Object.values(stored.accessTokens).map((e: any) => e.accessToken)).toContain(out.access_token)
    expect(r.stdout).not.toContain(stored.refreshToken.value)
    const config = readJson(join(r.home, 'config.json'))
    expect(config.profiles.work).toMatchObject({ issuer: provider.issuer, clientId: native(), scope: 'openid offline_access profile' })
  })

  it('shows kinds, expiries and scope in the summary, never the refresh token', async () => {
    const r = await loginWithBrowserless(provider, ['--scope', 'openid offline_access'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Signed in at http:\/\/127\.0\.0\.1:\d+ \(profile default\)/)
    expect(r.stdout).toMatch(/access token\s+opaque, Bearer, expires in (\d+m|1h)/)
    expect(r.stdout).toMatch(/ID token\s+JWT \(RS256\), expires in .*sub alice/)
    expect(r.stdout).toMatch(/refresh token\s+stored/)
    expect(r.stdout).toMatch(/scope\s+openid offline_access/)
    expect(r.stdout).not.toContain(readJson(tokensFile(r.home)).refreshToken.value)
    expect(r.stderr).toMatch(/^Open: http:\/\/127\.0\.0\.1:\d+\/auth\?/m)
  })

  it('sends no prompt and stores no refresh token for plain openid', async () => {
    const r = await loginWithBrowserless(provider, ['--json'])
    expect(r.code).toBe(0)
    expect(r.authorizationUrl.searchParams.get('scope')).toBe('openid')
    expect(r.authorizationUrl.searchParams.has('prompt')).toBe(false)
    expect(JSON.parse(r.stdout).refresh_token_stored).toBe(false)
  })

  it('sends the claims request, resource, login hint and extra parameters as given', async () => {
    const claims = '{"access_token":{"xms_cc":{"values":["cp1"]}}}'
    const r = await loginWithBrowserless(provider, ['--json', '--claims', claims, '--login-hint', 'alice', '--param', 'ui_locales=de', '--resource', 'https://api.example.test', '--scope', 'openid api:read', '--max-age', '10m', '--prompt', 'login', '--acr-values', 'urn:mace:incommon:iap:silver', '--audience', 'my-api'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const auth = provider.requestsTo('/auth').find((a) => a.params.state === r.authorizationUrl.searchParams.get('state'))!
    expect(auth.claims).toEqual(JSON.parse(claims))
    expect(auth.params).toMatchObject({ login_hint: 'alice', ui_locales: 'de', resource: 'https://api.example.test', max_age: '600', prompt: 'login', acr_values: 'urn:mace:incommon:iap:silver', audience: 'my-api' })
    // the resource's access token is a JWT (at+jwt) for the API
    const out = JSON.parse(r.stdout)
    // max_age asks for auth_time, which openid-client then checks
    expect(out.id_token_claims.auth_time).toEqual(expect.any(Number))
    const header = JSON.parse(Buffer.from(out.access_token.split('.')[0], 'base64url').toString())
    expect(header.typ).toBe('at+jwt')
  })

  it('listens on localhost (127.0.0.1 and ::1) with --redirect-host localhost', async () => {
    const r = await loginWithBrowserless(provider, ['--redirect-host', 'localhost'])
    expect(r.code).toBe(0)
    const redirect = new URL(r.authorizationUrl.searchParams.get('redirect_uri')!)
    expect(redirect.hostname).toBe('localhost')
    expect(readJson(join(r.home, 'config.json')).profiles.default.redirect).toEqual({ host: 'localhost' })
  })

  it('uses a fixed --port (the provider registers the path /callback only)', async () => {
    const port = await freeLoopbackPort()
    const r = await loginWithBrowserless(provider, ['--port', String(port), '--redirect-path', '/callback'])
    expect(r.code).toBe(0)
    expect(r.authorizationUrl.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`)
    expect(readJson(join(r.home, 'config.json')).profiles.default.redirect).toEqual({ port, path: '/callback' })
  })

  it('works without discovery from endpoint flags, and the profile keeps them', async () => {
    const before = provider.requestsTo('/.well-known/openid-configuration').length
    const home = tempHome()
    const cli = spawnCli(
      ['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open', '--authorization-endpoint', `${provider.issuer}/auth`, '--token-endpoint', `${provider.issuer}/token`, '--jwks-uri', `${provider.issuer}/jwks`],
      { home },
    )
    await browserlessLogin(await openUrl(cli), { deliver: true })
    const r = await cli.done
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect(provider.requestsTo('/.well-known/openid-configuration').length).toBe(before)
    expect(readJson(join(home, 'config.json')).profiles.default.endpoints).toMatchObject({ token_endpoint: `${provider.issuer}/token` })
  })

  it('opens the system browser with `open` (xdg-open honours $BROWSER) unless --no-open', async () => {
    const home = tempHome()
    const file = join(home, 'opened-url')
    const browser = join(home, 'browser.sh')
    writeFileSync(browser, '#!/bin/sh\nprintf %s "$1" > "$OPENED_URL_FILE"\n', { mode: 0o755 })
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native()], { home, env: { BROWSER: browser, OPENED_URL_FILE: file, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, XDG_CURRENT_DESKTOP: undefined } })
    const url = await openUrl(cli)
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50))
    expect(readFileSync(file, 'utf8')).toBe(url)
    await browserlessLogin(url, { deliver: true })
    expect((await cli.done).code).toBe(0)
  })

  it('opens the URL with --browser-command', async () => {
    const home = tempHome()
    const file = join(home, 'opened-url')
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--browser-command', `printf %s > '${file}'`], { home })
    const url = await openUrl(cli)
    for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50))
    expect(readFileSync(file, 'utf8')).toBe(url)
    await browserlessLogin(url, { deliver: true })
    expect((await cli.done).code).toBe(0)
  })

  it('accepts the final redirect URL pasted on stdin', async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open'])
    const walked = await browserlessLogin(await openUrl(cli)) // not delivered: the browser "cannot reach" the listener
    cli.child.stdin.write('not a url\n')
    cli.child.stdin.write(`${walked.url}\n`)
    const r = await cli.done
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Signed in')
  })

  it('traces every exchange with -v, secrets redacted', async () => {
    const r = await loginWithBrowserless(provider, ['-v', '--scope', 'openid offline_access', '--header', 'X-Tokentool-Test=on'])
    expect(r.code).toBe(0)
    // --header goes with every request to the server, and the profile keeps it
    expect(r.stderr).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/token\n(> .*\n)*> x-tokentool-test: on\n/i)
    expect(readJson(join(r.home, 'config.json')).profiles.default.headers).toEqual({ 'X-Tokentool-Test': 'on' })
    expect(r.stderr).toMatch(/> GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration/)
    expect(r.stderr).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/token/)
    const stored = readJson(tokensFile(r.home))
    expect(r.stderr).not.toContain(stored.refreshToken.value)
    const access = Object.values(stored.accessTokens as Record<string, { accessToken: string }>)[0]!.accessToken
    expect(r.stderr).not.toContain(access)
    // the ID token keeps header and payload, loses its signature
    const [h, p, sig] = stored.idToken.value.split('.')
    expect(r.stderr).toContain(`${h}.${p}.`)
    expect(r.stderr).not.toContain(sig)
  })
})

describe('the redirect listener and failures', { timeout: 60_000 }, () => {
  it('answers a wrong state with 400, keeps waiting, and stores nothing until the right callback', async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open'])
    const url = new URL(await openUrl(cli))
    const redirect = url.searchParams.get('redirect_uri')!
    const forged = await fetch(`${redirect}?code=forged&state=not-the-state`)
    expect(forged.status).toBe(400)
    expect(await forged.text()).toContain('State mismatch')
    await cli.waitForStderr(/ignored a request to the redirect listener \(HTTP 400/)
    expect(existsSync(tokensFile(cli.home))).toBe(false)
    const walked = await browserlessLogin(url.href, { deliver: true })
    expect(walked.delivered?.status).toBe(200)
    const r = await cli.done
    expect(r.code).toBe(0)
    expect(existsSync(tokensFile(cli.home))).toBe(true)
    // the forged code never reached the token endpoint
    expect(provider.requestsTo('/token').some((t) => t.params.code === 'forged')).toBe(false)
  })

  it('fails with exit 3 on a callback with the right state but no code, storing nothing', async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open'])
    const url = new URL(await openUrl(cli))
    const res = await fetch(`${url.searchParams.get('redirect_uri')}?state=${url.searchParams.get('state')}`)
    expect(res.status).toBe(400)
    const r = await cli.done
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/tokentool: bad redirect .* neither a code nor an error/)
    expect(existsSync(tokensFile(cli.home))).toBe(false)
  })

  it('checks the RFC 9207 iss parameter: a redirect naming another issuer fails with exit 3', async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open'])
    const walked = await browserlessLogin(await openUrl(cli))
    const redirect = new URL(walked.url)
    expect(redirect.searchParams.get('iss')).toBe(provider.issuer)
    redirect.searchParams.set('iss', 'https://attacker.example')
    const res = await fetch(redirect)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Sign-in failed')
    const r = await cli.done
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^tokentool: the redirect from the server: its "iss" \(https:\/\/attacker\.example\) is not the issuer http:\/\/127\.0\.0\.1:\d+/m)
    expect(existsSync(tokensFile(cli.home))).toBe(false)
    // the code was never redeemed
    expect(provider.requestsTo('/token').some((t) => t.params.code === redirect.searchParams.get('code'))).toBe(false)
  })

  it('reports access_denied from the provider with exit 4 and a failure page', async () => {
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open'])
    const walked = await browserlessLogin(await openUrl(cli), { deny: true, deliver: true })
    expect(new URL(walked.url).searchParams.get('error')).toBe('access_denied')
    expect(walked.delivered?.status).toBe(400)
    expect(walked.delivered?.body).toContain('Sign-in refused')
    const r = await cli.done
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: access_denied/m)
    expect(existsSync(tokensFile(cli.home))).toBe(false)
  })

  it('gives up after --timeout with exit 3 when nobody signs in, and frees the port', async () => {
    const port = await freeLoopbackPort()
    const r = await runCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open', '--timeout', '1s', '--port', String(port)])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/tokentool: timed out after 1s waiting for the sign-in/)
    expect(r.stderr).toMatch(/^Open: /m)
    // the listener is closed afterwards
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow()
  })

  it('exits 3 when the provider is down', async () => {
    const port = await freeLoopbackPort()
    const r = await runCli(['login', '--issuer', `http://127.0.0.1:${port}`, '--client-id', 'x', '--no-open'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^tokentool: cannot connect to 127\.0\.0\.1:\d+: connection refused/m)
    expect(r.stderr).not.toMatch(/^Open: /m)
  })

  it('exits 2 without an issuer or client id, naming the flag', async () => {
    const a = await runCli(['login', '--client-id', 'x'])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/--issuer/)
    const b = await runCli(['login', '--issuer', provider.issuer])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/--client-id/)
  })

  it('exits 2 when a fixed --port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => blocker.once('listening', r))
    try {
      const port = (blocker.address() as { port: number }).port
      const r = await runCli(['login', '--issuer', provider.issuer, '--client-id', native(), '--no-open', '--port', String(port)])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(new RegExp(`port ${port} is in use`))
    } finally {
      blocker.close()
    }
  })
})

describe('confidential clients', { timeout: 60_000 }, () => {
  it('signs in with client_secret_post from env:VAR, keeps the reference (not the secret) and refreshes with no flags', async () => {
    const post = provider.clients.post
    const home = tempHome()
    const env = { TOKENTOOL_HOME: home, POST_SECRET: post.client_secret }
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', post.client_id, '--client-secret', 'env:POST_SECRET', '--client-auth', 'post', '--scope', 'openid offline_access', '--no-open'], { home, env })
    await browserlessLogin(await openUrl(cli), { deliver: true })
    const r = await cli.done
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const config = readFileSync(join(home, 'config.json'), 'utf8')
    expect(JSON.parse(config).profiles.default).toMatchObject({ clientSecret: 'env:POST_SECRET', clientAuth: 'post' })
    expect(config).not.toContain(post.client_secret)
    const token = provider.requestsTo('/token').at(-1)!
    expect(token.params.client_secret).toBe(post.client_secret)
    expect(token.authorization).toBeUndefined()

    const refreshed = await runCli(['refresh'], { env })
    expect(refreshed.stderr).toBe('')
    expect(refreshed.code).toBe(0)
  })

  it('signs in and refreshes with private_key_jwt from --client-key, saved in the profile', async () => {
    const pk = provider.clients.privateKeyJwt
    const home = tempHome()
    const keyFile = join(home, 'client-key.pem')
    writeFileSync(keyFile, pk.privateKeyPem, { mode: 0o600 })
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', pk.client_id, '--client-auth', 'private_key_jwt', '--client-key', keyFile, '--scope', 'openid offline_access', '--no-open'], { home })
    await browserlessLogin(await openUrl(cli), { deliver: true })
    const r = await cli.done
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect(provider.requestsTo('/token').at(-1)!.params.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    expect(readJson(join(home, 'config.json')).profiles.default).toMatchObject({ clientAuth: 'private_key_jwt', clientKey: keyFile })
    const refreshed = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(refreshed.stderr).toBe('')
    expect(refreshed.code).toBe(0)
    expect(provider.requestsTo('/token').at(-1)!.params.client_assertion).toEqual(expect.any(String))
  })

  it('uses client_secret_basic with TOKENTOOL_CLIENT_SECRET, and exit 4 for a wrong secret', async () => {
    const basic = provider.clients.basic
    const home = tempHome()
    const cli = spawnCli(['login', '--issuer', provider.issuer, '--client-id', basic.client_id, '--no-open'], { home, env: { TOKENTOOL_CLIENT_SECRET: basic.client_secret } })
    await browserlessLogin(await openUrl(cli), { deliver: true })
    expect((await cli.done).code).toBe(0)
    expect(provider.requestsTo('/token').at(-1)!.authorization).toBe('Basic')

    const wrong = await runCli(['refresh', '--refresh-token', 'whatever'], { env: { TOKENTOOL_HOME: home, TOKENTOOL_CLIENT_SECRET: 'wrong' } })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/^tokentool: invalid_client/m)
  })
})
