/**
 * One rule for the names of tokentool's own `--json` fields (issue #19; README "JSON output"):
 * every command's document, run from the built binary as a script runs it, has its own fields in
 * snake_case, with times as unix seconds in `*_at`; protocol and claim objects keep the names
 * they came with; the 0.1 camelCase names listed in the README are still there, each beside its
 * new name with the same value (ISO for the old times), until 0.3. The human views are not
 * touched by any of this.
 */
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_RESOURCE, DOWNSTREAM_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { startResourceServer, type ResourceServer } from './resource-server.js'
import { startProtectedResource, type ProtectedResource } from './protected-resource.js'
import { encrypt } from '../helpers/jwt-fixtures.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { DEPRECATED_ALIASES, expectJsonStyle } from '../helpers/json-style.js'

let provider: TestProvider
let api: ResourceServer
let mcp: ProtectedResource
/** Signed in with the confidential client, `openid offline_access email`: opaque access tokens (introspect, revoke, userinfo). */
let home: string
/** Signed in for the API: a JWT access token (call, exchange). */
let apiHome: string
let loginDoc: Record<string, unknown>
const dir = mkdtempSync(join(tmpdir(), 'tokentool-json-style-'))
const seen = new Set<string>()

beforeAll(async () => {
  provider = await startProvider()
  api = await startResourceServer(provider.issuer)
  mcp = await startProtectedResource(provider.issuer)
  const basic = provider.clients.basic
  const client = ['--client-id', basic.client_id, '--client-secret', basic.client_secret]
  const [a, b] = await Promise.all([
    loginWithBrowserless(provider, [...client, '--scope', 'openid offline_access email', '--json'], { browser: { login: 'jane' } }),
    loginWithBrowserless(provider, [...client, '--scope', 'openid offline_access api:read api:write', '--resource', API_RESOURCE], { browser: { login: 'jim' } }),
  ])
  expect(a.code).toBe(0)
  expect(b.code).toBe(0)
  home = a.home
  apiHome = b.home
  loginDoc = JSON.parse(a.stdout) as Record<string, unknown>
}, 90_000)
afterAll(async () => {
  await api?.close()
  await mcp?.close()
  await provider?.stop()
})

/** One `--json` document of a run that should succeed (or, given `code`, fail with it), checked by the rule. */
function document(r: CliResult, what: string, code = 0): Record<string, unknown> {
  if (code === 0) expect(r.stderr.split('\n').filter((l) => l.startsWith('tokentool: ') && !l.startsWith('tokentool: warning:')), what).toEqual([])
  expect(r.code, `${what}: ${r.stderr}`).toBe(code)
  return checked(JSON.parse(r.stdout), what)
}

function checked(doc: unknown, what: string): Record<string, unknown> {
  for (const a of expectJsonStyle(doc, what)) seen.add(a)
  return doc as Record<string, unknown>
}

const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const SECRET = 'a-test-secret-of-at-least-32-bytes!!'

