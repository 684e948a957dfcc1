/**
 * `tokentool call` end to end: a profile signed in at the real test provider for the API
 * resource, a real resource server on 127.0.0.1 validating the JWT access tokens against
 * the provider's JWKS, and a revocation event after which the API answers old tokens with a
 * CAE claims challenge. tokentool must answer it with one refresh carrying the claims
 * request (asserted at the provider) and one retry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signedInHome } from '../helpers/login-flow.js'
import { startPty } from '../helpers/pty.js'
import { runCli } from '../helpers/run-cli.js'
import { browserlessLogin } from './browserless-login.js'
import { API_RESOURCE, startProvider, type RequestLogEntry, type TestProvider } from './provider.js'
import { startResourceServer, type ResourceServer } from './resource-server.js'

/**
 * `call <api>/me` in a real terminal, where it may sign in: the sign-in it opens is walked by
 * the browserless driver; the run must exit 0. The terminal's text.
 */
async function callSigningInAtTerminal(home: string): Promise<string> {
  const term = startPty(['call', '--no-open', `${api.url}/me`], { home, cols: 400 })
  try {
    const url = (await term.waitFor(/Open: (\S+)/))[1]!
    await browserlessLogin(url, { deliver: true })
    expect(await term.exited).toBe(0)
  } finally {
    term.kill()
  }
  return term.screen()
}

let provider: TestProvider
let api: ResourceServer
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})
beforeEach(async () => {
  api = await startResourceServer(provider.issuer)
})
afterEach(async () => {
  await api?.close()
})

const API_LOGIN = ['--resource', API_RESOURCE, '--scope', 'openid offline_access api:read']

interface StoredTokens {
  accessTokens: Record<string, { accessToken: string; obtainedAt: number }>
  refreshToken?: { value: string }
}
const storedTokens = (home: string): StoredTokens => JSON.parse(readFileSync(join(home, 'tokens', 'default.json'), 'utf8')) as StoredTokens
const accessTokens = (home: string) => Object.values(storedTokens(home).accessTokens).map((e) => e.accessToken)

const refreshRequests = () => provider.requestsTo('/token').filter((r) => r.grantType === 'refresh_token')

/**
 * The revocation event, then a wait into the next second: the provider's `iat` has second
 * precision, so a token it issues from now on is provably later than the event.
 */
async function revocationEvent(): Promise<number> {
  const at = api.revoke()
  await new Promise((r) => setTimeout(r, (at + 1) * 1000 - Date.now() + 20))
  return at
}

/**
 * `call <api>/me` after a revocation event, for a profile signed in at `home`: it must refresh
 * (once, accepted) and succeed. The refresh requests the provider saw.
 */
async function callRefreshing(home: string): Promise<RequestLogEntry[]> {
  const before = refreshRequests().length
  await revocationEvent()
  const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
  expect(r.stderr).not.toMatch(/invalid_client/)
  expect(r.code).toBe(0)
  const refresh = refreshRequests().slice(before)
  expect(refresh).toHaveLength(1)
  return refresh
}

const nbfClaims = (at: number) => ({ access_token: { nbf: { essential: true, value: String(at) } } })

