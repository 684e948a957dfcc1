/**
 * `tokentool token` against the real provider: the client credentials grant with every client
 * authentication method (the printed token verifies against the provider's JWKS), the cache
 * (a second call makes no request at all, asserted on the provider side; another scope does),
 * `--force`, the output formats, a federated client assertion, the jwt-bearer grant, and the
 * bad cases: wrong secret (exit 4), provider down (exit 3), no credentials (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { ciClients, ciIssuer, FEDERATED_CLIENT_ID, JWT_BEARER_CLIENT_ID, JWT_BEARER_GRANT, registerJwtBearer, type CiIssuer } from './provider-jwt-bearer.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

const CI_ISSUER_NAME = 'https://ci.example.test'
let provider: TestProvider
let ci: CiIssuer
let dir: string

beforeAll(async () => {
  ci = await ciIssuer()
  provider = await startProvider({ extraClients: ciClients(ci) })
  registerJwtBearer(provider.provider, { issuer: provider.issuer, ci, ciIssuerName: CI_ISSUER_NAME })
  dir = mkdtempSync(join(tmpdir(), 'tokentool-token-'))
})
afterAll(async () => {
  await provider?.stop()
})

const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

/** The API's JWT access token verified against the provider's published keys. */
async function verifyApiToken(token: string) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
  expect(protectedHeader.typ).toBe('at+jwt')
  return payload
}

const api = ['--resource', API_RESOURCE, '--scope', 'api:read']

