/**
 * client_secret_basic as RFC 6749 §2.3.1 and Appendix B ask: each of id and secret encoded as
 * application/x-www-form-urlencoded, then `id:secret` in Base64. oauth4webapi escapes the
 * unreserved `- . _ ~` too, which servers that barely decode (glewlwyd) reject (issue 14).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { basicCredentials, clientSecretBasic, formUrlEncode } from '../../src/oauth/client-auth.js'

/** The form decoding every server applies (WHATWG / RFC 6749 Appendix B). */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '))

describe('formUrlEncode', () => {
  it.each([
    ['webc-secret-1', 'webc-secret-1'],
    ['a.b_c~d*e', 'a.b_c~d*e'],
    ['open sesame', 'open+sesame'],
    ["!'()", '%21%27%28%29'],
    ['a:b', 'a%3Ab'],
    ['100%+', '100%25%2B'],
    ['€', '%E2%82%AC'],
    ['', ''],
  ])('%j → %j', (raw, encoded) => {
    expect(formUrlEncode(raw)).toBe(encoded)
  })

  it('leaves exactly the unreserved characters (and *) as they are; every decoder gets the value back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const e = formUrlEncode(s)
        expect(e).toMatch(/^[A-Za-z0-9\-._~*+%]*$/)
        expect(formDecode(e)).toBe(s)
        expect(new URLSearchParams(`x=${e}`).get('x')).toBe(s)
        // a string of unreserved characters is sent as it is
        const unreserved = s.replace(/[^A-Za-z0-9\-._~*]/g, '')
        expect(formUrlEncode(unreserved)).toBe(unreserved)
      }),
    )
  })
})

describe('clientSecretBasic', () => {
  it('sets Authorization: Basic base64(enc(id):enc(secret)), nothing in the body', () => {
    const headers = new Headers()
    const body = new URLSearchParams()
    clientSecretBasic('s3cr:t-1')({ issuer: 'https://as' }, { client_id: 'my app' }, body, headers)
    expect(headers.get('authorization')).toBe(`Basic ${Buffer.from('my+app:s3cr%3At-1').toString('base64')}`)
    expect([...body.keys()]).toEqual([])
    expect(basicCredentials('Aladdin', 'open sesame')).toBe('Basic QWxhZGRpbjpvcGVuK3Nlc2FtZQ==')
  })
})
