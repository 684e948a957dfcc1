import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cacheKey, canonicalJson, normalizeKeyParts } from '../../src/core/cache-key.js'

const base = { issuer: 'https://as.example', clientId: 'cli', grant: 'client_credentials' }

describe('cacheKey', () => {
  it('is the same for the same scopes in any order, spacing or repetition', () => {
    const scope = fc.uniqueArray(fc.stringMatching(/^[a-z:.]{1,8}$/), { minLength: 1, maxLength: 6 })
    fc.assert(
      fc.property(scope, fc.nat(), (scopes, seed) => {
        const shuffled = [...scopes].sort(() => ((seed = (seed * 9301 + 49297) % 233280) / 233280) - 0.5)
        expect(cacheKey({ ...base, scope: scopes.join(' ') })).toBe(cacheKey({ ...base, scope: `  ${[...shuffled, scopes[0]!].join('   ')} ` }))
        expect(cacheKey({ ...base, scope: scopes })).toBe(cacheKey({ ...base, scope: shuffled.join(' ') }))
      }),
    )
  })

  it('is the same for a claims object and its JSON text with members reordered', () => {
    const a = { access_token: { xms_cc: { values: ['cp1'] }, nbf: { essential: true, value: '1700000000' } } }
    const b = '{"access_token":{"nbf":{"value":"1700000000","essential":true},"xms_cc":{"values":["cp1"]}}}'
    expect(cacheKey({ ...base, claims: a })).toBe(cacheKey({ ...base, claims: b }))
  })

  it('differs when anything that shapes the token differs', () => {
    const keys = new Set([
      cacheKey(base),
      cacheKey({ ...base, issuer: 'https://other.example' }),
      cacheKey({ ...base, clientId: 'cli2' }),
      cacheKey({ ...base, grant: 'refresh_token' }),
      cacheKey({ ...base, scope: 'openid' }),
      cacheKey({ ...base, audience: 'api' }),
      cacheKey({ ...base, resource: 'https://api.example' }),
      cacheKey({ ...base, claims: { access_token: { acrs: { values: ['c1'] } } } }),
      cacheKey({ ...base, extra: { dpop_jkt: 'abc' } }),
      // the same value under another name is another request
      cacheKey({ ...base, audience: 'x' }),
      cacheKey({ ...base, resource: 'x' }),
    ])
    expect(keys.size).toBe(11)
  })

  it('treats empty values as absent and has a stable, file-name-safe form', () => {
    expect(cacheKey({ ...base, scope: '  ', audience: [], claims: '', extra: {} })).toBe(cacheKey(base))
    // a fixed vector: changing the normalisation would orphan every cached token
    expect(cacheKey({ ...base, scope: 'b a' })).toBe('ck1-Eh5m-dbpARrjmgNN_XCjdXnO3Xy5g-9cWuAGVxv64H4')
    expect(cacheKey(base)).toMatch(/^ck1-[A-Za-z0-9_-]{43}$/)
  })

  it('normalises to sorted, de-duplicated lists', () => {
    expect(normalizeKeyParts({ ...base, scope: 'openid profile openid', audience: ['b', 'a'] })).toEqual({
      v: 1, ...base, scope: ['openid', 'profile'], audience: ['a', 'b'],
    })
  })

  it('canonicalJson sorts keys at every depth and keeps array order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)))
        expect(canonicalJson(JSON.parse(text))).toBe(text)
      }),
    )
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: null } })).toBe('{"a":{"c":null,"d":1},"b":[2,1]}')
  })
  it("is node:crypto's SHA-256 of the canonical parts, for any text (the keys of caches written before @noble/hashes)", () => {
    // full Unicode and lone surrogates: both encoders write U+FFFD for one
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string())
    fc.assert(
      fc.property(text, text, fc.array(text, { maxLength: 4 }), fc.option(fc.jsonValue(), { nil: undefined }), (issuer, clientId, scope, claims) => {
        const parts = { issuer, clientId, grant: 'authorization_code', scope, claims }
        const expected = 'ck1-' + createHash('sha256').update(canonicalJson(normalizeKeyParts(parts))).digest('base64url')
        expect(cacheKey(parts)).toBe(expected)
      }),
      { numRuns: 300 },
    )
    // longer than one block, and at the lengths where SHA-256's padding takes a block of its own
    for (const n of [55, 56, 63, 64, 65, 119, 120, 1000]) {
      const parts = { issuer: 'i'.repeat(n), grant: 'g' }
      expect(cacheKey(parts)).toBe('ck1-' + createHash('sha256').update(canonicalJson(normalizeKeyParts(parts))).digest('base64url'))
    }
  })
})
