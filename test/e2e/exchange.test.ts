/**
 * `tokentool exchange` against the real provider's RFC 8693 grant (test/e2e/provider-token-exchange.ts),
 * as the confidential client: the profile's JWT access token for the API traded for one for the
 * downstream API (scope narrowed, audience changed, shorter life), with an actor token (act added),
 * an ID token from stdin without a profile, and the failures: widened scope (exit 4), bad token
 * type (exit 2), unreachable server (exit 3).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_RESOURCE, DOWNSTREAM_RESOURCE, startProvider, TOKEN_EXCHANGE_GRANT, type TestProvider } from './provider.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

const TT = 'urn:ietf:params:oauth:token-type:'

let provider: TestProvider
let home: string
beforeAll(async () => {
  provider = await startProvider()
  const basic = provider.clients.basic
  const r = await loginWithBrowserless(provider, [
    '--client-id', basic.client_id, '--client-secret', basic.client_secret,
    '--scope', 'openid offline_access api:read api:write', '--resource', API_RESOURCE,
  ])
  expect(r.code).toBe(0)
  home = r.home
})
afterAll(async () => {
  await provider?.stop()
})

const stored = (h: string) => JSON.parse(readFileSync(join(h, 'tokens', 'default.json'), 'utf8'))
const profileAccessToken = (h: string): string => (Object.values(stored(h).accessTokens)[0] as { accessToken: string }).accessToken
const exchangeRequests = () => provider.requestsTo('/token').filter((r) => r.grantType === TOKEN_EXCHANGE_GRANT)

/** A client credentials JWT of another client, to act for the user. */
async function serviceToken(): Promise<string> {
  const post = provider.clients.post
  const res = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: post.client_id, client_secret: post.client_secret, resource: API_RESOURCE, scope: 'api:read' }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { access_token: string }).access_token
}

