import { describe, expect, it } from 'vitest'
import * as client from 'openid-client'
import { AuthServerError, NetworkError, StoreError } from '../../src/errors.js'
import { toTokentoolError } from '../../src/oauth/errors.js'

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
