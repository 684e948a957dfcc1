import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  SECRET_NAMES,
  maskSecret,
  redact,
  redactForm,
  redactHeaders,
  redactJson,
  redactUrl,
} from '../../src/http/redact.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const HEADER = b64({ alg: 'RS256', kid: 'k1' })
const PAYLOAD = b64({ sub: 'alice', aud: 'api' })
const SIG = 'dGhpcyBpcyBhIHNpZ25hdHVyZSB0aGF0IG11c3Qgbm90IGxlYWs'
const JWT = `${HEADER}.${PAYLOAD}.${SIG}`

describe('maskSecret', () => {
  it('shows the first 6 characters and the length', () => {
    expect(maskSecret('abc123' + 'x'.repeat(34))).toBe('abc123…(40 chars)')
  })
  it('shows less of a short value, never all of it', () => {
    expect(maskSecret('hunter2')).toBe('hu…(7 chars)')
    expect(maskSecret('ab')).toBe('…(2 chars)')
  })
})

describe('redact', () => {
  it('masks secret form parameters and keeps the others', () => {
    expect(redact('grant_type=refresh_token&refresh_token=8xLOxBtZp8fd2aQ9bNmE3s&client_id=cli')).toBe(
      'grant_type=refresh_token&refresh_token=8xLOxB…(22 chars)&client_id=cli',
    )
    expect(redactForm('code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback')).toBe(
      'code=SplxlO…(22 chars)&code_verifier=dBjftJ…(43 chars)&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback',
    )
  })

  it('keeps header and payload of a JWT and drops its signature, under any name', () => {
    expect(redact(`assertion=${JWT}&x=1`)).toBe(`assertion=${HEADER}.${PAYLOAD}.<redacted>&x=1`)
    expect(redact(JSON.stringify({ note: `see ${JWT} here` }))).toContain(`see ${HEADER}.${PAYLOAD}.<redacted> here`)
    expect(redact(`an error mentioning ${JWT}.`)).toBe(`an error mentioning ${HEADER}.${PAYLOAD}.<redacted>.`)
  })

  it('keeps only the protected header of a JWE', () => {
    const jwe = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.ZW5jcnlwdGVka2V5.aXZpdml2.Y2lwaGVydGV4dA.dGFndGFn`
    expect(redact(`id_token=${jwe}`)).toBe(`id_token=${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.<redacted>`)
  })

  it('redacts JSON token responses member by member', () => {
    const out = redactJson({
      access_token: JWT,
      refresh_token: 'rt-0123456789abcdefghij',
      token_type: 'Bearer',
      expires_in: 3600,
      nested: [{ client_secret: 'sssssssssssssssssssss' }],
    })
    expect(out).toEqual({
      access_token: `${HEADER}.${PAYLOAD}.<redacted>`,
      refresh_token: 'rt-012…(23 chars)',
      token_type: 'Bearer',
      expires_in: 3600,
      nested: [{ client_secret: 'ssssss…(21 chars)' }],
    })
  })

  it('redacts query strings and fragments of URLs, and passwords in them', () => {
    expect(redactUrl('http://127.0.0.1:5000/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2Fas')).toBe(
      'http://127.0.0.1:5000/callback?code=SplxlO…(22 chars)&state=xyz&iss=https%3A%2F%2Fas',
    )
    expect(redactUrl('https://rp.example/cb#access_token=abcdefghijklmnopqrstu&token_type=Bearer')).toBe(
      'https://rp.example/cb#access_token=abcdef…(21 chars)&token_type=Bearer',
    )
    expect(redactUrl('https://user:pa55word-long-enough@proxy.example/')).toBe('https://user:pa55wo…(20 chars)@proxy.example/')
  })

  it('redacts header maps, keeping the auth scheme', () => {
    const basic = Buffer.from('client:secret-secret-secret').toString('base64')
    expect(
      redactHeaders({
        Authorization: `Basic ${basic}`,
        'content-type': 'application/json',
        cookie: 'sid=0123456789abcdefghij; theme=dark',
        'set-cookie': ['_session=abcdefghijklmnopqrstuv; Path=/; HttpOnly'],
        dpop: JWT,
      }),
    ).toEqual([
      // any prefix of a Basic credential is a prefix of `id:secret`: scheme and length only
      ['Authorization', `Basic <redacted> (${basic.length} chars)`],
      ['content-type', 'application/json'],
      ['cookie', 'sid=012345…(20 chars); theme=d…(4 chars)'],
      ['set-cookie', '_session=abcdef…(22 chars); Path=/; HttpOnly'],
      ['dpop', `${HEADER}.${PAYLOAD}.<redacted>`],
    ])
    expect(redactHeaders(new Headers({ authorization: `Bearer ${JWT}` }))).toEqual([
      ['authorization', `Bearer ${HEADER}.${PAYLOAD}.<redacted>`],
    ])
  })

  it('masks named secrets inside free text and truncated JSON', () => {
    expect(redact('<a href="/cb?code=abcdefghijklmnopqrstuvwx&state=1">')).toBe('<a href="/cb?code=abcdef…(24 chars)&state=1">')
    expect(redact('{"refresh_token": "abcdefghijklmnopqrstuvwx", "trunc')).toBe('{"refresh_token": "abcdef…(24 chars)", "trunc')
    expect(redact('sent Authorization: Bearer abcdefghijklmnopqrstuvwx')).toBe('sent Authorization: Bearer abcdef…(24 chars)')
  })

  it('does not touch names that merely end like a secret name', () => {
    expect(redact('error_code=bad_request_really&grant_type=authorization_code')).toBe('error_code=bad_request_really&grant_type=authorization_code')
  })
})

// --- properties: the whole secret never appears in the output -----------------------------

const NAMES = [...SECRET_NAMES].filter((n) => !['cookie', 'set-cookie', 'authorization', 'proxy-authorization'].includes(n))
/** Secrets from the characters real tokens use (and some that need escaping). */
const secretArb = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=%&"\\ '.split('')),
  minLength: 8,
  maxLength: 80,
}).filter((s) => s.trim().length === s.length && s.trim() !== '')
/** Other content: letters only in upper case, so it never contains a secret by accident. */
const otherArb = fc.string({ unit: fc.constantFrom(...'XYZ_'.split('')), maxLength: 12 })
const otherPairs = fc.array(fc.tuple(fc.constantFrom('grant_type', 'client_id', 'scope', 'state', 'x'), otherArb), { maxLength: 4 })

function containsSecret(out: string, secret: string): boolean {
  return out.includes(secret) || out.includes(encodeURIComponent(secret)) || out.includes(JSON.stringify(secret).slice(1, -1))
}

describe('redact (properties)', () => {
  it('form bodies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), secretArb, otherPairs, otherPairs, (name, secret, before, after) => {
        const p = new URLSearchParams([...before, [name, secret], ...after])
        const out = redact(p.toString(), 'application/x-www-form-urlencoded')
        expect(containsSecret(out, secret)).toBe(false)
      }),
    )
  })

  it('JSON bodies, at any depth', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), secretArb, otherPairs, fc.boolean(), (name, secret, others, nest) => {
        const obj: Record<string, unknown> = Object.fromEntries(others)
        obj[name] = secret
        const body = JSON.stringify(nest ? { outer: [obj] } : obj)
        const out = redact(body, 'application/json')
        expect(containsSecret(out, secret)).toBe(false)
        expect(containsSecret(redact(body), secret)).toBe(false) // content type unknown
      }),
    )
  })

  it('URL query strings and fragments', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), secretArb, otherPairs, fc.boolean(), (name, secret, others, inFragment) => {
        const q = new URLSearchParams([...others, [name, secret]]).toString()
        const url = `https://as.example/cb${inFragment ? '#' : '?'}${q}`
        const out = redactUrl(url)
        expect(containsSecret(out, secret)).toBe(false)
        expect(containsSecret(redact(url), secret)).toBe(false)
      }),
    )
  })

  it('JWT signatures, anywhere in any body', () => {
    const seg = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 16, maxLength: 86 })
    fc.assert(
      fc.property(seg, fc.constantFrom('note', 'access_token', 'whatever'), fc.constantFrom('json', 'form', 'text'), (sig, key, shape) => {
        const jwt = `${HEADER}.${PAYLOAD}.${sig}`
        const body =
          shape === 'json' ? JSON.stringify({ [key]: jwt }) : shape === 'form' ? `${key}=${jwt}&a=b` : `got ${jwt} from server`
        const out = redact(body)
        expect(out).not.toContain(sig)
        expect(out).toContain(`${HEADER}.${PAYLOAD}.<redacted>`)
      }),
    )
  })

  it('header maps', () => {
    fc.assert(
      fc.property(secretArb, fc.constantFrom('Bearer', 'Basic', 'DPoP'), fc.constantFrom('authorization', 'Authorization', 'cookie', 'set-cookie', 'x-api-key'), (secret, scheme, name) => {
        const value = /authorization/i.test(name) ? `${scheme} ${secret}` : name.endsWith('cookie') ? `sid=${secret}; Path=/` : secret
        const out = redactHeaders({ [name]: value, 'content-type': 'text/plain' }).map(([k, v]) => `${k}: ${v}`).join('\n')
        expect(containsSecret(out, secret)).toBe(false)
      }),
    )
  })
})
