import { describe, expect, it } from 'vitest'
import * as client from 'openid-client'
import { AuthServerError, exitCodeFor, NetworkError, StoreError } from '../../src/errors.js'
import { keepErrorBody } from '../../src/oauth/error-body.js'
import { BodylessRefusal, toTokentoolError } from '../../src/oauth/errors.js'

describe('toTokentoolError: library errors translated once', () => {
  it('an OAuth error response becomes AuthServerError (exit 4) with error, description and status', () => {
    const e = toTokentoolError(
      new client.ResponseBodyError('x', { cause: { error: 'invalid_grant', error_description: 'revoked' }, response: new Response('{}', { status: 400 }) }),
    )
    expect(e).toBeInstanceOf(AuthServerError)
    expect(e).toMatchObject({ error: 'invalid_grant', errorDescription: 'revoked', status: 400, message: 'invalid_grant: revoked' })
  })
  it('an error on the redirect becomes AuthServerError', () => {
    const e = toTokentoolError(new client.AuthorizationResponseError('x', { cause: new URLSearchParams('error=access_denied&error_description=no') }))
    expect(e).toMatchObject({ error: 'access_denied', errorDescription: 'no' })
  })
  it('keeps a tokentool error found in the cause chain (our fetch wrapper throws those)', () => {
    const own = new NetworkError('cannot connect to as.example: connection refused')
    const wrapped = new client.ClientError('something went wrong', { cause: own })
    expect(toTokentoolError(wrapped)).toBe(own)
    const store = new StoreError('disk full')
    expect(toTokentoolError(store)).toBe(store)
  })
  it('a non-JSON answer is a NetworkError (exit 3) naming the content type and what was done', () => {
    const res = new Response('<html>', { headers: { 'content-type': 'text/html' } })
    const e = toTokentoolError(new client.ClientError('unexpected response content-type', { cause: res, code: 'OAUTH_RESPONSE_IS_NOT_JSON' } as never), { what: 'refresh at https://as.example/token' })
    expect(e).toBeInstanceOf(NetworkError)
    expect(e.message).toBe('refresh at https://as.example/token: the server did not answer with JSON (content-type text/html)')
  })
  it('a bare fetch failure names the host', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
    const e = toTokentoolError(err, { url: 'http://127.0.0.1:4999/token' })
    expect(e).toBeInstanceOf(NetworkError)
    expect(e.message).toMatch(/127\.0\.0\.1:4999.*connection refused/)
  })
})

describe('refusals real servers send (issue 14)', () => {
  const res = async (status: number, body: string, headers: Record<string, string> = {}, auth?: Parameters<typeof keepErrorBody>[1]) => {
    const r = new Response(body, { status, headers })
    await keepErrorBody(r, auth)
    return r
  }
  it('a 401 with WWW-Authenticate: Basic and an OAuth error in the body: that error, with the Basic hint', async () => {
    const r = await res(401, '{"error":"invalid_client"}', { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="x"' }, { method: 'basic' })
    const err = new client.WWWAuthenticateChallengeError('x', { cause: [{ scheme: 'basic', parameters: { realm: 'x' } }], response: r } as never)
    const e = toTokentoolError(err, { what: 'refresh at https://as/token' })
    expect(e).toMatchObject({ error: 'invalid_client', status: 401 })
    expect(e.hint).toMatch(/--client-auth post/)
  })
  it('an empty 4xx is a refusal named by its status (exit 4), whatever the library called it', async () => {
    for (const code of ['OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_RESPONSE_IS_NOT_CONFORM']) {
      const r = await res(400, '')
      const e = toTokentoolError(new client.ClientError('x', { cause: r, code } as never), { what: 'refresh at https://as/token' })
      expect(e).toBeInstanceOf(BodylessRefusal)
      expect(exitCodeFor(e)).toBe(4)
      expect(e.message).toBe('HTTP 400: refresh at https://as/token: the server said no without an OAuth error (empty body)')
      expect(e.hint).toBeUndefined()
    }
  })
  it('an empty 401 to a private_key_jwt request hints at the assertion audience', async () => {
    const r = await res(401, '', {}, { method: 'private_key_jwt', audience: 'issuer' })
    const e = toTokentoolError(new client.ClientError('x', { cause: r, code: 'OAUTH_RESPONSE_IS_NOT_JSON' } as never))
    expect(e.hint).toMatch(/--client-assertion-audience token-endpoint/)
  })
  it('a 5xx stays a network failure (exit 3)', async () => {
    const r = await res(503, '')
    const e = toTokentoolError(new client.ClientError('x', { cause: r, code: 'OAUTH_RESPONSE_IS_NOT_CONFORM' } as never))
    expect(e).toBeInstanceOf(NetworkError)
  })
})