function ccArgs(kind: 'basic' | 'post'): string[] {
  const c = provider.clients[kind]
  return ['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret]
}

describe('token: client credentials', { timeout: 60_000 }, () => {
  it('client_secret_basic: one line, a JWT that verifies; the second call is served from the cache with no request', async () => {
    const home = tempHome()
    const before = provider.requests.length
    const a = await runCli([...ccArgs('basic'), ...api], { env: { TOKENTOOL_HOME: home } })
    expect(a.stderr).toBe('')
    expect(a.code).toBe(0)
    expect(a.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const payload = await verifyApiToken(a.stdout.trim())
    expect(payload).toMatchObject({ client_id: provider.clients.basic.client_id, scope: 'api:read' })
    const tokenRequests = provider.requestsTo('/token').filter((r) => provider.requests.indexOf(r) >= before)
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0]).toMatchObject({ grantType: 'client_credentials', authorization: 'Basic', status: 200 })
    expect(tokenRequests[0]!.params.client_secret).toBeUndefined()

    const seen = provider.requests.length
    const b = await runCli([...ccArgs('basic'), ...api], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    expect(b.stdout).toBe(a.stdout)
    expect(provider.requests.length).toBe(seen) // not even discovery

    // another scope shapes another token: not from the cache
    const c = await runCli([...ccArgs('basic'), '--resource', API_RESOURCE, '--scope', 'api:write'], { env: { TOKENTOOL_HOME: home } })
    expect(c.code).toBe(0)
    expect(c.stdout).not.toBe(a.stdout)
    expect((await verifyApiToken(c.stdout.trim())).scope).toBe('api:write')
    expect(provider.requestsTo('/token').filter((r) => provider.requests.indexOf(r) >= seen)).toHaveLength(1)
    // the scope spelled in another order is the same request
    const seen2 = provider.requests.length
    const d = await runCli([...ccArgs('basic'), '--scope', 'api:write', '--resource', API_RESOURCE], { env: { TOKENTOOL_HOME: home } })
    expect(d.stdout).toBe(c.stdout)
    expect(provider.requests.length).toBe(seen2)
  })

  it('client_secret_post, with the secret from TOKENTOOL_CLIENT_SECRET', async () => {
    const c = provider.clients.post
    const before = provider.requests.length
    const r = await runCli(['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-auth', 'post', ...api], { env: { TOKENTOOL_CLIENT_SECRET: c.client_secret } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect((await verifyApiToken(r.stdout.trim())).client_id).toBe(c.client_id)
    const req = provider.requestsTo('/token').filter((x) => provider.requests.indexOf(x) >= before)[0]!
    expect(req.authorization).toBeUndefined()
    expect(req.params.client_secret).toBe(c.client_secret)
    expect(req.params.client_id).toBe(c.client_id)
  })

  it('client_secret_basic chosen automatically, secret from @file and env:VAR', async () => {
    const c = provider.clients.basic
    const secretFile = file('basic.secret', `${c.client_secret}\n`)
    for (const secret of [`@${secretFile}`, 'env:MY_SECRET']) {
      const r = await runCli(['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', secret, ...api], { env: { MY_SECRET: c.client_secret } })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      await verifyApiToken(r.stdout.trim())
    }
  })

  it('private_key_jwt with --client-key as PEM and as JWK', async () => {
    const c = provider.clients.privateKeyJwt
    const pem = file('client.pem', c.privateKeyPem)
    const jwk = file('client.jwk.json', JSON.stringify(c.privateJwk))
    for (const key of [pem, jwk]) {
      const before = provider.requests.length
      const r = await runCli(['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-key', key, ...api])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect((await verifyApiToken(r.stdout.trim())).client_id).toBe(c.client_id)
      const req = provider.requestsTo('/token').filter((x) => provider.requests.indexOf(x) >= before)[0]!
      expect(req).toMatchObject({ grantType: 'client_credentials', status: 200 })
      expect(req.params.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    }
  })

  it('--force ignores the cache and stores the new token', async () => {
    const home = tempHome()
    const a = await runCli([...ccArgs('basic'), ...api], { env: { TOKENTOOL_HOME: home } })
    const before = provider.requestsTo('/token').length
    const b = await runCli([...ccArgs('basic'), ...api, '--force'], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    expect(b.stdout).not.toBe(a.stdout)
    expect(provider.requestsTo('/token').length).toBe(before + 1)
    const c = await runCli([...ccArgs('basic'), ...api], { env: { TOKENTOOL_HOME: home } })
    expect(c.stdout).toBe(b.stdout)
  })

  it('--min-ttl longer than the token lives means a new token each time', async () => {
    const home = tempHome()
    const a = await runCli([...ccArgs('basic'), ...api], { env: { TOKENTOOL_HOME: home } })
    const b = await runCli([...ccArgs('basic'), ...api, '--min-ttl', '1h'], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    expect(b.stdout).not.toBe(a.stdout)
  })

  it('--format env, --json (the response plus expires_at), from the network and from the cache', async () => {
    const home = tempHome()
    const env = await runCli([...ccArgs('basic'), ...api, '--format', 'env'], { env: { TOKENTOOL_HOME: home } })
    expect(env.code).toBe(0)
    expect(env.stdout).toMatch(/^TOKENTOOL_ACCESS_TOKEN=[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const token = env.stdout.trim().split('=')[1]!

    const fresh = await runCli([...ccArgs('basic'), '--scope', 'api:write', '--resource', API_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: home } })
    const doc = JSON.parse(fresh.stdout)
    expect(doc).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), scope: 'api:write', source: 'client_credentials' })
    expect(doc.expires_in).toBeGreaterThan(200)
    expect(doc.expires_at - doc.expires_in).toBeCloseTo(Date.now() / 1000, -1)
    await verifyApiToken(doc.access_token)

    const cached = await runCli([...ccArgs('basic'), ...api, '--json'], { env: { TOKENTOOL_HOME: home } })
    const c = JSON.parse(cached.stdout)
    expect(c).toMatchObject({ access_token: token, token_type: expect.stringMatching(/^bearer$/i), scope: 'api:read', source: 'cache' })
    expect(c.expires_in).toBeGreaterThan(200)
    expect(c.expires_at - c.expires_in).toBeCloseTo(Date.now() / 1000, -1)
  })
})

describe('token: federated credentials', { timeout: 60_000 }, () => {
  const fedArgs = () => ['token', '--client-credentials', '--issuer', provider.issuer, '--client-id', FEDERATED_CLIENT_ID, ...api]

  it('a JWT from the trusted CI issuer is accepted as --client-assertion (file and env:VAR)', async () => {
    const jwt = await ci.mint({ iss: FEDERATED_CLIENT_ID, sub: FEDERATED_CLIENT_ID, aud: provider.issuer })
    const home = tempHome()
    const before = provider.requests.length
    const r = await runCli([...fedArgs(), '--client-assertion', file('oidc.jwt', `${jwt}\n`)], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect((await verifyApiToken(r.stdout.trim())).client_id).toBe(FEDERATED_CLIENT_ID)
    const req = provider.requestsTo('/token').filter((x) => provider.requests.indexOf(x) >= before)[0]!
    expect(req.params.client_assertion).toBe(jwt)
    // the same job again: from the cache, the assertion is not spent twice
    const seen = provider.requests.length
    const again = await runCli([...fedArgs(), '--client-assertion', 'env:CI_OIDC_TOKEN'], { env: { TOKENTOOL_HOME: home, CI_OIDC_TOKEN: jwt } })
    expect(again.stdout).toBe(r.stdout)
    expect(provider.requests.length).toBe(seen)
  })

  it('an assertion signed by another key is refused: exit 4 with the provider error', async () => {
    const other = await ciIssuer()
    const jwt = await other.mint({ iss: FEDERATED_CLIENT_ID, sub: FEDERATED_CLIENT_ID, aud: provider.issuer })
    const r = await runCli([...fedArgs(), '--client-assertion', file('bad.jwt', jwt)])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: invalid_client/m)
    expect(r.stderr).not.toContain(jwt)
  })

  it('a malformed --client-assertion is exit 2 before any request', async () => {
    const before = provider.requests.length
    const r = await runCli([...fedArgs(), '--client-assertion', file('junk.jwt', 'not-a-jwt')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--client-assertion is not a JWT/)
    expect(provider.requests.length).toBe(before)
  })

  it('the RFC 7523 jwt-bearer grant with --assertion', async () => {
    const jwt = await ci.mint({ iss: CI_ISSUER_NAME, sub: 'repo:acme/app:ref:refs/heads/main', aud: provider.issuer })
    const home = tempHome()
    const args = ['token', '--issuer', provider.issuer, '--client-id', JWT_BEARER_CLIENT_ID, '--assertion', file('grant.jwt', jwt), '--scope', 'openid', '--json']
    const r = await runCli(args, { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), source: 'jwt_bearer' })
    const req = provider.requestsTo('/token').at(-1)!
    expect(req).toMatchObject({ grantType: JWT_BEARER_GRANT, status: 200 })
    expect(req.params.assertion).toBe(jwt)
    const seen = provider.requests.length
    const again = await runCli(args, { env: { TOKENTOOL_HOME: home } })
    expect(JSON.parse(again.stdout)).toMatchObject({ access_token: JSON.parse(r.stdout).access_token, source: 'cache' })
    expect(provider.requests.length).toBe(seen)
  })
})

describe('token: failures', { timeout: 60_000 }, () => {
  it('a wrong client secret is exit 4 with the provider error, and nothing on stdout', async () => {
    const c = provider.clients.basic
    const r = await runCli(['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', 'wrong-secret', ...api])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: invalid_client\b.*\n$/)
    expect(r.stderr).not.toContain('wrong-secret')
  })

  it('the provider down is exit 3', async () => {
    const down = await startProvider()
    await down.stop()
    const c = provider.clients.basic
    const r = await runCli(['token', '--issuer', down.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: .*127\.0\.0\.1/)
  })

  it('no credentials at all is exit 2 naming what to set', async () => {
    const r = await runCli(['token'], { env: { TOKENTOOL_CLIENT_SECRET: undefined } })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/tokentool login --profile default/)
    expect(r.stderr).toMatch(/--issuer, --client-id and --client-secret \(or set TOKENTOOL_CLIENT_SECRET\)/)
  })

  it('a client without a credential is exit 2 before any request', async () => {
    const before = provider.requests.length
    const r = await runCli(['token', '--issuer', provider.issuer, '--client-id', 'tokentool-basic'], { env: { TOKENTOOL_CLIENT_SECRET: undefined } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--client-secret \(or set TOKENTOOL_CLIENT_SECRET\), --client-key FILE or --client-assertion FILE/)
    expect(provider.requests.length).toBe(before)
  })

  it('-v traces the exchange to stderr with the secret and the token redacted; stdout is the token only', async () => {
    const c = provider.clients.post
    const r = await runCli(['token', '-v', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret, '--client-auth', 'post', ...api])
    expect(r.code).toBe(0)
    const token = r.stdout.trim()
    expect(r.stdout).toBe(`${token}\n`)
    expect(r.stderr).toMatch(/POST .*\/token/)
    expect(r.stderr).not.toContain(c.client_secret)
    expect(r.stderr).not.toContain(token)
  })
})
