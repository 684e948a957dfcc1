import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  WwwAuthenticateSyntaxError,
  formatChallenges,
  paramValue,
  parseWwwAuthenticate,
  type Challenge,
} from '../../src/core/cae/www-authenticate.js'
import { InputError, UsageError } from '../../src/errors.js'

/** The structure without positions and quoting, for comparisons. */
const shape = (cs: Challenge[]) =>
  cs.map((c) => ({
    scheme: c.scheme,
    ...(c.token68 !== undefined ? { token68: c.token68 } : {}),
    params: c.params.map((p) => [p.name, p.value]),
  }))

describe('parseWwwAuthenticate: RFC 9110 §11.6.1', () => {
  it('splits several challenges in one value', () => {
    expect(shape(parseWwwAuthenticate('Basic realm="x", Bearer error="invalid_token"'))).toEqual([
      { scheme: 'Basic', params: [['realm', 'x']] },
      { scheme: 'Bearer', params: [['error', 'invalid_token']] },
    ])
  })

  it('reads `realm=` alone as a token68, as the grammar says', () => {
    expect(shape(parseWwwAuthenticate('Bearer realm='))).toEqual([{ scheme: 'Bearer', token68: 'realm=', params: [] }])
    expect(shape(parseWwwAuthenticate('Bearer realm= x'))).toEqual([{ scheme: 'Bearer', params: [['realm', 'x']] }])
  })

  it('reads token68 (with its = padding) and a following challenge', () => {
    expect(shape(parseWwwAuthenticate('Negotiate abc=='))).toEqual([{ scheme: 'Negotiate', token68: 'abc==', params: [] }])
    expect(shape(parseWwwAuthenticate('Negotiate YII+/x.~_-=, Basic realm="r"'))).toEqual([
      { scheme: 'Negotiate', token68: 'YII+/x.~_-=', params: [] },
      { scheme: 'Basic', params: [['realm', 'r']] },
    ])
  })

  it('resolves \\" and \\\\ escapes inside quoted strings', () => {
    const [c] = parseWwwAuthenticate('Bearer error_description="say \\"hi\\" \\\\ \\x"')
    expect(c!.params[0]!.value).toBe('say "hi" \\ x')
  })

  it('keeps commas and equals signs inside quoted strings', () => {
    expect(shape(parseWwwAuthenticate('Bearer error_description="a, b=c, Basic realm=\\"d\\"", scope="x y"'))).toEqual([
      { scheme: 'Bearer', params: [['error_description', 'a, b=c, Basic realm="d"'], ['scope', 'x y']] },
    ])
  })

  it('reads schemes and names in any case; paramValue looks up case-insensitively', () => {
    const cs = parseWwwAuthenticate('bEaReR ERROR="invalid_token", Realm=api')
    expect(cs[0]!.scheme).toBe('bEaReR')
    expect(paramValue(cs[0]!, 'error')).toBe('invalid_token')
    expect(paramValue(cs[0]!, 'REALM')).toBe('api')
    expect(paramValue(cs[0]!, 'scope')).toBeUndefined()
  })

  it('keeps an empty realm="" and marks quoted values', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="", error=invalid_token')
    expect(c!.params).toEqual([
      { name: 'realm', value: '', quoted: true, index: 7 },
      { name: 'error', value: 'invalid_token', quoted: false, index: 17 },
    ])
  })

  it('allows whitespace around "=" (BWS), empty list elements and a scheme alone', () => {
    expect(shape(parseWwwAuthenticate(' ,Bearer  realm = "x" ,, scope=a ,Basic, Newauth'))).toEqual([
      { scheme: 'Bearer', params: [['realm', 'x'], ['scope', 'a']] },
      { scheme: 'Basic', params: [] },
      { scheme: 'Newauth', params: [] },
    ])
  })

  it('a scheme after a comma starts a new challenge even when it has params', () => {
    expect(shape(parseWwwAuthenticate('Bearer realm="a", DPoP algs="ES256 PS256", error="use_dpop_nonce"'))).toEqual([
      { scheme: 'Bearer', params: [['realm', 'a']] },
      { scheme: 'DPoP', params: [['algs', 'ES256 PS256'], ['error', 'use_dpop_nonce']] },
    ])
  })

  it('parses the CAE challenge of Entra ID', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0="',
    )
    expect(paramValue(c!, 'error')).toBe('insufficient_claims')
    expect(paramValue(c!, 'claims')).toBe('eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=')
    expect(paramValue(c!, 'authorization_uri')).toBe('https://login.microsoftonline.com/common/oauth2/authorize')
  })

  it.each([
    ['Bearer error "x"', 14, 'expected "=" after parameter name "error", found "\\""'],
    ['Bearer realm="x" error="y"', 18, 'expected "," or the end after the value of parameter "realm", found "e"'],
    ['Bearer realm=;', 14, 'expected a value (a token or a quoted string) for parameter "realm", found ";"'],
    ['Bearer realm=, error="x"', 16, 'parameter "error" cannot start a challenge because "realm=" of the Bearer challenge reads as a token68 (write an empty value as "")'],
    ['Bearer realm=x, error "y"', 23, 'expected "=" after parameter name "error", found "\\""'],
    ['Negotiate abc, x=y', 16, 'parameter "x" cannot start a challenge'],
    ['Bearer realm="abc', 14, 'the quoted string that starts here has no closing quote (")'],
    ['Bearer realm="abc\\', 14, 'no closing quote'],
    ['"Bearer"', 1, 'expected an authentication scheme (such as Bearer), found "\\""'],
    ['Bearer"x"', 7, 'expected a space after the scheme "Bearer"'],
    ['Bearer =x', 8, 'expected a parameter name of the Bearer challenge, found "="'],
    ['realm="x", error="y"', 1, 'expected an authentication scheme (such as Bearer) before parameter "realm"'],
    [' , ,', 5, 'found only commas and spaces'],
    ['', 1, 'found only commas and spaces'],
    ['Basic realm="a", @x', 18, 'expected an authentication scheme'],
  ])('%j fails at column %i', (text, column, reason) => {
    let err: unknown
    try {
      parseWwwAuthenticate(text)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(WwwAuthenticateSyntaxError)
    expect(err).toBeInstanceOf(InputError)
    const e = err as WwwAuthenticateSyntaxError
    expect(e.index + 1).toBe(column)
    expect(e.message).toMatch(new RegExp(`^cannot parse WWW-Authenticate at column ${column}: `))
    expect(e.message).toContain(reason)
  })
})

