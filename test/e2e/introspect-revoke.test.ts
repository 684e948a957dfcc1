/**
 * `introspect` and `revoke` against the real provider, as the confidential client: an opaque
 * access token is active, is revoked, and is then inactive (`active: false`, exit 1); the RFC
 * 9701 JWT response (phantom token) decoded with its signature checked; the refresh token
 * revoked with `--hint` (a sign-out); a JWT access token refused with a helpful line (exit 4);
 * an unreachable server (exit 3).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'

let provider: TestProvider
beforeAll(async () => {
  // RFC 9701: the provider signs introspection responses for clients that ask with the JWT media type
  provider = await startProvider({
    configure: (c: any) => {
      c.features.jwtIntrospection = { enabled: true }
    },
  })
})
afterAll(async () => {
  await provider?.stop()
})

async function signIn(login: string, args: string[] = []): Promise<string> {
  const basic = provider.clients.basic
  const r = await loginWithBrowserless(provider, ['--client-id', basic.client_id, '--client-secret', basic.client_secret, '--scope', 'openid offline_access email', ...args], { browser: { login } })
  expect(r.code).toBe(0)
  return r.home
}

/** The view wraps long lines at the terminal width (80 in a pipe): compare as one line. */
const oneLine = (s: string) => s.replace(/\n +/g, ' ').replace(/\n(?=\S)/g, ' ')
const stored = (h: string) => JSON.parse(readFileSync(join(h, 'tokens', 'default.json'), 'utf8'))
const accessTokens = (h: string): string[] => Object.values(stored(h).accessTokens as Record<string, { accessToken: string }>).map((e) => e.accessToken)