describe('exchange', () => {
  it("trades the profile's token for the downstream API: scope narrowed, audience changed, shorter life", async () => {
    const subject = profileAccessToken(home)
    const r = await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ issued_token_type: `${TT}access_token`, token_type: 'bearer', scope: 'api:read', actor: null })
    expect(decodeJwt(out.access_token)).toMatchObject({ sub: 'alice', aud: DOWNSTREAM_RESOURCE, scope: 'api:read' })
    expect(out.issued.payload).toMatchObject({ sub: 'alice', aud: DOWNSTREAM_RESOURCE })
    expect(out.subject).toMatchObject({ token_type: `${TT}access_token`, from: 'the access token of profile "default"', payload: { aud: API_RESOURCE } })
    expect(out.diff.scope).toEqual({ before: ['api:read', 'api:write'], after: ['api:read'], removed: ['api:write'], added: [], verdict: 'narrowed' })
    expect(out.diff.audience).toEqual({ before: [API_RESOURCE], after: [DOWNSTREAM_RESOURCE], verdict: 'changed' })
    expect(out.diff.actor.verdict).toBe('none')
    // the downstream API's tokens live 60 s, the subject's 10 min
    expect(out.diff.lifetime.verdict).toBe('shorter')
    expect(out.diff.lifetime.after.lifetime_seconds).toBe(60)
    expect(out.diff.lifetime.expires_delta_seconds).toBeLessThan(0)
    // the issued token is a real one: it verifies against the issuer's keys
    const v = await runCli(['verify', '--issuer', provider.issuer, '--aud', DOWNSTREAM_RESOURCE, '-'], { input: out.access_token })
    expect(v.code).toBe(0)
    expect(r.stdout).not.toContain(subject)

    const sent = exchangeRequests().at(-1)!
    expect(sent.params).toMatchObject({ subject_token: subject, subject_token_type: `${TT}access_token`, resource: DOWNSTREAM_RESOURCE })
    expect(sent.authorization).toBe('Basic')
    expect(sent.status).toBe(200)
  })

  it('shows the differences as a table a person can read', async () => {
    const r = await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--scope', 'api:read'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^✓ Exchanged at http:\/\/127\.0\.0\.1:\d+\/token \(RFC 8693 token exchange\)/)
    expect(r.stdout).toContain('• scope narrowed: api:write dropped, api:read kept')
    expect(r.stdout).toContain(`• audience changed: ${API_RESOURCE} → ${DOWNSTREAM_RESOURCE}`)
    expect(r.stdout).toMatch(/• expires \d+m\d*s? before the subject token/)
    expect(r.stdout).toMatch(/^ {2}scope\s+api:read api:write → api:read$/m)
    expect(r.stdout).toMatch(/^ {2}aud\s+https:\/\/api\.example\.test → https:\/\/downstream\.example\.test$/m)
    expect(r.stdout).toMatch(/^ {2}sub\s+alice$/m)
    // the issued token itself only on request
    const issued = JSON.parse((await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: home } })).stdout).access_token as string
    expect(r.stdout).not.toMatch(/eyJ[\w-]+\.eyJ/)
    expect(issued).toMatch(/^eyJ/)
  })

  it('with an actor token: act names the acting service (delegation)', async () => {
    const actor = await serviceToken()
    const dir = tempHome()
    writeFileSync(join(dir, 'actor.jwt'), actor + '\n')
    const r = await runCli(['exchange', '--resource', API_RESOURCE, '--scope', 'api:read', '--actor-token', `@${join(dir, 'actor.jwt')}`, '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.issued.payload).toMatchObject({ sub: 'alice', aud: API_RESOURCE, scope: 'api:read', act: { sub: provider.clients.post.client_id } })
    expect(out.diff.actor).toMatchObject({ verdict: 'added', chain: [provider.clients.post.client_id] })
    expect(out.diff.summary).toContain(`act added: ${provider.clients.post.client_id} acts for alice (delegation)`)
    expect(out.actor).toMatchObject({ token_type: `${TT}access_token`, payload: { sub: provider.clients.post.client_id } })
    expect(exchangeRequests().at(-1)!.params).toMatchObject({ actor_token: actor, actor_token_type: `${TT}access_token` })

    const human = await runCli(['exchange', '--resource', API_RESOURCE, '--actor-token', actor], { env: { TOKENTOOL_HOME: home } })
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^ {2}act\s+\+ \{"sub":"tokentool-post"\}/m)
    expect(human.stdout).not.toContain(actor)
  })

  it('takes the subject token from stdin with a short type name, without a profile, secret from env:VAR', async () => {
    const idToken = stored(home).idToken.value as string
    const basic = provider.clients.basic
    const r = await runCli(
      ['exchange', '--issuer', provider.issuer, '--client-id', basic.client_id, '--client-secret', 'env:BASIC_SECRET', '--subject-token', '-', '--subject-token-type', 'id_token', '--raw'],
      { input: `Bearer ${idToken}\n`, env: { BASIC_SECRET: basic.client_secret } },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toBe('')
    expect(exchangeRequests().at(-1)!.params).toMatchObject({ subject_token: idToken, subject_token_type: `${TT}id_token` })
    expect(exchangeRequests().at(-1)!.params.scope).toBeUndefined()
  })

  it('opaque tokens: their claims for the diff come from introspection (unless --no-introspect)', async () => {
    const basic = provider.clients.basic
    const r0 = await loginWithBrowserless(provider, ['--client-id', basic.client_id, '--client-secret', basic.client_secret, '--scope', 'openid offline_access profile email'], { browser: { login: 'bob' } })
    expect(r0.code).toBe(0)
    const env = { TOKENTOOL_HOME: r0.home }
    const before = provider.requestsTo('/token/introspection').length
    const r = await runCli(['exchange', '--audience', 'orders', '--scope', 'openid email', '--json'], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.issued).toMatchObject({ kind: 'opaque', payload: null, claims_source: 'introspection' })
    expect(out.subject).toMatchObject({ kind: 'opaque', claims_source: 'introspection' })
    expect(out.diff.scope).toMatchObject({ verdict: 'narrowed', removed: ['offline_access', 'profile'], after: ['openid', 'email'] })
    expect(out.diff.audience).toEqual({ before: [], after: ['orders'], verdict: 'changed' })
    expect(out.diff.claims).toContainEqual({ claim: 'sub', status: 'same', before: 'bob', after: 'bob' })
    expect(exchangeRequests().at(-1)!.params).toMatchObject({ audience: 'orders', scope: 'openid email' })
    expect(provider.requestsTo('/token/introspection').length).toBe(before + 2)

    const quiet = await runCli(['exchange', '--audience', 'orders', '--no-introspect', '--json'], { env })
    expect(quiet.code).toBe(0)
    const q = JSON.parse(quiet.stdout)
    expect(q.subject.claims_source).toBe('none')
    expect(q.diff.scope.verdict).toBe('unknown')
    expect(provider.requestsTo('/token/introspection').length).toBe(before + 2)
  })

  it('an expired stored access token is refreshed first (and the new one stored)', async () => {
    const file = join(home, 'tokens', 'default.json')
    const t = stored(home)
    const old = profileAccessToken(home)
    for (const e of Object.values(t.accessTokens) as { expiresAt: number }[]) e.expiresAt = Math.floor(Date.now() / 1000) - 5
    writeFileSync(file, JSON.stringify(t))
    const refreshes = provider.requestsTo('/token').filter((x) => x.grantType === 'refresh_token').length
    const r = await runCli(['exchange', '--resource', DOWNSTREAM_RESOURCE, '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).subject.from).toBe('the access token of profile "default" (refreshed)')
    expect(provider.requestsTo('/token').filter((x) => x.grantType === 'refresh_token').length).toBe(refreshes + 1)
    const now = profileAccessToken(home)
    expect(now).not.toBe(old)
    expect(exchangeRequests().at(-1)!.params.subject_token).toBe(now)
  })

  it('an ID token sent with the default type: a note on stderr names the flag', async () => {
    const idToken = stored(home).idToken.value as string
    const r = await runCli(['exchange', '--subject-token', idToken, '--raw'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toContain('tokentool: note: the subject token looks like an ID token but is sent as an access_token; if the server refuses it, add --subject-token-type id_token')
    expect(exchangeRequests().at(-1)!.params.subject_token_type).toBe(`${TT}access_token`)
  })

  it('a scope wider than the subject token is the server saying no: exit 4 with error and description', async () => {
    const r = await runCli(['exchange', '--scope', 'api:read openid profile'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: invalid_scope: requested scope exceeds the subject token/m)
    expect(r.stderr).not.toContain(profileAccessToken(home))
  })

  it('an unknown token type is a usage error (exit 2) naming the accepted ones', async () => {
    const r = await runCli(['exchange', '--subject-token', 'abc', '--subject-token-type', 'bearer'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--subject-token-type: unknown token type "bearer" \(use one of access_token, refresh_token, id_token, jwt, saml1, saml2/)
    expect(exchangeRequests().at(-1)?.params.subject_token).not.toBe('abc')
  })

  it('an unreachable server is a network failure (exit 3)', async () => {
    const r = await runCli(['exchange', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--subject-token', 'abc'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^tokentool: .*127\.0\.0\.1:9/m)
  })

  it('-v traces the request with subject and actor tokens redacted', async () => {
    const actor = await serviceToken()
    const r = await runCli(['-v', 'exchange', '--resource', API_RESOURCE, '--actor-token', actor, '--raw'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/subject_token=/)
    expect(r.stderr).not.toContain(profileAccessToken(home))
    expect(r.stderr).not.toContain(actor)
    expect(r.stderr).not.toContain(provider.clients.basic.client_secret)
  })
})
