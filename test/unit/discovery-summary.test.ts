import { describe, expect, it } from 'vitest'
import { summarizeDiscovery, TOKEN_EXCHANGE_GRANT } from '../../src/core/discovery-summary.js'

const now = new Date('2026-01-01T00:00:00Z')
const base = { issuer: 'https://as.example', jwks_uri: 'https://as.example/jwks', code_challenge_methods_supported: ['S256'] }

describe('summarizeDiscovery', () => {
  it('reads the features from the metadata', () => {
    const d = summarizeDiscovery({
      metadata: {
        ...base,
        grant_types_supported: ['authorization_code', TOKEN_EXCHANGE_GRANT],
        introspection_endpoint: 'https://as.example/introspect',
        dpop_signing_alg_values_supported: ['ES256'],
        authorization_response_iss_parameter_supported: true,
      },
      discoveryUrl: 'https://as.example/.well-known/openid-configuration',
      keys: [],
      now,
    })
    expect(d.supports).toMatchObject({ tokenExchange: true, introspection: true, revocation: false, deviceFlow: false, dpop: { supported: true, algs: ['ES256'] }, issParameter: true, grantsAdvertised: true })
    expect(d.warnings).toEqual([])
    expect(d.kind).toBe('openid')
  })

  it('uses the RFC 8414 default grants when none are advertised', () => {
    const d = summarizeDiscovery({ metadata: base, discoveryUrl: 'https://as.example/.well-known/oauth-authorization-server', keys: [], now })
    expect(d.supports.grants).toEqual(['authorization_code', 'implicit'])
    expect(d.supports.grantsAdvertised).toBe(false)
    expect(d.kind).toBe('oauth')
  })

  it('warns about PKCE, a missing jwks_uri, kid-less keys and clock skew', () => {
    const d = summarizeDiscovery({
      metadata: { issuer: 'https://as.example', code_challenge_methods_supported: ['plain'] },
      discoveryUrl: 'u',
      keys: [{ kty: 'RSA', thumbprint: 'a' }, { kty: 'EC', thumbprint: 'b' }],
      serverDate: new Date(now.getTime() + 7 * 60_000),
      now,
    })
    expect(d.clockSkewSeconds).toBe(420)
    expect(d.warnings).toEqual([
      'PKCE S256 is not advertised (only plain); tokentool login always sends S256',
      'no jwks_uri: its tokens cannot be verified with --issuer',
      'the JWKS has several keys and some have no kid: verifiers must try each key',
      "this machine's clock is 7m behind the issuer's (HTTP Date header): tokens may look used before issued",
    ])
  })

  it('stays quiet about a skew within the leeway', () => {
    const d = summarizeDiscovery({ metadata: base, discoveryUrl: 'u', keys: [], serverDate: new Date(now.getTime() - 59_000), now })
    expect(d.warnings).toEqual([])
    expect(d.clockSkewSeconds).toBe(-59)
  })
})

describe('FAPI 2.0 summary', () => {
  it('a server with PAR required, S256, code only, iss, DPoP and private_key_jwt is ready; one without says what is missing', async () => {
    const { fapi2Summary } = await import('../../src/core/fapi.js')
    const ready = fapi2Summary({
      pushed_authorization_request_endpoint: 'https://as.example/par',
      require_pushed_authorization_requests: true,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      authorization_response_iss_parameter_supported: true,
      dpop_signing_alg_values_supported: ['ES256', 'PS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'],
    })
    expect(ready).toMatchObject({ ready: true, missing: [] })
    const plain = fapi2Summary({ response_types_supported: ['code', 'id_token'], token_endpoint_auth_methods_supported: ['client_secret_basic'], code_challenge_methods_supported: ['S256'] })
    expect(plain.ready).toBe(false)
    expect(plain.missing).toEqual(['PAR', 'PAR required', 'response type code only', 'iss in responses', 'sender-constrained tokens', 'client authentication'])
    expect(plain.requirements.find((r) => r.name === 'client authentication')?.detail).toMatch(/only client_secret_basic/)
  })
})