describe('introspect → revoke → introspect', () => {
  it("the profile's opaque access token: active, revoked (and removed from the profile), then inactive with exit 1", async () => {
    const home = await signIn('bob')
    const [token] = accessTokens(home)
    const env = { TOKENTOOL_HOME: home }

    const a = await runCli(['introspect', '--json'], { env })
    expect(a.stderr).toBe('')
    expect(a.code).toBe(0)
    const out = JSON.parse(a.stdout)
    expect(out).toMatchObject({ active: true, response: { active: true, sub: 'bob', client_id: provider.clients.basic.client_id, scope: 'openid offline_access email' }, jwt: null })
    expect(provider.requestsTo('/token/introspection').at(-1)).toMatchObject({ params: { token }, authorization: 'Basic', status: 200 })

    const human = await runCli(['introspect'], { env })
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^ACTIVE {2}active: true/)
    expect(human.stdout).toMatch(/^ {2}sub\s+bob/m)
    expect(human.stdout).toMatch(/^ {2}exp\s+\d+ · \S+Z · in \d+m/m)

    const rv = await runCli(['revoke'], { env })
    expect(rv.stderr).toBe('')
    expect(rv.code).toBe(0)
    expect(oneLine(rv.stdout)).toMatch(/^✓ Revoked the access token of profile "default" at http:\/\/127\.0\.0\.1:\d+\/token\/revocation \(token_type_hint access_token\)/)
    expect(rv.stdout).toContain('removed from the profile as well')
    expect(provider.requestsTo('/token/revocation').at(-1)).toMatchObject({ params: { token, token_type_hint: 'access_token' }, status: 200 })
    expect(accessTokens(home)).toEqual([])

    const b = await runCli(['introspect', '--', token!], { env }) // `--`: an opaque token may begin with '-'
    expect(b.code).toBe(1)
    expect(b.stdout).toMatch(/^INACTIVE {2}active: false — the server does not accept this token/)
    expect(b.stderr).toBe('tokentool: the token is not active (active: false)\n')
    const bj = await runCli(['introspect', '--json', '-'], { env, input: `Authorization: Bearer ${token}\n` })
    expect(bj.code).toBe(1)
    expect(JSON.parse(bj.stdout)).toEqual({ active: false, response: { active: false }, jwt: null, endpoint: `${provider.issuer}/token/introspection` })
  })

  it('--jwt: the signed RFC 9701 response a gateway would receive, decoded and verified', async () => {
    const home = await signIn('carol')
    const [token] = accessTokens(home)
    const r = await runCli(['introspect', '--jwt', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.active).toBe(true)
    expect(out.jwt.signature_verified).toBe(true)
    expect(out.jwt.header).toMatchObject({ typ: 'token-introspection+jwt', alg: 'RS256' })
    expect(out.jwt.payload).toMatchObject({ iss: provider.issuer, aud: provider.clients.basic.client_id, token_introspection: { active: true, sub: 'carol' } })
    expect(out.response).toEqual(out.jwt.payload.token_introspection)
    expect(out.jwt.token.split('.')).toHaveLength(3)
    expect(provider.requestsTo('/token/introspection').at(-1)!.params.token).toBe(token)

    const human = await runCli(['introspect', '--jwt'], { env: { TOKENTOOL_HOME: home } })
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('JWT response (RFC 9701): what a gateway receives')
    expect(human.stdout).toContain("signature verified against the issuer's keys")
    expect(human.stdout).toMatch(/^ {4}typ\s+token-introspection\+jwt/m)
    expect(human.stdout).not.toContain(out.jwt.token)
  })

  it('--hint refresh_token revokes the stored refresh token (sign-out); it is then inactive and gone from the profile', async () => {
    const home = await signIn('dave')
    const rt = stored(home).refreshToken.value as string
    const env = { TOKENTOOL_HOME: home }
    const rv = await runCli(['revoke', '--hint', 'refresh_token', '--json'], { env })
    expect(rv.code).toBe(0)
    expect(JSON.parse(rv.stdout)).toEqual({
      revoked: true,
      endpoint: `${provider.issuer}/token/revocation`,
      token_type_hint: 'refresh_token',
      from: 'the refresh token of profile "default"',
      removed_from_profile: true,
    })
    expect(stored(home).refreshToken).toBeUndefined()
    expect(provider.requestsTo('/token/revocation').at(-1)!.params).toMatchObject({ token: rt, token_type_hint: 'refresh_token' })

    const i = await runCli(['introspect', '--hint', 'refresh_token', '--', rt], { env })
    expect(i.code).toBe(1)
    expect(i.stdout).toContain('active: false')
    const refresh = await runCli(['refresh'], { env })
    expect(refresh.code).toBe(2)
    expect(refresh.stderr).toMatch(/has no refresh token/)
  })

  it('a JWT access token: the server refuses (exit 4) and the line says what to do instead', async () => {
    const home = await signIn('erin', ['--scope', 'openid api:read', '--resource', API_RESOURCE])
    const [jwt] = accessTokens(home)
    expect(jwt).toMatch(/^eyJ/)
    writeFileSync(join(home, 'jwt.txt'), `${jwt}\n`)
    const i = await runCli(['introspect', '--file', join(home, 'jwt.txt')], { env: { TOKENTOOL_HOME: home } })
    expect(i.code).toBe(4)
    expect(i.stdout).toBe('')
    expect(i.stderr).toMatch(/^tokentool: unsupported_token_type: .*\(this server introspects only its opaque \(reference\) tokens, not JWTs; check a JWT locally with: tokentool verify --issuer http:\/\/127\.0\.0\.1:\d+ <token>\)$/m)
    expect(i.stderr).not.toContain(jwt)
    const rv = await runCli(['revoke', jwt!], { env: { TOKENTOOL_HOME: home } })
    expect(rv.code).toBe(4)
    expect(rv.stderr).toMatch(/unsupported_token_type.*stays valid until it expires/)
  })

  it('a server without discovery: endpoint flags; a JWT response without jwks_uri is shown as not verified', async () => {
    const home = await signIn('ivan')
    const [token] = accessTokens(home)
    const basic = provider.clients.basic
    const before = provider.requestsTo('/.well-known/openid-configuration').length
    const r = await runCli(
      ['introspect', '--jwt', '--json', '--token-endpoint', `${provider.issuer}/token`, '--introspection-endpoint', `${provider.issuer}/token/introspection`, '--client-id', basic.client_id, '--client-secret', basic.client_secret, '-'],
      { input: token },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ active: true, response: { sub: 'ivan' }, jwt: { signature_verified: false } })
    expect(provider.requestsTo('/.well-known/openid-configuration').length).toBe(before)

    const none = await runCli(['revoke', '--token-endpoint', `${provider.issuer}/token`, '--client-id', basic.client_id, '--client-secret', basic.client_secret, '--', token!])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/does not offer revocation \(no revocation_endpoint in its metadata\) \(give it with --revocation-endpoint URL if it exists\)/)
  })

  it("never sends the profile's stored token to another server than its issuer", async () => {
    const home = await signIn('judy')
    const [token] = accessTokens(home)
    const other = 'http://127.0.0.1:9'
    for (const cmd of ['introspect', 'revoke', 'userinfo']) {
      const r = await runCli([cmd, '--issuer', other, '--token-endpoint', `${other}/token`, '--introspection-endpoint', `${other}/i`, '--revocation-endpoint', `${other}/r`, '--userinfo-endpoint', `${other}/u`, '--client-secret', 'env:OTHER_SECRET'], { env: { TOKENTOOL_HOME: home, OTHER_SECRET: 'a-secret-for-the-other-server' } })
      // with a credential for the other server given (the stored client secret is refused on its own, see credential-binding)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`the tokens of profile "default" are from ${provider.issuer}, not ${other}`)
      expect(r.stderr).not.toContain(token)
    }
  })

  it('a client the server does not know: invalid_client, exit 4', async () => {
    const r = await runCli(['introspect', '--issuer', provider.issuer, '--client-id', 'nobody', '--client-secret', 'x', 'some-token'])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: invalid_client/m)
    expect(r.stderr).not.toContain('some-token')
  })

  it('an unreachable server: exit 3', async () => {
    for (const cmd of ['introspect', 'revoke']) {
      const r = await runCli([cmd, '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', 'tok'])
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/127\.0\.0\.1:9/)
    }
  })
})
