/**
 * The `--json` field rule's one transformation (src/render/json-fields.ts), and the checker the
 * CLI tests use (test/helpers/json-style.ts): it must catch a camelCase field, an alias without
 * its new name, and an alias whose value differs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { snakeFields, snakeName } from '../../src/render/json-fields.js'
import { callJson } from '../../src/render/call.js'
import { DEPRECATED_ALIASES, expectJsonStyle, snake, styleFindings } from '../helpers/json-style.js'

describe('snakeName', () => {
  it.each([
    ['accessTokenExpiresAt', 'access_token_expires_at'],
    ['sdJwt', 'sd_jwt'],
    ['token68', 'token68'],
    ['fapi2', 'fapi2'],
    ['expires_at', 'expires_at'],
    ['x5t#S256', 'x5t#S256'],
    ['X-Trace', 'X-Trace'],
    ['ivBytes', 'iv_bytes'],
  ])('%s → %s', (from, to) => expect(snakeName(from)).toBe(to))

  it('agrees with the README rule (one underscore before each capital) on every camelCase name', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z]{1,6}([A-Z][a-z0-9]{1,6}){1,4}$/), (name) => {
      expect(snakeName(name)).toBe(snake(name))
    }))
  })
})

describe('snakeFields', () => {
  it('renames own fields, keeps verbatim subtrees, and appends the 0.1 names with their old values', () => {
    const doc = { kindInfo: { kind: 'jwt', labelText: 'x' }, payload: { someClaim: 1 }, expiresAt: '2000-01-01T00:00:00Z', skipped: undefined }
    const out = snakeFields(doc, { verbatim: ['payload'], isoTimes: ['expiresAt'] }) as Record<string, unknown>
    expect(out).toEqual({
      kind_info: { kind: 'jwt', label_text: 'x', labelText: 'x' },
      payload: { someClaim: 1 },
      expires_at: 946_684_800,
      kindInfo: { kind: 'jwt', labelText: 'x' },
      expiresAt: '2000-01-01T00:00:00Z',
    })
    // new names first, aliases after them
    expect(Object.keys(out)).toEqual(['kind_info', 'payload', 'expires_at', 'kindInfo', 'expiresAt'])
  })

  it('a verbatim key is renamed but its value is not walked (sd-jwt disclosedPayload)', () => {
    expect(snakeFields({ disclosedPayload: { givenName: 'E' } }, { verbatim: ['disclosedPayload'] })).toEqual({ disclosed_payload: { givenName: 'E' }, disclosedPayload: { givenName: 'E' } })
  })

  it("call's step-up answer (only after an RFC 9470 challenge and a new sign-in): stepped_up, acr_values, max_age", () => {
    const challenge = { scheme: 'Bearer', params: { error: 'insufficient_user_authentication', acr_values: 'urn:mfa' }, claims: null, explanation: [], token68: null, claimsError: null, commands: null, at: 'column 1', warnings: [], paramList: [] }
    const doc = callJson({
      request: { method: 'GET', url: 'https://api.example/me' },
      response: { status: 200, statusText: 'OK', headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"ok":true}') },
      retried: true,
      answered: null,
      steppedUp: { challenge, request: { acrValues: 'urn:mfa', maxAge: 0 }, via: 'login' },
      verdict: { kind: 'none' },
      scheme: 'Bearer',
      nonceLoop: false,
    } as unknown as Parameters<typeof callJson>[0])
    expect(doc).toMatchObject({ status_text: 'OK', stepped_up: { acr_values: 'urn:mfa', max_age: 0, via: 'login' }, steppedUp: { acrValues: 'urn:mfa', maxAge: 0 } })
    expect(expectJsonStyle(doc, 'call after a step-up')).toEqual(new Set(['statusText', 'bodyEncoding', 'steppedUp', 'acrValues', 'maxAge']))
  })
})

describe('the checker of the CLI tests', () => {
  it('finds a camelCase own field, and not one inside a protocol object', () => {
    expect(styleFindings({ ok: 1, newField: 2, payload: { someClaim: 1 }, times: { claims: { exp: { newerField: 1 } } } }).camel).toEqual(['$.newField', '$.times.claims.exp.newerField'])
    // a server's response (introspect) is not checked; explain's own reading of one is
    expect(styleFindings({ active: true, response: { someField: 1 } }).camel).toEqual([])
    expect(styleFindings({ causes: [], response: { someField: 1 } }).camel).toEqual(['$.response.someField'])
  })

  it('fails an alias without its new name, or with another value', () => {
    expect(DEPRECATED_ALIASES.has('exitCode')).toBe(true)
    expect(() => expectJsonStyle({ error: { exitCode: 2 } }, 'x')).toThrow(/exit_code/)
    expect(() => expectJsonStyle({ error: { exit_code: 2, exitCode: 3 } }, 'x')).toThrow()
    expect(() => expectJsonStyle({ expires_at: 946_684_800, expiresAt: '2000-01-01T00:00:01Z' }, 'x')).toThrow()
    expect(expectJsonStyle({ expires_at: 946_684_800, expiresAt: '2000-01-01T00:00:00Z' }, 'x')).toEqual(new Set(['expiresAt']))
  })
})
