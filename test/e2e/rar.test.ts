/**
 * RFC 9396 rich authorization requests against the real provider (`richAuthorizationRequests`
 * with a `payment_initiation` type): `token --authorization-details` sends them, the provider
 * grants them (its token response and the JWT access token carry them), `decode` lists them,
 * the cache keys them, and details that are not an array of typed objects are exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

let provider: TestProvider
const DETAILS = [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' }, creditorName: 'Merchant A' }]

beforeAll(async () => {
  provider = await startProvider({
    configure: (c) => {
      ;(c.features as Record<string, unknown>).richAuthorizationRequests = {
        enabled: true,
        types: { payment_initiation: { validate: () => {} } },
        authorizationDetailsForGrantSource: () => [],
        // server policy: grant what the client asked for at the token endpoint
        authorizationDetailsForAccessToken: (ctx: { oidc: { params: { authorization_details?: string } } }) => JSON.parse(ctx.oidc.params.authorization_details ?? '[]'),
      }
      // the basic client may ask for payment_initiation (RFC 9396 §10 authorization_details_types)
      for (const client of c.clients as Record<string, unknown>[]) if (client.client_id === 'tokentool-basic') client.authorization_details_types = ['payment_initiation']
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
