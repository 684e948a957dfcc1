/**
 * The same flows, through the built binary, against two independent OpenID providers on
 * 127.0.0.1: panva's oidc-provider (test/e2e/provider.ts) and Debian's glewlwyd 2.7
 * (test/e2e/glewlwyd.ts): login with PKCE through each one's own login pages, verify of its ID
 * token against its JWKS, refresh twice with rotation, userinfo, client credentials with
 * client_secret_basic, client_secret_post and private_key_jwt, introspection and revocation,
 * and the device flow. What only one of them does is tested in its own file
 * (glewlwyd.test.ts, provider.test.ts and the flow files).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'
import { describeWithProgram, findProgram } from '../helpers/system-program.js'
import { browserlessDeviceApproval, browserlessLogin } from './browserless-login.js'
import { GLEWLWYD, startGlewlwyd, type Glewlwyd } from './glewlwyd.js'
import { glewlwydDeviceApproval, glewlwydLogin } from './glewlwyd-login.js'
import { startProvider, type TestProvider } from './provider.js'

/** What a flow needs to know about one provider. */
interface Target {
  issuer: string
  /** Public client, and the flags its login needs (scope for a refresh token, a registered port). */
  native: { clientId: string; loginArgs: string[] }
  /** Completes a login whose authorization URL tokentool printed; delivers the redirect. */
  signIn(url: string): Promise<void>
  /** Approves a device flow at its verification URL. */
  approveDevice(verify: string, userCode: string): Promise<void>
  basic: { clientId: string; secret: string }
  post: { clientId: string; secret: string }
  pkjwt: { clientId: string; jwk: unknown; extra: string[] }
  /** Flags for a client credentials request (the scope the client may have). */
  ccArgs: string[]
  user: { name?: string }
  stop(): Promise<void>
}

function oidcProviderTarget(p: TestProvider): Target {
  return {
    issuer: p.issuer,
    native: { clientId: p.clients.native.client_id, loginArgs: ['--scope', 'openid offline_access'] },
    signIn: async (url) => {
      const r = await browserlessLogin(url, { deliver: true })
      expect(r.delivered?.status).toBe(200)
    },
    approveDevice: async (verify) => {
      await browserlessDeviceApproval(verify)
    },
    basic: { clientId: p.clients.basic.client_id, secret: p.clients.basic.client_secret },
    post: { clientId: p.clients.post.client_id, secret: p.clients.post.client_secret },
    pkjwt: { clientId: p.clients.privateKeyJwt.client_id, jwk: p.clients.privateKeyJwt.privateJwk, extra: [] },
    ccArgs: [],
    user: {},
    stop: () => p.stop(),
  }
}

function glewlwydTarget(g: Glewlwyd): Target {
  const c = g.clients.confidential
  return {
    issuer: g.issuer,
    // exact redirect URIs: the registered port; no offline_access scope: it sends refresh tokens anyway
    native: { clientId: g.clients.native.client_id, loginArgs: ['--port', String(g.redirectPort), '--scope', `openid ${g.apiScope}`] },
    signIn: async (url) => {
      const r = await glewlwydLogin(url, g.user, { deliver: true })
      expect(r.delivered?.status).toBe(200)
    },
    approveDevice: async (verify, userCode) => {
      const url = new URL(verify)
      if (!url.searchParams.has('code')) url.searchParams.set('code', userCode)
      const r = await glewlwydDeviceApproval(url.href, g.user)
      expect(r.steps.at(-1)).toBe('deviceComplete')
    },
    basic: { clientId: c.client_id, secret: c.client_secret },
    post: { clientId: c.client_id, secret: c.client_secret },
    // glewlwyd accepts only its token endpoint as the assertion's aud
    pkjwt: { clientId: g.clients.pkjwt.client_id, jwk: g.clients.pkjwt.privateJwk, extra: ['--client-assertion-audience', 'token-endpoint'] },
    ccArgs: ['--scope', g.apiScope],
    user: { name: g.user.name },
    stop: () => g.stop(),
  }
}

const ok = (r: CliResult) => {
  expect(r.stderr).not.toMatch(/^tokentool: /m)
  expect(r.code, r.stderr).toBe(0)
}

const storedRefreshToken = (home: string): string | undefined =>
  (JSON.parse(readFileSync(join(home, 'tokens', 'default.json'), 'utf8')) as { refreshToken?: { value: string } }).refreshToken?.value

