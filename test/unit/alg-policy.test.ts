import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HMAC_ALGS, allowedAlgorithms, decideAlg, incompatibleRequested, type KeyDescriptor } from '../../src/core/jwt/alg-policy.js'

const rsa: KeyDescriptor = { type: 'public', kty: 'RSA' }
const p256: KeyDescriptor = { type: 'public', kty: 'EC', crv: 'P-256' }
const ed: KeyDescriptor = { type: 'public', kty: 'OKP', crv: 'Ed25519' }
const secret: KeyDescriptor = { type: 'secret' }

describe('allowedAlgorithms: from the key, never the header', () => {
  it.each([
    [rsa, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    [p256, ['ES256']],
    [{ type: 'public', kty: 'EC', crv: 'P-521' } as KeyDescriptor, ['ES512']],
    [ed, ['EdDSA', 'Ed25519']],
    [secret, ['HS256', 'HS384', 'HS512']],
    [{ type: 'public', kty: 'RSA', alg: 'PS256' } as KeyDescriptor, ['PS256']],
    [{ type: 'public', kty: 'RSA', alg: 'ES256' } as KeyDescriptor, []], // an alg member the type cannot have
    [{ type: 'public', kty: 'EC', crv: 'secp256k1' } as KeyDescriptor, []],
  ])('%j → %j', (key, want) => {
    expect(allowedAlgorithms(key)).toEqual(want)
  })
  it('--alg narrows but never widens', () => {
    expect(allowedAlgorithms(rsa, ['PS256', 'ES256'])).toEqual(['PS256'])
    expect(allowedAlgorithms(p256, ['RS256'])).toEqual([])
  })
  it('never contains none, and a secret and a public key never share an algorithm (property)', () => {
    const desc = fc.oneof(
      fc.constant<KeyDescriptor>(secret),
      fc.record({ type: fc.constant('public' as const), kty: fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'x'), crv: fc.constantFrom('P-256', 'P-384', 'P-521', 'Ed25519', 'X'), alg: fc.option(fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'EdDSA'), { nil: undefined }) }) as fc.Arbitrary<KeyDescriptor>,
    )
    fc.assert(
      fc.property(desc, fc.option(fc.array(fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'PS256', 'EdDSA')), { nil: undefined }), (key, req) => {
        const algs = allowedAlgorithms(key, req)
        expect(algs.some((a) => a.toLowerCase() === 'none')).toBe(false)
        const hmac = algs.filter((a) => (HMAC_ALGS as readonly string[]).includes(a))
        if (key.type === 'public') expect(hmac).toEqual([])
        else expect(algs).toEqual(hmac)
      }),
    )
  })
})

describe('decideAlg', () => {
  it('rejects none in any case, whatever the key', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const d = decideAlg(alg, [secret, rsa])
      expect(d.ok).toBe(false)
      expect(d.detail).toMatch(/never accepted/)
    }
  })
  it('rejects a missing alg', () => expect(decideAlg(undefined, [rsa]).ok).toBe(false))
  it('names key confusion: HS256 against a public key', () => {
    const d = decideAlg('HS256', [rsa])
    expect(d.ok).toBe(false)
    expect(d.detail).toMatch(/HMAC algorithm but the key is an RSA public key/)
    expect(d.detail).toMatch(/key-confusion/)
  })
  it('names the reverse: RS256 against a secret', () => {
    const d = decideAlg('RS256', [secret])
    expect(d.ok).toBe(false)
    expect(d.detail).toMatch(/a secret never verifies an asymmetric token/)
  })
  it('accepts an allowed alg and lists the allowed ones', () => {
    expect(decideAlg('ES256', [p256])).toEqual({ ok: true, detail: 'ES256 (allowed: ES256)' })
  })
  it('explains a JWK alg pin and the --alg list', () => {
    expect(decideAlg('RS256', [{ type: 'public', kty: 'RSA', alg: 'PS256' }]).detail).toMatch(/the key's "alg" is PS256/)
    expect(decideAlg('RS256', [rsa], ['PS256']).detail).toMatch(/not in the --alg list \(PS256\)/)
    expect(decideAlg('ES384', [p256]).detail).toMatch(/EC P-256 public key allows ES256/)
  })
})

describe('incompatibleRequested', () => {
  it('flags --alg values a single key can never verify', () => {
    expect(incompatibleRequested(secret, ['RS256', 'HS384']).map((b) => b.alg)).toEqual(['RS256'])
    expect(incompatibleRequested(rsa, ['HS256'])[0]?.reason).toMatch(/key-confusion/)
    expect(incompatibleRequested(p256, ['ES256'])).toEqual([])
  })
})
