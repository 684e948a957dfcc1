/** `tokentool verify --issuer` against real JWT access tokens from the oidc-provider fixture. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { apiAccessToken } from './provider-tokens.js'

let op: TestProvider
let accessToken: string
beforeAll(async () => {
  op = await startProvider()
  // client credentials for the API resource: an RS256 `at+jwt` access token (RFC 9068)
  accessToken = await apiAccessToken(op)
})
afterAll(async () => {
  await op?.stop()
})

describe('tokentool verify --issuer', () => {
  it('verifies a JWT access token from the issuer (discovery → jwks_uri) → exit 0', async () => {
    const r = await runCli(['verify', '--issuer', op.issuer, '--aud', API_RESOURCE], { input: accessToken })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('VALID')
    // the key really came from the provider's JWKS
    expect(op.requestsTo('/jwks').length).toBeGreaterThan(0)
  })

  it('--json reports every check, and --typ at+jwt passes', async () => {
    const r = await runCli(['--json', 'verify', '--issuer', op.issuer, '--aud', API_RESOURCE, '--typ', 'at+jwt', '--scope', 'api:read', accessToken])
    expect(r.code).toBe(0)
    const v = JSON.parse(r.stdout) as { valid: boolean; checks: { name: string; ok: boolean }[]; payload: Record<string, unknown> }
    expect(v.valid).toBe(true)
    expect(v.checks.every((c) => c.ok)).toBe(true)
    expect(v.payload).toMatchObject({ iss: op.issuer, aud: API_RESOURCE, client_id: op.clients.basic.client_id })
  })

  it('a wrong --aud → exit 1 with the audience check failing', async () => {
    const r = await runCli(['--json', 'verify', '--issuer', op.issuer, '--aud', 'https://other-api.example.test', accessToken])
    expect(r.code).toBe(1)
    const v = JSON.parse(r.stdout) as { valid: boolean; checks: { name: string; ok: boolean; detail: string }[] }
    expect(v.valid).toBe(false)
    const failed = v.checks.filter((c) => !c.ok)
    expect(failed.map((c) => c.name)).toEqual([expect.stringMatching(/aud/)])
    expect(failed[0]!.detail).toContain(API_RESOURCE)
  })

  it('a token checked against another issuer (other keys, other iss) → exit 1', async () => {
    const other = await startProvider()
    try {
      const r = await runCli(['verify', '--issuer', other.issuer, '--aud', API_RESOURCE, accessToken])
      expect(r.code).toBe(1)
      expect(r.stdout).toContain('INVALID')
    } finally {
      await other.stop()
    }
  })

  it('-v traces discovery and the JWKS fetch without printing the token signature', async () => {
    const r = await runCli(['-v', 'verify', '--issuer', op.issuer, '--aud', API_RESOURCE, accessToken])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`> GET ${op.issuer}/.well-known/openid-configuration`)
    expect(r.stderr).toContain(`> GET ${op.issuer}/jwks`)
    expect(r.stderr).not.toContain(accessToken.split('.')[2])
  })
})
