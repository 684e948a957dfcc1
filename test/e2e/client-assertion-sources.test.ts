/**
 * `--client-assertion github|file:PATH|env:VAR` against the test provider: the GitHub Actions
 * OIDC token is fetched from a stand-in of GitHub's endpoint (request checked there: the
 * request token, `api-version`, `audience`) and sent as the federated client's assertion; the
 * cached access token answers the next run without asking GitHub again; `-v` shows no
 * replayable assertion; missing variables are one line naming them and the permission;
 * `file:PATH` is re-read on every run and an expired one is refused before it is sent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { ciClients, ciIssuer, FEDERATED_CLIENT_ID, type CiIssuer } from './provider-jwt-bearer.js'
import { startGithubOidcServer, type GithubOidcServer } from './github-oidc-server.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

let provider: TestProvider
let ci: CiIssuer
let gh: GithubOidcServer
let dir: string

beforeAll(async () => {
  ci = await ciIssuer()
  provider = await startProvider({ extraClients: ciClients(ci) })
  // the provider's private_key_jwt check wants iss = sub = client_id; the rest is what GitHub puts in
  gh = await startGithubOidcServer(ci, () => ({ iss: FEDERATED_CLIENT_ID, sub: FEDERATED_CLIENT_ID, repository: 'acme/app', ref: 'refs/heads/main', job_workflow_ref: 'acme/app/.github/workflows/deploy.yml@refs/heads/main' }))
  dir = mkdtempSync(join(tmpdir(), 'tokentool-assertion-'))
})
afterAll(async () => {
  await provider?.stop()
  await gh?.close()
})

const args = () => ['token', '--client-credentials', '--issuer', provider.issuer, '--client-id', FEDERATED_CLIENT_ID, '--resource', API_RESOURCE, '--scope', 'api:read']
const ghEnv = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: gh.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken })
const tokenRequestsSince = (n: number) => provider.requestsTo('/token').filter((r) => provider.requests.indexOf(r) >= n)

describe('--client-assertion github', { timeout: 60_000 }, () => {
  it("fetches the job's OIDC token for --assertion-audience and sends it as the client assertion; the next run is served from the cache", async () => {
    const home = tempHome()
    const before = provider.requests.length
    const ghBefore = gh.requests.length
    const r = await runCli([...args(), '--client-assertion', 'github', '--assertion-audience', provider.issuer], { env: { TOKENTOOL_HOME: home, ...ghEnv() } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/) // the access token, nothing else
    const { payload } = await jwtVerify(r.stdout.trim(), createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
    expect(payload.client_id).toBe(FEDERATED_CLIENT_ID)
    // GitHub's side: the request token as a bearer, api-version kept, the audience asked for
    const asked = gh.requests.slice(ghBefore)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ authorization: `bearer ${gh.requestToken}`, apiVersion: '2.0', audience: provider.issuer })
    // the provider's side: exactly the token GitHub issued
    const sent = tokenRequestsSince(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.params.client_assertion).toBe(asked[0]!.issued)
    expect(decodeJwt(asked[0]!.issued!).aud).toBe(provider.issuer)

    const seen = provider.requests.length
    const again = await runCli([...args(), '--client-assertion', 'github', '--assertion-audience', provider.issuer], { env: { TOKENTOOL_HOME: home, ...ghEnv() } })
    expect(again.stdout).toBe(r.stdout)
    expect(gh.requests.length).toBe(ghBefore + 1) // GitHub not asked again
    expect(provider.requests.length).toBe(seen)
  })

  it('-v traces both requests with neither the request token nor a replayable assertion', async () => {
    const ghBefore = gh.requests.length
    const r = await runCli([...args(), '--client-assertion', 'github', '--assertion-audience', provider.issuer, '-v'], { env: { ...ghEnv() } })
    expect(r.code).toBe(0)
    const issued = gh.requests[ghBefore]!.issued!
    expect(r.stderr).toContain('/idtoken')
    expect(r.stderr).not.toContain(gh.requestToken)
    expect(r.stderr).not.toContain(issued.split('.')[2]) // the signature
    expect(r.stderr).not.toContain(r.stdout.trim().split('.')[2])
  })

  it('without the variables: one line naming them and the permission, no request', async () => {
    const before = provider.requests.length
    const r = await runCli([...args(), '--client-assertion', 'github'], { env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined } })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^tokentool: --client-assertion github needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, which GitHub Actions sets only in a job with "permissions: id-token: write"/)
    expect(tokenRequestsSince(before)).toHaveLength(0)
  })

  it('a request token GitHub refuses: exit 3 with its message and the permission hint; the token it quotes is redacted', async () => {
    const r = await runCli([...args(), '--client-assertion', 'github'], { env: { ...ghEnv(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-token-of-some-length-1234567890' } })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: the GitHub Actions OIDC token endpoint \(http:\/\/127\.0\.0\.1:\d+\) answered HTTP 401: Unauthorized: the request token wrong-…\(37 chars\) is not valid for this job \(.*permissions: id-token: write/)
    expect(r.stderr).not.toContain('wrong-token-of-some-length-1234567890')
  })

  it('--assertion-audience without --client-assertion github is a usage error', async () => {
    const r = await runCli([...args(), '--assertion-audience', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--assertion-audience .* goes with --client-assertion github/)
  })
})

describe('--client-assertion file:PATH and env:VAR', { timeout: 60_000 }, () => {
  const mint = (ttl = 300) => ci.mint({ iss: FEDERATED_CLIENT_ID, sub: FEDERATED_CLIENT_ID, aud: provider.issuer }, ttl)

  it('file:PATH is re-read on every run (a projected token the kubelet rotates)', async () => {
    const path = join(dir, 'token')
    const home = tempHome()
    const first = await mint()
    writeFileSync(path, first)
    const before = provider.requests.length
    const a = await runCli([...args(), '--client-assertion', `file:${path}`, '--force'], { env: { TOKENTOOL_HOME: home } })
    expect(a.code).toBe(0)
    const second = await mint()
    writeFileSync(path, `${second}\n`)
    const b = await runCli([...args(), '--client-assertion', `file:${path}`, '--force'], { env: { TOKENTOOL_HOME: home } })
    expect(b.code).toBe(0)
    expect(tokenRequestsSince(before).map((r) => r.params.client_assertion)).toEqual([first, second])
  })

  it('an expired assertion is refused before it is sent (exit 1); a cached token does not need it', async () => {
    const path = join(dir, 'expired')
    const home = tempHome()
    writeFileSync(path, await mint())
    expect((await runCli([...args(), '--client-assertion', `file:${path}`], { env: { TOKENTOOL_HOME: home } })).code).toBe(0)
    writeFileSync(path, await mint(-60))
    const before = provider.requests.length
    const cached = await runCli([...args(), '--client-assertion', `file:${path}`], { env: { TOKENTOOL_HOME: home } })
    expect(cached.code).toBe(0)
    const forced = await runCli([...args(), '--client-assertion', `file:${path}`, '--force'], { env: { TOKENTOOL_HOME: home } })
    expect(forced.code).toBe(1)
    expect(forced.stderr).toMatch(/^tokentool: --client-assertion expired \d+s ago/)
    expect(tokenRequestsSince(before)).toHaveLength(0)
  })

  it('env:VAR (a GitLab id_tokens variable)', async () => {
    const jwt = await mint()
    const before = provider.requests.length
    const r = await runCli([...args(), '--client-assertion', 'env:GITLAB_OIDC_TOKEN'], { env: { GITLAB_OIDC_TOKEN: jwt } })
    expect(r.code).toBe(0)
    expect(tokenRequestsSince(before)[0]!.params.client_assertion).toBe(jwt)
  })
})
