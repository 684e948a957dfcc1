/** The RFC 8693 request body: every parameter given, repeatable ones repeated, none invented. */
import { describe, expect, it } from 'vitest'
import { exchangeParams } from '../../src/oauth/exchange.js'

const AT = 'urn:ietf:params:oauth:token-type:access_token'

describe('exchangeParams', () => {
  it('sends every parameter of §2.1, resource and audience repeated', () => {
    const p = exchangeParams({
      subjectToken: 's',
      subjectTokenType: AT,
      actorToken: 'a',
      actorTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      audiences: ['orders', 'billing'],
      resources: ['https://a.example', 'https://b.example'],
      scope: 'read',
      requestedTokenType: AT,
    })
    expect([...p]).toEqual([
      ['resource', 'https://a.example'],
      ['resource', 'https://b.example'],
      ['audience', 'orders'],
      ['audience', 'billing'],
      ['scope', 'read'],
      ['requested_token_type', AT],
      ['subject_token', 's'],
      ['subject_token_type', AT],
      ['actor_token', 'a'],
      ['actor_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
    ])
  })

  it('leaves out what was not asked for (no actor_token_type without an actor token)', () => {
    const p = exchangeParams({ subjectToken: 's', subjectTokenType: AT, actorTokenType: AT, audiences: [], scope: '' })
    expect([...p]).toEqual([
      ['subject_token', 's'],
      ['subject_token_type', AT],
    ])
  })
})
