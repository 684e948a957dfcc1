import { describe, expect, it } from 'vitest'
import { authorizationParams } from '../../src/oauth/authorization-code.js'
import { tokenEndpointParams } from '../../src/oauth/tokens.js'

const secrets = { redirectUri: 'http://127.0.0.1:9/callback', state: 'st', nonce: 'n', codeChallenge: 'cc' }

describe('authorizationParams', () => {
  it('asks for code with PKCE S256, state and nonce', () => {
    const p = authorizationParams({ scope: 'openid' }, secrets)
    expect(Object.fromEntries(p)).toEqual({
      response_type: 'code',
      redirect_uri: secrets.redirectUri,
      scope: 'openid',
      state: 'st',
      nonce: 'n',
      code_challenge: 'cc',
      code_challenge_method: 'S256',
    })
  })
  it('adds prompt=consent with offline_access unless a prompt was given', () => {
    expect(authorizationParams({ scope: 'openid offline_access' }, secrets).get('prompt')).toBe('consent')
    expect(authorizationParams({ scope: 'openid offline_access', prompt: 'login' }, secrets).get('prompt')).toBe('login')
    expect(authorizationParams({ scope: 'openid' }, secrets).has('prompt')).toBe(false)
  })
  it('sends every optional request parameter', () => {
    const p = authorizationParams(
      { scope: 'openid', loginHint: 'a@b', acrValues: 'mfa', maxAge: 60, claims: '{"id_token":{}}', resources: ['https://r1', 'https://r2'], audience: 'api' },
      secrets,
    )
    expect(p.get('login_hint')).toBe('a@b')
    expect(p.get('acr_values')).toBe('mfa')
    expect(p.get('max_age')).toBe('60')
    expect(p.get('claims')).toBe('{"id_token":{}}')
    expect(p.getAll('resource')).toEqual(['https://r1', 'https://r2'])
    expect(p.get('audience')).toBe('api')
  })
  it('lets --param replace a default and repeat', () => {
    const p = authorizationParams({ scope: 'openid', extra: [['access_type', 'offline'], ['prompt', 'select_account'], ['x', '1'], ['x', '2']] }, secrets)
    expect(p.get('access_type')).toBe('offline')
    expect(p.getAll('prompt')).toEqual(['select_account'])
    expect(p.getAll('x')).toEqual(['1', '2'])
  })
})

describe('tokenEndpointParams', () => {
  it('carries scope, claims and resources', () => {
    const p = tokenEndpointParams({ scope: 'openid', claims: '{}', resources: ['https://r'] })
    expect(p.toString()).toBe('scope=openid&claims=%7B%7D&resource=https%3A%2F%2Fr')
  })
})

describe('nextPollInterval (RFC 8628 §3.5)', async () => {
  const { nextPollInterval } = await import('../../src/oauth/device.js')
  const { ResponseBodyError } = await import('openid-client')
  const bodyError = (error: string) =>
    new ResponseBodyError('x', { cause: { error }, response: new Response('{}', { status: 400 }) })
  it('keeps the interval while pending, adds 5 s on slow_down, stops on anything else', () => {
    expect(nextPollInterval(5, bodyError('authorization_pending'))).toBe(5)
    expect(nextPollInterval(5, bodyError('slow_down'))).toBe(10)
    expect(nextPollInterval(10, bodyError('slow_down'))).toBe(15)
    expect(nextPollInterval(5, bodyError('expired_token'))).toBeUndefined()
    expect(nextPollInterval(5, bodyError('access_denied'))).toBeUndefined()
    expect(nextPollInterval(5, new Error('network'))).toBeUndefined()
  })
})
