import { describe, expect, it } from 'vitest'
import { InputError, UsageError } from '../../src/errors.js'
import { clientAssertion, CLIENT_ASSERTION_TYPE, signingAlg } from '../../src/oauth/client-auth.js'
import { parseClientAuth } from '../../src/cli/token-request.js'

describe('signingAlg', () => {
  it.each([
    [{ kty: 'RSA' }, 'RS256'],
    [{ kty: 'RSA', alg: 'PS384' }, 'PS384'],
    [{ kty: 'EC', crv: 'P-256' }, 'ES256'],
    [{ kty: 'EC', crv: 'P-384' }, 'ES384'],
    [{ kty: 'EC', crv: 'P-521' }, 'ES512'],
    [{ kty: 'OKP', crv: 'Ed25519' }, 'EdDSA'],
  ])('%j → %s', (jwk, alg) => {
    expect(signingAlg(jwk, '--client-key')).toBe(alg)
  })
  it('refuses keys that cannot sign an assertion, naming the flag', () => {
    expect(() => signingAlg({ kty: 'EC', crv: 'secp256k1' }, '--client-key')).toThrow(InputError)
    expect(() => signingAlg({ kty: 'oct' }, '--client-key')).toThrow(/--client-key: cannot sign/)
  })
})

describe('parseClientAuth', () => {
  it('takes the short names and the metadata names', () => {
    expect(['basic', 'client_secret_basic', 'POST', 'client_secret_post', 'private_key_jwt', 'none'].map(parseClientAuth)).toEqual(['basic', 'basic', 'post', 'post', 'private_key_jwt', 'none'])
  })
  it('takes the RFC 8705 TLS client authentication methods', () => {
    expect(['tls_client_auth', 'Self_Signed_TLS_Client_Auth'].map(parseClientAuth)).toEqual(['tls_client_auth', 'self_signed_tls_client_auth'])
  })
  it('lists the choices for anything else', () => {
    expect(() => parseClientAuth('mtls')).toThrow(UsageError)
    expect(() => parseClientAuth('x')).toThrow(/basic, post, private_key_jwt, none, tls_client_auth, self_signed_tls_client_auth/)
  })
})

describe('clientAssertion', () => {
  it('sends the ready-made JWT as a jwt-bearer client assertion with the client id', () => {
    const body = new URLSearchParams()
    const headers = new Headers()
    clientAssertion('eyJ.x.y')({ issuer: 'https://as' }, { client_id: 'ci' }, body, headers)
    expect(Object.fromEntries(body)).toEqual({ client_id: 'ci', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: 'eyJ.x.y' })
    expect([...headers.keys()]).toEqual([])
  })
})

describe('mergeHeaders', () => {
  it("a user's header replaces tokentool's of the same name whatever the case; others are kept", async () => {
    const { mergeHeaders } = await import('../../src/oauth/client.js')
    expect(mergeHeaders({ accept: 'application/json', 'content-type': 'x' }, { Accept: 'text/plain', Origin: 'https://app' })).toEqual({ 'content-type': 'x', Accept: 'text/plain', Origin: 'https://app' })
    expect(mergeHeaders(undefined, { a: '1', A: '2' })).toEqual({ A: '2' })
  })
})
