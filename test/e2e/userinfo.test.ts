/**
 * `userinfo` against the real provider: JSON for the ordinary client, a signed JWT
 * (`application/jwt`) for a client registered with `userinfo_signed_response_alg`, decoded and
 * verified; a revoked token refused with `invalid_token` (exit 4); no token at all (exit 2).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProvider, type TestProvider } from './provider.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'

const JWT_CLIENT = 'tokentool-jwt-userinfo'
let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider({
    extraClients: [
      {
        client_id: JWT_CLIENT,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        userinfo_signed_response_alg: 'ES256',
      },
    ],
    configure: (c: any) => {
      c.features.jwtUserinfo = { enabled: true }
    },
  })
})
afterAll(async () => {
  await provider?.stop()
})

const accessToken = (h: string): string => (Object.values(JSON.parse(readFileSync(join(h, 'tokens', 'default.json'), 'utf8')).accessTokens)[0] as { accessToken: string }).accessToken

describe('userinfo', () => {
  it("JSON: the profile's access token, the user's claims", async () => {
    const r0 = await loginWithBrowserless(provider, ['--scope', 'openid profile email'], { browser: { login: 'frank' } })
    expect(r0.code).toBe(0)
    const env = { TOKENTOOL_HOME: r0.home }
    const r = await runCli(['userinfo', '--json'], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ format: 'json', jwt: null, endpoint: `${provider.issuer}/me`, claims: { sub: 'frank', email: 'frank@example.test', name: 'Test User frank' } })
    expect(provider.requestsTo('/me').at(-1)).toMatchObject({ authorization: 'Bearer', status: 200 })

    const human = await runCli(['userinfo'], { env })
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^✓ Userinfo from http:\/\/127\.0\.0\.1:\d+\/me: JSON/)
    expect(human.stdout).toMatch(/^ {2}email\s+frank@example\.test/m)
    expect(human.stdout).toMatch(/^ {2}updated_at\s+1700000000 · 2023-11-14T22:13:20Z/m)
  })

  it('a signed JWT response (application/jwt): decoded, its signature checked', async () => {
    const r0 = await loginWithBrowserless(provider, ['--client-id', JWT_CLIENT, '--scope', 'openid email'], { browser: { login: 'grace' } })
    expect(r0.code).toBe(0)
    const r = await runCli(['userinfo', '--json'], { env: { TOKENTOOL_HOME: r0.home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.format).toBe('jwt')
    expect(out.claims).toMatchObject({ sub: 'grace', email: 'grace@example.test', iss: provider.issuer, aud: JWT_CLIENT })
    expect(out.jwt).toMatchObject({ signature_verified: true, header: { alg: 'ES256' }, payload: { sub: 'grace' } })

    const human = await runCli(['userinfo'], { env: { TOKENTOOL_HOME: r0.home } })
    expect(human.stdout.replace(/\n +/g, ' ').replace(/\n(?=\S)/g, ' ')).toMatch(/: signed JWT \(application\/jwt\), signature verified against the issuer's keys/)
    expect(human.stdout).toMatch(/^ {2}alg\s+ES256/m)
  })

  it('a revoked access token: invalid_token from the server, exit 4', async () => {
    const r0 = await loginWithBrowserless(provider, ['--scope', 'openid'], { browser: { login: 'heidi' } })
    const token = accessToken(r0.home)
    const env = { TOKENTOOL_HOME: r0.home }
    expect((await runCli(['revoke', '--', token], { env })).code).toBe(0)
    const r = await runCli(['userinfo', '-'], { env, input: token })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: invalid_token/m)
    expect(r.stderr).not.toContain(token)
  })

  it('no token and a profile without one: usage error, exit 2', async () => {
    const r = await runCli(['userinfo', '--issuer', provider.issuer, '--client-id', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no token given, and profile "default" has no access token/)
  })
})