describe('--json field names: every command', { timeout: 90_000 }, () => {
  it('login, refresh, token, exchange: the token response names, expires_at in unix seconds', async () => {
    expectJsonStyle(loginDoc, 'login')
    expect(typeof loginDoc.expires_at).toBe('number')
    const env = { TOKENTOOL_HOME: home }
    const refreshed = document(await runCli(['refresh', '--json'], { env }), 'refresh')
    expect(typeof refreshed.expires_at).toBe('number')
    document(await runCli(['token', '--json'], { env }), 'token (cached)')
    document(await runCli(['token', '--force', '--json'], { env }), 'token (refreshed)')
    const basic = provider.clients.basic
    document(await runCli(['token', '--client-credentials', '--issuer', provider.issuer, '--client-id', basic.client_id, '--client-secret', basic.client_secret, '--resource', API_RESOURCE, '--scope', 'api:read', '--json']), 'token --client-credentials')
    const ex = document(await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: apiHome } }), 'exchange')
    expect(typeof ex.expires_at).toBe('number')
  })

  it('introspect (RFC 7662 names kept), userinfo, revoke', async () => {
    const env = { TOKENTOOL_HOME: home }
    const i = document(await runCli(['introspect', '--json'], { env }), 'introspect')
    expect(i.response).toMatchObject({ active: true, client_id: provider.clients.basic.client_id, token_type: 'Bearer' })
    document(await runCli(['userinfo', '--json'], { env }), 'userinfo')
    document(await runCli(['revoke', '--json'], { env }), 'revoke')
  })

  it('discover, discover --resource', async () => {
    const d = document(await runCli(['discover', '--issuer', provider.issuer, '--json']), 'discover')
    const r = document(await runCli(['--json', 'discover', '--resource', mcp.resource]), 'discover --resource')
    expect(r).toMatchObject({ metadata_url: expect.stringContaining('/.well-known/oauth-protected-resource'), metadataUrl: r.metadata_url })
    expect(d).toMatchObject({ discovery_url: expect.any(String), discoveryUrl: d.discovery_url })
    expect(d.metadata).toMatchObject({ issuer: provider.issuer, token_endpoint: expect.any(String) })
  })

  it('call (and call --explain on a refusal)', async () => {
    const env = { TOKENTOOL_HOME: apiHome }
    document(await runCli(['call', `${api.url}/me`, '--json'], { env }), 'call')
    api.setMode({ kind: 'invalid-token', description: 'The token expired at 2020' })
    try {
      const doc = document(await runCli(['call', `${api.url}/me`, '--explain', '--json'], { env }), 'call --explain', 1)
      expect(doc).toMatchObject({ status: 401, status_text: expect.any(String), body_encoding: 'utf8' })
    } finally {
      api.setMode({ kind: 'normal' })
    }
  })

  it('status and profiles: times as unix seconds in *_at, the 0.1 ISO text under the old names', async () => {
    const env = { TOKENTOOL_HOME: apiHome }
    const st = document(await runCli(['status', '--json'], { env }), 'status')
    const p = (st.profiles as Record<string, any>[])[0]!
    expect(typeof p.access_token.expires_at).toBe('number')
    expect(p.accessToken.expiresAt).toBe(new Date(p.access_token.expires_at * 1000).toISOString().replace('.000Z', 'Z'))
    expect(p.client_id).toBe(provider.clients.basic.client_id)

    const list = document(await runCli(['profiles', 'list', '--json'], { env }), 'profiles list')
    const item = (list.profiles as Record<string, any>[])[0]!
    expect(item).toMatchObject({ client_id: provider.clients.basic.client_id, has_tokens: true, has_refresh_token: true, access_token_expires_at: expect.any(Number) })
    expect(Date.parse(item.accessTokenExpiresAt) / 1000).toBe(item.access_token_expires_at)
    const show = document(await runCli(['profiles', 'show', '--json'], { env }), 'profiles show')
    expect((show.tokens as any).access_tokens[0]).toMatchObject({ cache_key: expect.any(String), token_type: expect.any(String), expires_at: expect.any(Number), obtained_at: expect.any(Number) })
    expect((show.settings as any).client_id).toBe(provider.clients.basic.client_id)
    // every setting a profile can hold, as config.json has them
    const seeded = seededHome()
    const all = document(await runCli(['profiles', 'show', 'every', '--json'], { env: { TOKENTOOL_HOME: seeded } }), 'profiles show (every setting)')
    expect(all.settings).toMatchObject({ client_auth: 'private_key_jwt', client_key: '/keys/k.pem', client_assertion_audience: 'token-endpoint', git_hosts: ['git.example'], dpop_key: '/keys/dpop.json', params: { someParam: 'x' }, headers: { 'X-Trace': '1' } })
    document(await runCli(['profiles', 'show', 'lit', '--json'], { env: { TOKENTOOL_HOME: seeded } }), 'profiles show (literal secret)')
    document(await runCli(['status', '--json', '--profile', 'every'], { env: { TOKENTOOL_HOME: seeded } }), 'status (every setting)', 4)
  })

  it('logout, profiles remove', async () => {
    const other = await loginWithBrowserless(provider, ['--profile', 'gone', '--scope', 'openid offline_access'], { home: tempHome(), browser: { login: 'kim' } })
    expect(other.code).toBe(0)
    const env = { TOKENTOOL_HOME: other.home }
    const out = document(await runCli(['--profile', 'gone', 'logout', '--keep-config', '--json'], { env }), 'logout')
    expect(out).toMatchObject({ revoked: { refresh_token: true, access_tokens: 1, refreshToken: true, accessTokens: 1 } })
    document(await runCli(['profiles', 'remove', 'gone', '--json'], { env }), 'profiles remove')
  })

  it('decode (JWT, cnf-bound, DPoP proof, SD-JWT, JWE, opaque), verify, verify --batch, sign, keygen, dpop proof', async () => {
    const key = file('dpop.json', (await runCli(['keygen', '--alg', 'ES256'])).stdout)
    const proof = document(await runCli(['--json', 'dpop', 'proof', '--url', 'https://api.example/x', '--dpop-key', key]), 'dpop proof')
    const signed = document(await runCli(['--json', 'sign', '--secret', SECRET, '--claim', `cnf={"jkt":"${String(proof.jkt)}"}`, '--claim', 'someClaim={"camelInside":1}', '--exp', '1h']), 'sign')
    const token = String(signed.token)
    const d = document(await runCli(['--json', 'decode', token, '--dpop-key', key]), 'decode')
    // a claim's own name is the token's, not tokentool's
    expect(d.payload).toMatchObject({ someClaim: { camelInside: 1 } })
    expect(d).toMatchObject({ binding_check: { matches: true }, kind_info: d.kindInfo })
    document(await runCli(['--json', 'decode', String(proof.proof), '--access-token', token]), 'decode of a DPoP proof')
    document(await runCli(['--json', 'decode', 'opaque-token-value-0123456789']), 'decode of an opaque token')
    document(await runCli(['--json', 'decode', sdJwt()]), 'decode of an SD-JWT')
    const jwk = JSON.parse((await runCli(['keygen', '--alg', 'ES256'])).stdout) as Record<string, unknown>
    expectJsonStyle(jwk, 'keygen')
    expectJsonStyle(JSON.parse((await runCli(['keygen', '--alg', 'ES256', '--jwks', '--out', join(dir, 'k2.json')])).stdout), 'keygen --jwks')
    const jwe = await encrypt(JSON.stringify({ sub: 'x', exp: 4_102_444_800 }))
    document(await runCli(['--json', 'decode', jwe.jwe]), 'decode of a JWE')
    document(await runCli(['--json', 'decode', sdJwt(true)]), 'decode of an SD-JWT with key binding')

    document(await runCli(['--json', 'verify', '--secret', SECRET, token]), 'verify')
    const batch = await runCli(['--json', 'verify', '--batch', '--secret', SECRET], { input: `${token}\nnot-a-token\n` })
    expect(batch.code).toBe(1)
    const lines = batch.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)
    expect(lines).toHaveLength(2)
    lines.forEach((l, n) => expectJsonStyle(l, `verify --batch line ${n + 1}`))
  })

  it('cae decode, explain, simulate', async () => {
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}').toString('base64')
    document(await runCli(['--json', 'cae', 'decode', `Bearer realm="", error="insufficient_claims", claims="${claims}"`]), 'cae decode')
    document(await runCli(['--json', 'cae', 'decode'], { input: `HTTP/1.1 401 Unauthorized\r\nDPoP-Nonce: n-2\r\nWWW-Authenticate: DPoP error="use_dpop_nonce"\r\n\r\n` }), 'cae decode of a response with DPoP-Nonce')
    const token = (await runCli(['sign', '--secret', SECRET, '--exp', '1h', '--aud', 'https://api.example'])).stdout.trim()
    const response = file('response.txt', ['HTTP/1.1 401 Unauthorized', 'Date: Tue, 01 Dec 2026 10:00:00 GMT', 'DPoP-Nonce: n-1', 'WWW-Authenticate: Bearer error="invalid_token", error_description="The audience is invalid"', '', ''].join('\r\n'))
    const ex = document(await runCli(['--json', 'explain', token, '--response', response]), 'explain')
    expect((ex.clock as any).server_date).toBe((ex.clock as any).serverDate)
    const sim = document(await runCli(['--json', 'simulate', '--preset', 'e-government', '--revoke-at', '2h', '--cae']), 'simulate')
    expect(sim.tokens_issued).toBe(sim.tokensIssued)
    expect(sim.session_end).toEqual(sim.sessionEnd)
  })

  it('the --json error document: exit_code, with exitCode until 0.3', async () => {
    for (const [args, code] of [[['--json', 'decode', 'eyJ.not-json.x'], 2], [['--json', 'profiles', 'show', 'nobody'], 2], [['token', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--client-secret', 'y', '--client-credentials', '--json'], 3]] as const) {
      const r = await runCli([...args])
      expect(r.code).toBe(code)
      const doc = checked(JSON.parse(r.stdout), args.join(' ')) as { error: Record<string, unknown> }
      expect(doc.error).toEqual({ code: expect.stringMatching(/^ERR_/), message: expect.any(String), hint: doc.error.hint ?? null, exit_code: code, exitCode: code })
    }
  })

  it('every alias in the list was seen in some document (the list is not stale)', () => {
    // call's step-up fields come only from a new sign-in after an RFC 9470 challenge (test/unit/json-fields.test.ts)
    const stepUp = ['steppedUp', 'acrValues', 'maxAge']
    expect([...DEPRECATED_ALIASES].filter((a) => !seen.has(a) && !stepUp.includes(a)).sort()).toEqual([])
  })
})

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url')

/** An SD-JWT (RFC 9901) with one disclosure, and a key-binding JWT when asked; signatures made up (decode does not check them). */
function sdJwt(keyBinding = false): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const disclosure = b64(['salt-1', 'given_name', 'Erika'])
  const jwt = `${b64({ alg: 'ES256', typ: 'dc+sd-jwt' })}.${b64({ iss: 'https://issuer.example', _sd_alg: 'sha-256', _sd: [sha256(disclosure)] })}.c2ln`
  const presented = `${jwt}~${disclosure}~`
  if (!keyBinding) return presented
  return `${presented}${b64({ alg: 'ES256', typ: 'kb+jwt' })}.${b64({ iat: 1_700_000_000, aud: 'https://verifier.example', nonce: 'n', sd_hash: sha256(presented) })}.c2ln`
}