describe('call', () => {
  it('sends the stored access token and prints the body as received on stdout', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sub: 'alice', method: 'GET', path: '/me' })
    expect(api.requests).toHaveLength(1)
    expect(accessTokens(home)).toContain(api.requests[0]!.token)
  })

  it('answers a claims challenge after a revocation event: one refresh with the claims, one retry, 200', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const before = refreshRequests().length
    const at = await revocationEvent()

    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sub: 'alice' })
    expect(r.stderr).toMatch(/401 insufficient_claims/)
    expect(r.stderr).toMatch(/New access token from a refresh; sending the request again \(once\)/)

    // the API: the old token refused, the new one (issued after the event) accepted
    expect(api.requests.map((q) => [q.status, q.error])).toEqual([[401, 'insufficient_claims'], [200, undefined]])
    expect(api.requests[1]!.iat).toBeGreaterThan(at)
    // the provider: exactly one refresh, carrying the challenge's claims request as sent
    const refreshes = refreshRequests().slice(before)
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]!.claims).toEqual(nbfClaims(at))
    expect(refreshes[0]!.params.resource).toBe(API_RESOURCE)
    expect(decodeJwt(api.requests[1]!.token!)).toMatchObject({ aud: API_RESOURCE })

    // the new token is stored and used by the next call: no challenge, no refresh
    const again = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(again.code).toBe(0)
    expect(api.requests.at(-1)).toMatchObject({ status: 200, token: api.requests[1]!.token })
    expect(refreshRequests().length).toBe(before + 1)
  })

  it('reports a second challenge after the retry, exit 1, and never loops', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const before = refreshRequests().length
    api.setMode({ kind: 'always-challenge' })

    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^tokentool: the API refused the token after one retry with a new token \(not retrying again\): HTTP 401 Unauthorized, insufficient_claims$/m)
    // the second challenge is shown decoded
    expect(r.stderr).toMatch(/Claims request/)
    expect(api.requests).toHaveLength(2)
    expect(refreshRequests().length).toBe(before + 1)
  })

  it('shows a plain invalid_token challenge decoded, exit 1, without a refresh', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const before = refreshRequests().length
    api.setMode({ kind: 'invalid-token', description: 'The access token was revoked' })

    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/error\s+invalid_token/)
    expect(r.stderr).toMatch(/error_description\s+The access token was revoked/)
    expect(r.stderr).toMatch(/^tokentool: the API refused the token: HTTP 401 Unauthorized, invalid_token: The access token was revoked$/m)
    expect(r.stdout).toBe('{"error":"invalid_token"}')
    expect(api.requests).toHaveLength(1)
    expect(refreshRequests().length).toBe(before)
  })

  it('sends -X, -d (text, @file, @-) and -H to the API', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const file = join(home, 'body.json')
    writeFileSync(file, '{\n  "name": "x"\n}\n')

    const post = await runCli(['call', '-X', 'PUT', '-H', 'Content-Type: application/json', '-H', 'X-Trace: abc', '-d', `@${file}`, `${api.url}/items`], { env: { TOKENTOOL_HOME: home } })
    expect(post.code).toBe(0)
    expect(api.requests[0]).toMatchObject({ method: 'PUT', path: '/items', body: '{  "name": "x"}' })
    expect(api.requests[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 'abc' })

    const form = await runCli(['call', '-d', 'a=1', '-d', 'b=2', `${api.url}/form`], { env: { TOKENTOOL_HOME: home } })
    expect(form.code).toBe(0)
    expect(api.requests[1]).toMatchObject({ method: 'POST', body: 'a=1&b=2' })
    expect(api.requests[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded')

    const stdin = await runCli(['call', '--data-binary', '@-', `${api.url}/raw`], { env: { TOKENTOOL_HOME: home }, input: 'line 1\nline 2\n' })
    expect(stdin.code).toBe(0)
    expect(api.requests[2]).toMatchObject({ method: 'POST', body: 'line 1\nline 2\n' })
  })

  it('prints the status line and headers before the body with -i, and the --json document', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const r = await runCli(['call', '-i', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    const [head, body] = r.stdout.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(head).toMatch(/\r\ncontent-type: application\/json\r\n/)
    expect(head).toMatch(/\r\nx-test-api: yes(\r\n|$)/)
    expect(JSON.parse(body!)).toMatchObject({ ok: true })

    await revocationEvent()
    const j = await runCli(['--json', 'call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(j.code).toBe(0)
    const doc = JSON.parse(j.stdout)
    expect(doc).toMatchObject({ status: 200, retried: true, challenge: null, answered: { via: 'refresh', challenge: { params: { error: 'insufficient_claims' } } } })
    expect(JSON.parse(doc.body)).toMatchObject({ ok: true })
    expect(doc.headers['x-test-api']).toBe('yes')
  })

  it('--cae puts xms_cc cp1 into the claims request the provider receives', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const before = refreshRequests().length
    const at = await revocationEvent()
    const r = await runCli(['call', '--cae', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    const refreshes = refreshRequests().slice(before)
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]!.claims).toEqual({ access_token: { ...nbfClaims(at).access_token, xms_cc: { values: ['cp1'] } } })
  })

  it('never shows a bearer token with -v, not even the one obtained by the refresh', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const old = accessTokens(home)
    const rt = storedTokens(home).refreshToken!.value
    await revocationEvent()
    const r = await runCli(['-v', 'call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/> GET http:\/\/127\.0\.0\.1:\d+\/me/)
    expect(r.stderr).toMatch(/authorization: Bearer eyJ[\w-]*\.[\w-]+\.<redacted>/i)
    const seen = [...old, ...accessTokens(home), ...api.requests.map((q) => q.token!), rt, storedTokens(home).refreshToken!.value]
    expect(seen.length).toBeGreaterThanOrEqual(4)
    for (const t of seen) expect(r.stderr).not.toContain(t)
  })

  it('without a refresh token and no terminal, names the login command to run (exit 1)', async () => {
    const home = await signedInHome(provider, ['--resource', API_RESOURCE, '--scope', 'openid api:read'])
    expect(storedTokens(home).refreshToken).toBeUndefined()
    const at = await revocationEvent()
    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(1)
    const login = `tokentool login --claims '${JSON.stringify(nbfClaims(at))}'`
    expect(r.stderr).toContain(login)
    expect(r.stderr).toMatch(/no refresh token/)
    expect(api.requests).toHaveLength(1)
  })

  it('signs in with the claims request in a terminal when refresh cannot, then retries once', async () => {
    const home = await signedInHome(provider, ['--resource', API_RESOURCE, '--scope', 'openid api:read'])
    const at = await revocationEvent()
    const authBefore = provider.requestsTo('/auth').length
    // a real terminal: the sign-in is allowed only there
    const text = await callSigningInAtTerminal(home)
    expect(text).toMatch(/Refresh cannot answer it \(profile "default" has no refresh token\); signing in with the claims request/)
    expect(text).toMatch(/New access token from the sign-in; sending the request again \(once\)/)
    expect(text).toMatch(/"ok":true/)
    // the provider got the claims request in the authorization request, as the API sent it
    const auths = provider.requestsTo('/auth').slice(authBefore)
    expect(auths[0]!.claims).toEqual(nbfClaims(at))
    expect(api.requests.map((q) => q.status)).toEqual([401, 200])
    expect(api.requests[1]!.iat).toBeGreaterThan(at)
  })

  it('a step-up challenge without a terminal: exit 1 naming the login with its acr_values and max_age, no retry', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    api.setMode({ kind: 'step-up', since: Math.floor(Date.now() / 1000) + 5, acrValues: 'urn:mfa', maxAge: 0 })
    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('RFC 9470 step-up')
    expect(r.stderr).toContain('tokentool login --acr-values urn:mfa --max-age 0')
    expect(api.requests).toHaveLength(1)
  })

  it('answers a step-up challenge once in a terminal: a new sign-in with acr_values and max_age, then 200', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    // tokens issued up to now need the step-up; the wait makes the new sign-in's iat provably later
    const since = Math.floor(Date.now() / 1000)
    api.setMode({ kind: 'step-up', since, acrValues: 'urn:mfa', maxAge: 0 })
    await new Promise((r) => setTimeout(r, (since + 1) * 1000 - Date.now() + 20))
    const authBefore = provider.requestsTo('/auth').length
    const text = await callSigningInAtTerminal(home)
    expect(text).toMatch(/it asks for a step-up sign-in \(RFC 9470: acr_values=urn:mfa, max_age=0\)/)
    expect(text).toMatch(/"ok":true/)
    const auths = provider.requestsTo('/auth').slice(authBefore)
    expect(auths[0]!.params).toMatchObject({ acr_values: 'urn:mfa', max_age: '0' })
    expect(api.requests.map((q) => q.status)).toEqual([401, 200])
    expect(api.requests[1]!.iat).toBeGreaterThan(since)
  })

  it('--explain on a refusal: the causes on stderr, and in the --json document', async () => {
    // signed in without the API resource: the provider issues an opaque token the API cannot parse
    const home = await signedInHome(provider, ['--scope', 'openid offline_access'])
    const r = await runCli(['call', '--explain', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/1\. opaque_token \(certain\) an opaque \(reference\) token was sent to an API that\s+validates JWTs/)
    expect(r.stderr).toContain('jose says "Invalid Compact JWS"')
    const j = await runCli(['--json', 'call', '--explain', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    const doc = JSON.parse(j.stdout)
    expect(doc.status).toBe(401)
    expect(doc.explain.causes[0]).toMatchObject({ code: 'opaque_token', confidence: 'certain' })
    // the token that was sent is never in what is shown
    const sent = api.requests[0]!.token!
    expect(r.stderr).not.toContain(sent)
    expect(j.stdout).not.toContain(sent)
  })

  it('refreshes a confidential client with the client authentication saved at login (post)', async () => {
    const { client_id, client_secret } = provider.clients.post
    const home = await signedInHome(provider, ['--client-id', client_id, '--client-secret', client_secret, '--client-auth', 'post', ...API_LOGIN])
    const refresh = await callRefreshing(home)
    expect(refresh[0]).toMatchObject({ status: 200, params: { client_id } })
    expect(refresh[0]!.authorization).toBeUndefined()
  })

  // call's refresh authenticates as `refresh` does (login.ts chosenClientAuth): it once built
  // oauth4webapi's ClientSecretBasic, which sends '-' as %2D (glewlwyd refuses that), and sent
  // no client authentication at all for a private_key_jwt profile
  it('refreshes a confidential client with the client authentication saved at login (basic): the RFC 6749 encoding', async () => {
    const { client_id, client_secret } = provider.clients.basic
    expect(client_secret).toContain('-')
    const home = await signedInHome(provider, ['--client-id', client_id, '--client-secret', client_secret, '--client-auth', 'basic', ...API_LOGIN])
    const refresh = await callRefreshing(home)
    expect(refresh[0]).toMatchObject({ status: 200, authorization: 'Basic', basicCredentials: `${client_id}:${client_secret}` })
    expect(refresh[0]!.params.client_secret).toBeUndefined()
  })

  it('refreshes a private_key_jwt client with the key saved at login: a client assertion, not nothing', async () => {
    const pk = provider.clients.privateKeyJwt
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-call-key-'))
    const keyFile = join(dir, 'client-key.pem')
    writeFileSync(keyFile, pk.privateKeyPem, { mode: 0o600 })
    const home = await signedInHome(provider, ['--client-id', pk.client_id, '--client-auth', 'private_key_jwt', '--client-key', keyFile, ...API_LOGIN])
    const refresh = await callRefreshing(home)
    expect(refresh[0]).toMatchObject({ status: 200, params: { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' } })
    expect(decodeJwt(refresh[0]!.params.client_assertion as string)).toMatchObject({ iss: pk.client_id, sub: pk.client_id })
  })

  it('exits 4 naming the login command when the provider refuses the refresh and there is no terminal', async () => {
    const home = await signedInHome(provider, API_LOGIN)
    const file = join(home, 'tokens', 'default.json')
    const spent = readFileSync(file, 'utf8')
    // rotate, then put the spent refresh token back: the provider sees a replay (invalid_grant)
    expect((await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })).code).toBe(0)
    writeFileSync(file, spent, { mode: 0o600 })
    const at = await revocationEvent()
    const r = await runCli(['call', `${api.url}/me`], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: invalid_grant/m)
    expect(r.stderr).toContain(`no terminal to sign in from: run tokentool login --claims '${JSON.stringify(nbfClaims(at))}'`)
    expect(api.requests).toHaveLength(1)
  })
})
