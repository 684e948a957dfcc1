import { describe, expect, it } from 'vitest'
import { renderToken, tokenJson, type TokenView } from '../../src/render/token.js'
import { testIO } from '../helpers/test-io.js'

const now = new Date('2026-01-01T00:00:00Z')
const nowSec = now.getTime() / 1000
const cached: TokenView = { source: 'cache', accessToken: 'eyJ.a.b', tokenType: 'Bearer', expiresAt: nowSec + 900, scope: 'api:read' }

describe('renderToken', () => {
  it('prints the token and a newline, nothing else', () => {
    const t = testIO()
    renderToken(t.io, cached, { format: 'token', now })
    expect(t.stdout()).toBe('eyJ.a.b\n')
  })

  it('--format env is one assignment line', () => {
    const t = testIO()
    renderToken(t.io, cached, { format: 'env', now })
    expect(t.stdout()).toBe('TOKENTOOL_ACCESS_TOKEN=eyJ.a.b\n')
  })

  it('--json: a cached token gets the time left as expires_in', () => {
    const t = testIO()
    renderToken(t.io, cached, { format: 'json', now })
    expect(JSON.parse(t.stdout())).toEqual({ access_token: 'eyJ.a.b', token_type: 'Bearer', expires_in: 900, expires_at: nowSec + 900, scope: 'api:read', source: 'cache' })
  })

  it('--json: a fresh token is the response as sent, plus expires_at and source', () => {
    const response = { access_token: 'x', token_type: 'bearer', expires_in: 600, scope: 's', issued_token_type: 'urn:x' }
    expect(tokenJson({ source: 'client_credentials', accessToken: 'x', tokenType: 'bearer', expiresAt: nowSec + 600, response }, now)).toEqual({
      ...response,
      expires_at: nowSec + 600,
      source: 'client_credentials',
    })
  })

  it('--json without an expiry says null', () => {
    expect(tokenJson({ source: 'cache', accessToken: 'x', tokenType: 'Bearer' }, now)).toEqual({ access_token: 'x', token_type: 'Bearer', expires_at: null, source: 'cache' })
  })
})