/** The flows, for one provider. */
function flows(name: string, start: () => Promise<Target>): void {
  let t: Target
  beforeAll(async () => {
    t = await start()
  }, 60_000)
  afterAll(async () => {
    await t?.stop()
  })

  describe(`${name}: a user session`, () => {
    let home: string
    it('login with PKCE; the ID token verifies against the issuer\'s keys', async () => {
      home = tempHome()
      const cli = spawnCli(['login', '--issuer', t.issuer, '--client-id', t.native.clientId, '--no-open', '--json', ...t.native.loginArgs], { home })
      await t.signIn(await openUrl(cli))
      const r = await cli.done
      ok(r)
      const out = JSON.parse(r.stdout) as { id_token: string; refresh_token_stored: boolean; id_token_claims: { iss: string } }
      expect(out).toMatchObject({ refresh_token_stored: true, id_token_claims: { iss: t.issuer } })
      const v = await runCli(['verify', '--issuer', t.issuer, '--aud', t.native.clientId, '--json', out.id_token])
      ok(v)
      expect(JSON.parse(v.stdout)).toMatchObject({ valid: true })
    })

    it('refresh twice, each rotating the stored refresh token; then userinfo', async () => {
      const env = { TOKENTOOL_HOME: home }
      const seen = [storedRefreshToken(home)]
      for (let i = 0; i < 2; i++) {
        const r = await runCli(['refresh', '--json'], { env })
        ok(r)
        expect(JSON.parse(r.stdout)).toMatchObject({ refresh_token_rotated: true })
        seen.push(storedRefreshToken(home))
      }
      expect(new Set(seen).size).toBe(3)
      const u = await runCli(['userinfo', '--json'], { env })
      ok(u)
      expect(JSON.parse(u.stdout)).toMatchObject({ claims: { sub: expect.any(String), ...t.user } })
    })
  })

  describe(`${name}: client credentials`, () => {
    const cc = (args: string[]) => runCli(['token', '--client-credentials', '--issuer', t.issuer, ...t.ccArgs, ...args])

    it('client_secret_basic (the default), client_secret_post and private_key_jwt', async () => {
      ok(await cc(['--client-id', t.basic.clientId, '--client-secret', t.basic.secret]))
      ok(await cc(['--client-id', t.post.clientId, '--client-secret', t.post.secret, '--client-auth', 'post']))
      const key = join(tempHome(), 'client.jwk')
      writeFileSync(key, JSON.stringify(t.pkjwt.jwk))
      ok(await cc(['--client-id', t.pkjwt.clientId, '--client-key', key, ...t.pkjwt.extra]))
    })

    it('introspect the token (active), revoke it, introspect again (inactive: exit 1)', async () => {
      const client = ['--issuer', t.issuer, '--client-id', t.basic.clientId, '--client-secret', t.basic.secret]
      const issued = await cc(['--client-id', t.basic.clientId, '--client-secret', t.basic.secret])
      ok(issued)
      const token = issued.stdout.trim()
      const before = await runCli(['introspect', ...client, '--json', token])
      ok(before)
      expect(JSON.parse(before.stdout)).toMatchObject({ active: true, response: { client_id: t.basic.clientId } })
      ok(await runCli(['revoke', ...client, token]))
      const after = await runCli(['introspect', ...client, token])
      expect(after.code, after.stderr).toBe(1)
    })
  })

  describe(`${name}: device flow`, () => {
    it('login --device: approved at the provider, tokens stored', { timeout: 60_000 }, async () => {
      const args = t.native.loginArgs.filter((_, i, a) => a[i] !== '--port' && a[i - 1] !== '--port')
      const cli = spawnCli(['login', '--device', '--issuer', t.issuer, '--client-id', t.native.clientId, '--json', ...args])
      const verify = (await cli.waitForStderr(/^Verify: (\S+)$/m))[1]!
      const code = (await cli.waitForStderr(/^Code: (\S+)$/m))[1]!
      await t.approveDevice(verify, code)
      const r = await cli.done
      ok(r)
      expect(JSON.parse(r.stdout)).toMatchObject({ refresh_token_stored: true, id_token_claims: { iss: t.issuer } })
    })
  })
}

describe('oidc-provider', () => {
  flows('oidc-provider', async () => oidcProviderTarget(await startProvider()))
})

describeWithProgram(findProgram(GLEWLWYD), 'glewlwyd', (bin) => {
  flows('glewlwyd', async () => glewlwydTarget(await startGlewlwyd(bin)))
})
