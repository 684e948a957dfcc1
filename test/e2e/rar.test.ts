/**
 * RFC 9396 rich authorization requests against the real provider (`richAuthorizationRequests`
 * with a `payment_initiation` type): `token --authorization-details` sends them, the provider
 * grants them (its token response and the JWT access token carry them), `decode` lists them,
 * the cache keys them, and details that are not an array of typed objects are exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDeepStrictEqual } from 'node:util'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { errors } from 'oidc-provider'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'

let provider: TestProvider
const DETAILS = [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' }, creditorName: 'Merchant A' }]

beforeAll(async () => {
  provider = await startProvider({
    configure: (c) => {
      ;(c.features as Record<string, unknown>).richAuthorizationRequests = {
        enabled: true,
        types: { payment_initiation: { validate: () => {} } },
        // server policy: an authorization code carries what the user consented to (the grant's details)
        authorizationDetailsForGrantSource: (ctx: any) => ctx.oidc.grant?.rar ?? [],
        // an access token: for a grant source (code, refresh token), what it carries, or the part
        // of it the client asked for again at the token endpoint (RFC 9396 §6.2: never more);
        // for client credentials, what the client asked for
        authorizationDetailsForAccessToken: (ctx: any, _token: unknown, source: { rar?: unknown[] } | undefined) => {
          const asked = ctx.oidc.params.authorization_details !== undefined ? (JSON.parse(ctx.oidc.params.authorization_details) as unknown[]) : undefined
          if (!source) return asked ?? []
          const granted = source.rar ?? []
          if (asked === undefined) return granted
          const more = asked.find((d) => !granted.some((g) => isDeepStrictEqual(g, d)))
          if (more) throw new errors.InvalidAuthorizationDetails('authorization details not granted to this refresh token were requested')
          return asked
        },
      }
      // these clients may ask for payment_initiation (RFC 9396 §10 authorization_details_types)
      for (const client of c.clients as Record<string, unknown>[]) if (client.client_id === 'tokentool-basic' || client.client_id === 'tokentool-native') client.authorization_details_types = ['payment_initiation']
    },
  })
})
afterAll(async () => {
  await provider?.stop()
})

const cc = () => {
  const c = provider.clients.basic
  return ['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret, '--resource', API_RESOURCE, '--scope', 'api:read']
}

describe('rich authorization requests', { timeout: 60_000 }, () => {
  it('token --authorization-details: sent, granted, listed by decode, and part of the cache key', async () => {
    const home = tempHome()
    const before = provider.requests.length
    const r = await runCli(['--json', ...cc(), '--authorization-details', JSON.stringify(DETAILS)], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const sent = provider.requests.slice(before).find((x) => x.path === '/token')!
    expect(JSON.parse(sent.params.authorization_details as string)).toEqual(DETAILS)
    const out = JSON.parse(r.stdout) as { access_token: string; authorization_details?: unknown }
    expect(out.authorization_details).toEqual(DETAILS)
    expect(decodeJwt(out.access_token).authorization_details).toEqual(DETAILS)

    const d = await runCli(['decode', out.access_token])
    expect(d.stdout).toMatch(/Authorization details \(RFC 9396\)/)
    expect(d.stdout.replace(/\s+/g, ' ')).toMatch(/\[0\] payment_initiation: instructedAmount=\{"currency":"EUR","amount":"12.00"\}, creditorName=Merchant A/)

    // other details, another token; the same details, the cached one
    const seen = provider.requests.length
    const same = await runCli([...cc(), '--authorization-details', JSON.stringify(DETAILS)], { env: { TOKENTOOL_HOME: home } })
    expect(same.stdout.trim()).toBe(out.access_token)
    expect(provider.requests.length).toBe(seen)
    const plain = await runCli(cc(), { env: { TOKENTOOL_HOME: home } })
    expect(plain.stdout.trim()).not.toBe(out.access_token)
  })

  it('details the server does not know: exit 4 with its error; malformed details: exit 2 before any request', async () => {
    const r = await runCli([...cc(), '--authorization-details', '[{"type":"account_information"}]'])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/invalid_authorization_details/)
    const before = provider.requests.length
    for (const bad of ['{not json', '[]', '[{"actions":["read"]}]', '[1]']) {
      const b = await runCli([...cc(), '--authorization-details', bad])
      expect(b.code).toBe(2)
      expect(b.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(provider.requests.length).toBe(before)
  })
})

describe('rich authorization requests through login and refresh', { timeout: 90_000 }, () => {
  const TWO = [...DETAILS, { type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '3.50' }, creditorName: 'Merchant B' }]

  it('login --authorization-details: consented, granted in the token response and the access token, shown; refresh keeps them, or narrows to some of them', async () => {
    const before = provider.requests.length
    const r = await loginWithBrowserless(provider, ['--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--authorization-details', JSON.stringify(TWO), '--json'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const home = r.home
    // sent on the authorization request; the provider asked for consent to them (its rar check)
    expect(JSON.parse(r.authorizationUrl.searchParams.get('authorization_details')!)).toEqual(TWO)
    expect(JSON.parse(provider.requests.slice(before).find((x) => x.path === '/auth')!.params.authorization_details as string)).toEqual(TWO)
    const login = JSON.parse(r.stdout) as { access_token: string; authorization_details?: unknown }
    expect(login.authorization_details).toEqual(TWO)
    expect(decodeJwt(login.access_token).authorization_details).toEqual(TWO)
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).profiles.default.authorizationDetails).toBe(JSON.stringify(TWO))

    // decode lists them one per line
    const d = await runCli(['decode', login.access_token])
    expect(d.stdout).toMatch(/Authorization details \(RFC 9396\)/)
    expect(d.stdout.replace(/\s+/g, ' ')).toMatch(/\[1\] payment_initiation: instructedAmount=\{"currency":"EUR","amount":"3.50"\}, creditorName=Merchant B/)

    // token: the login's token from the cache (the details are part of its key)
    const seen = provider.requests.length
    const t = await runCli(['token'], { env: { TOKENTOOL_HOME: home } })
    expect(t.stdout.trim()).toBe(login.access_token)
    expect(provider.requests.length).toBe(seen)

    // refresh without the flag: the refresh token carries the grant's details; the new token has them all
    const ref = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(ref.stderr).toBe('')
    expect(ref.code).toBe(0)
    expect(ref.stdout).toMatch(/authorization +\[0\] payment_initiation: instructedAmount=\{"currency":"EUR","amount":"12.00"\}, creditorName=Merchant A\n +\[1\] payment_initiation: .*Merchant B/)
    const sent = provider.requests.slice(seen).find((x) => x.path === '/token')!
    expect(sent).toMatchObject({ grantType: 'refresh_token', status: 200 })
    expect(sent.params.authorization_details).toBeUndefined()
    const refreshed = await runCli(['token'], { env: { TOKENTOOL_HOME: home } })
    expect(decodeJwt(refreshed.stdout.trim()).authorization_details).toEqual(TWO)

    // refresh --authorization-details: a part of the grant, asked for at the token endpoint
    const narrow = await runCli(['--json', 'refresh', '--authorization-details', JSON.stringify(DETAILS)], { env: { TOKENTOOL_HOME: home } })
    expect(narrow.stderr).toBe('')
    expect(narrow.code).toBe(0)
    const n = JSON.parse(narrow.stdout) as { access_token: string; authorization_details: unknown }
    expect(n.authorization_details).toEqual(DETAILS)
    expect(decodeJwt(n.access_token).authorization_details).toEqual(DETAILS)

    // more than was granted: the server's refusal, exit 4, one line
    const more = await runCli(['refresh', '--authorization-details', '[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"999.00"}}]'], { env: { TOKENTOOL_HOME: home } })
    expect(more.code).toBe(4)
    expect(more.stderr.trim().split('\n')).toHaveLength(1)
    expect(more.stderr).toMatch(/invalid_authorization_details/)
  })
})