// ---- property tests ----

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 })
const token68 = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'abcXYZ0189-._~+/'), minLength: 1, maxLength: 16 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([b, pad]) => b + '='.repeat(pad))
const value = fc.oneof(fc.string(), token, fc.constantFrom('', '"', '\\', ', Basic realm="x"', 'a=b, c'))

const challenge = fc.oneof(
  fc.record({ scheme: token, token68, params: fc.constant([]) }),
  fc.record({
    scheme: token,
    params: fc.uniqueArray(fc.record({ name: token, value, quoted: fc.boolean() }), {
      selector: (p) => p.name.toLowerCase(),
      maxLength: 5,
    }),
  }),
)

describe('parseWwwAuthenticate properties', () => {
  it('any string ends in challenges or an InputError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'Bearer realm="x",\\ =\t;Negotiate abc') })), (text) => {
        try {
          const cs = parseWwwAuthenticate(text)
          expect(cs.length).toBeGreaterThan(0)
          for (const c of cs) expect(c.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
          expect((e as Error).message).toMatch(/^cannot parse WWW-Authenticate at column \d+: /)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('challenges serialised with proper quoting parse back to the same structure', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), (cs) => {
        const text = formatChallenges(cs)
        const back = parseWwwAuthenticate(text)
        expect(shape(back)).toEqual(
          cs.map((c) => ({
            scheme: c.scheme,
            ...('token68' in c ? { token68: c.token68 } : {}),
            params: c.params.map((p) => [p.name, p.value]),
          })),
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('never throws a UsageError or a plain Error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseWwwAuthenticate(text)
        } catch (e) {
          expect(e).not.toBeInstanceOf(UsageError)
          expect(e).toBeInstanceOf(WwwAuthenticateSyntaxError)
        }
      }),
    )
  })
})
