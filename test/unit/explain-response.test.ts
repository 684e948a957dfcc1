import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { explain } from '../../src/core/explain/causes.js'
import { headerValue, parseResponseText } from '../../src/core/explain/response.js'
import { InputError } from '../../src/errors.js'

const WWW = 'Bearer error="invalid_token", error_description="expired"'

describe('parseResponseText: the forms people paste', () => {
  it('curl -i: status, headers, body after the blank line; a second response replaces the first', () => {
    const r = parseResponseText(`HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${WWW}\r\nDate: Tue, 01 Dec 2026 12:00:00 GMT\r\n\r\n{"error":"x"}`)
    expect(r).toMatchObject({ status: 401, form: 'head', body: '{"error":"x"}' })
    expect(headerValue(r, 'WWW-Authenticate')).toBe(WWW)
    expect(headerValue(r, 'location')).toBeNull()
  })

  it('curl -v: "<" lines are the response, ">" and "*" lines are left out (the request\'s Authorization too)', () => {
    const r = parseResponseText(`* Connected\n> GET / HTTP/1.1\n> Authorization: Bearer secret\n>\n< HTTP/1.1 401 Unauthorized\n< WWW-Authenticate: ${WWW}\n<\nbody text`)
    expect(r.status).toBe(401)
    expect(headerValue(r, 'authorization')).toBeNull()
    expect(headerValue(r, 'www-authenticate')).toBe(WWW)
    expect(r.body).toBe('body text')
  })

  it('devtools: the General block and name/value on two lines', () => {
    const r = parseResponseText(`Request URL:\nhttps://api.example/\nRequest Method:\nGET\nStatus Code:\n403 Forbidden\n\nwww-authenticate:\n${WWW}\ndate\nTue, 01 Dec 2026 12:00:00 GMT\n`)
    expect(r).toMatchObject({ status: 403, form: 'devtools' })
    expect(headerValue(r, 'www-authenticate')).toBe(WWW)
    expect(headerValue(r, 'date')).toBe('Tue, 01 Dec 2026 12:00:00 GMT')
  })

  it('a log line, and a JSON log of headers', () => {
    const log = parseResponseText(`2026-12-01 WARN call failed: HTTP 401; Unauthorized WWW-Authenticate=${WWW}`)
    expect(log).toMatchObject({ status: 401, form: 'log' })
    expect(headerValue(log, 'www-authenticate')).toBe(WWW)
    const json = parseResponseText(JSON.stringify({ status: 401, headers: { 'WWW-Authenticate': WWW, Date: 'Tue, 01 Dec 2026 12:00:00 GMT' } }))
    expect(json.status).toBe(401)
    expect(headerValue(json, 'www-authenticate')).toBe(WWW)
  })

  it('a HAR entry: the response headers only, never the request\'s', () => {
    const har = { log: { entries: [{ request: { headers: [{ name: 'Authorization', value: 'Bearer secret' }] }, response: { status: 401, headers: [{ name: 'WWW-Authenticate', value: WWW }], content: { text: 'nope' } } }] } }
    const r = parseResponseText(JSON.stringify(har))
    expect(r).toMatchObject({ status: 401, form: 'har', body: 'nope' })
    expect(r.headers).toEqual([['www-authenticate', WWW]])
  })

  it('a body alone is a body; empty input is an InputError', () => {
    expect(parseResponseText('{"error":{"code":"InvalidAuthenticationToken"}}')).toMatchObject({ status: null, form: 'body' })
    expect(parseResponseText('Jwt is expired')).toMatchObject({ form: 'body', body: 'Jwt is expired' })
    expect(() => parseResponseText(' \n ')).toThrow(InputError)
  })
})

describe('explain properties', () => {
  it('any pasted text ends in a result or an InputError, never another exception', () => {
    const pieces = fc.constantFrom('HTTP/1.1 401 X', 'WWW-Authenticate: ', 'Bearer ', 'error="invalid_token"', 'claims="e30"', 'Date: nope', '\r\n', '\n', '< ', '> ', '{', '}', '"', ':', 'Status Code:', 'DPoP-Nonce: n')
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 30 }).map((a) => a.join(''))), fc.option(fc.string({ maxLength: 40 })), (text, token) => {
        let response
        try {
          response = parseResponseText(text)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
          return
        }
        try {
          const r = explain({ response, token, now: new Date(0), nowSource: '--now' })
          for (const c of r.causes) expect(c.evidence.length).toBeGreaterThan(0)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
      { numRuns: 1500 },
    )
  })
})

describe('explain: what tokentool itself sent and checked', () => {
  const head = (www: string) => parseResponseText(`HTTP/1.1 401 Unauthorized\nDate: Tue, 01 Dec 2026 12:00:00 GMT\nWWW-Authenticate: ${www}\n\n`)
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(claims)}.${'A'.repeat(86)}`
  const now = new Date('2026-12-01T12:00:00Z')

  it('a DPoP request to a Bearer-only API is a scheme mismatch; a bound token sent as Bearer is certain', () => {
    const plain = jwt({ iss: 'https://as', aud: 'api', exp: 1796130000 })
    const r = explain({ response: head('Bearer error="invalid_token"'), token: plain, now, nowSource: 'local', sentScheme: 'DPoP' })
    expect(r.causes[0]).toMatchObject({ code: 'scheme_mismatch', confidence: 'likely' })
    const bound = jwt({ iss: 'https://as', aud: 'api', exp: 1796130000, cnf: { jkt: 'abc' } })
    const b = explain({ response: head('DPoP algs="ES256"'), token: bound, now, nowSource: 'local', sentScheme: 'Bearer' })
    expect(b.causes[0]).toMatchObject({ code: 'scheme_mismatch', confidence: 'certain' })
  })

  it('a failed iss check (explain --issuer) is a certain wrong_issuer', () => {
    const token = jwt({ iss: 'https://other', aud: 'api', exp: 1796130000 })
    const r = explain({
      response: head('Bearer error="invalid_token"'),
      token,
      now,
      nowSource: 'local',
      verification: { keySource: 'https://as', checks: [{ name: 'signature', ok: true, detail: 'ok' }, { name: 'iss', ok: false, detail: '"https://other", expected "https://as"' }] },
    })
    expect(r.causes[0]).toMatchObject({ code: 'wrong_issuer', confidence: 'certain' })
    expect(r.token!.verified).toBe(true)
  })
})

describe('explain: an opaque token whose first bytes decode like "{"', () => {
  it('is opaque, not malformed (a random reference token must not read as a truncated JWT)', () => {
    // 1 in ~250 random 32-byte tokens starts like this: base64url of 0x7b ("{") ...
    const token = 'e_PfWPzweufK-Vpz0iGiaxVAp9Fn6psN74FxzkFtFXE'
    expect(Buffer.from(token.slice(0, 8), 'base64url').toString('latin1')[0]).toBe('{')
    const response = parseResponseText('HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token", error_description="Invalid Compact JWS"\n\n')
    const r = explain({ response, token, now: new Date(0), nowSource: '--now' })
    expect(r.causes[0]).toMatchObject({ code: 'opaque_token', confidence: 'certain' })
    expect(r.token).toMatchObject({ kind: 'opaque', format: 'opaque' })
  })
})