/** A store with a profile holding every setting there is, and one with a literal secret, written as config.json has them. */
function seededHome(): string {
  const h = tempHome()
  mkdirSync(join(h, 'tokens'), { recursive: true, mode: 0o700 })
  chmodSync(h, 0o700)
  const write = (f: string, v: unknown) => writeFileSync(join(h, f), JSON.stringify(v, null, 2), { mode: 0o600 })
  write('config.json', {
    version: 1,
    profiles: {
      every: {
        issuer: 'http://127.0.0.1:9', clientId: 'c', clientAuth: 'private_key_jwt', clientKey: '/keys/k.pem', clientAssertionAudience: 'token-endpoint',
        scope: 'openid', audience: ['a'], resource: ['https://r.example'], redirect: { host: 'localhost', port: 8400, path: '/cb' },
        endpoints: { token_endpoint: 'http://127.0.0.1:9/token' }, params: { someParam: 'x' }, headers: { 'X-Trace': '1' },
        gitHosts: ['git.example'], dpop: true, dpopKey: '/keys/dpop.json',
      },
      lit: { issuer: 'http://127.0.0.1:9', clientId: 'l', clientAuth: 'post' },
    },
  })
  write('secrets.json', { version: 1, clientSecrets: { lit: 'a-literal-client-secret-value' } })
  write('tokens/every.json', {
    version: 1,
    issuer: 'http://127.0.0.1:9',
    clientId: 'c',
    accessTokens: { k: { accessToken: 'opaque-token-0001', tokenType: 'Bearer', expiresAt: 946_684_800, cacheKey: 'k', obtainedAt: 946_681_200 } },
    refreshToken: { value: 'rt-value-0001', obtainedAt: 946_681_200, expiresAt: 946_684_800 },
    idToken: { value: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln', obtainedAt: 946_681_200, expiresAt: 946_684_800 },
  })
  return h
}
