import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { generateKeyPair, SignJWT } from 'jose'
import { decodeToken } from '../../src/core/jwt/decode.js'
import { InputError } from '../../src/errors.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const digest = (d: string) => createHash('sha256').update(d, 'ascii').digest('base64url')
// RFC 9901 §4.2.3: this disclosure's SHA-256 digest is X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0
const RFC_FAMILY_NAME = 'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0'
const RFC_FAMILY_NAME_DIGEST = 'X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0'
// RFC 9901 §4.2.4: an array element disclosure, "FR"
const RFC_FR = 'WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0'

async function issuerJwt(payload: Record<string, unknown>, typ = 'dc+sd-jwt') {
  const { privateKey } = await generateKeyPair('ES256')
  return new SignJWT(payload).setProtectedHeader(typ ? { alg: 'ES256', typ } : { alg: 'ES256' }).sign(privateKey)
}

describe('decode: SD-JWT (RFC 9901)', () => {
  it('decodes each disclosure and matches it to its digest (the RFC\'s own vector), arrays included', async () => {
    expect(digest(RFC_FAMILY_NAME)).toBe(RFC_FAMILY_NAME_DIGEST)
    const decoy = digest(b64(['decoy-salt', 'x', 1]))
    const jwt = await issuerJwt({ iss: 'https://issuer.example', _sd_alg: 'sha-256', _sd: [RFC_FAMILY_NAME_DIGEST, decoy], nationalities: [{ '...': digest(RFC_FR) }, 'DE'], iat: 1796126400 })
    const t = decodeToken(`${jwt}~${RFC_FAMILY_NAME}~${RFC_FR}~`, { now: NOW })
    expect(t.kind).toBe('sd_jwt')
    expect(t.kindInfo.reason).toBe('typ header is dc+sd-jwt')
    expect(t.sdJwt!.disclosures).toEqual([
      { index: 1, digest: RFC_FAMILY_NAME_DIGEST, salt: '_26bc4LT-ac6q2KI6cBW5es', name: 'family_name', value: 'Möbius', path: '$.family_name' },
      { index: 2, digest: digest(RFC_FR), salt: 'lklxF5jMYlGTPUovMNIvCA', value: 'FR', path: '$.nationalities[0]' },
    ])
    expect(t.sdJwt!.undisclosed).toBe(1)
    expect(t.sdJwt!.disclosedPayload).toEqual({ iss: 'https://issuer.example', family_name: 'Möbius', nationalities: ['FR', 'DE'], iat: 1796126400 })
    expect(t.sdJwt!.keyBinding).toBeNull()
    expect(t.notes[0]).toMatch(/^2 disclosures, no key-binding JWT; 1 digest not disclosed here/)
  })

  it('checks the key-binding JWT\'s sd_hash against the presentation it ends', async () => {
    const jwt = await issuerJwt({ iss: 'https://issuer.example', _sd: [RFC_FAMILY_NAME_DIGEST], cnf: { jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } } })
    const presented = `${jwt}~${RFC_FAMILY_NAME}~`
    const { privateKey } = await generateKeyPair('ES256')
    const kb = await new SignJWT({ aud: 'https://verifier.example', nonce: 'n-1', iat: 1796126400, sd_hash: digest(presented) }).setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' }).sign(privateKey)
    const ok = decodeToken(presented + kb, { now: NOW })
    expect(ok.sdJwt!.keyBinding).toMatchObject({ header: { typ: 'kb+jwt' }, payload: { aud: 'https://verifier.example', nonce: 'n-1' }, sdHash: { ok: true } })
    expect(ok.warnings.filter((w) => w.code === 'sd_jwt')).toEqual([])
    // the same KB-JWT after a disclosure was removed: sd_hash no longer matches
    const cut = decodeToken(`${jwt}~${kb}`, { now: NOW })
    expect(cut.sdJwt!.keyBinding!.sdHash.ok).toBe(false)
    expect(cut.warnings.map((w) => w.message).join('\n')).toContain("sd_hash does not match this presentation")
  })

  it('a broken or foreign disclosure is a problem on it, never a failure of the token', async () => {
    const jwt = await issuerJwt({ _sd: [RFC_FAMILY_NAME_DIGEST] })
    const t = decodeToken(`${jwt}~%%%~${b64(['s', 'given_name', 'Erika'])}~~`, { now: NOW })
    const [bad, foreign, empty] = t.sdJwt!.disclosures
    expect(bad!.problem).toMatch(/^not base64url JSON/)
    expect(foreign).toMatchObject({ name: 'given_name', value: 'Erika', path: null, problem: expect.stringMatching(/its digest is in no _sd array/) })
    expect(empty!.problem).toMatch(/empty disclosure/)
    expect(t.warnings.some((w) => w.code === 'sd_jwt' && /3 disclosures could not be matched/.test(w.message))).toBe(true)
  })

  it('an issuer part that is not a JWT is an InputError naming the SD-JWT', () => {
    expect(() => decodeToken('eyJhbGciOiJFUzI1NiJ9.e30~abc~', { now: NOW })).toThrow(/an SD-JWT \(it has "~"\), but its first part is not a JWT/)
  })

  it('any disclosures end in a result or an InputError (property)', async () => {
    const jwt = await issuerJwt({ _sd: [RFC_FAMILY_NAME_DIGEST] })
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.jsonValue().map(b64)), { maxLength: 6 }), fc.boolean(), (ds, trailing) => {
        try {
          const t = decodeToken(`${jwt}~${ds.join('~')}${trailing ? '~' : ''}`, { now: NOW })
          expect(t.kind).toBe('sd_jwt')
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('decode: Security Event Tokens (RFC 8417) and OpenID Federation', () => {
  it('names and explains CAEP and RISC events with their subject', async () => {
    const jwt = await issuerJwt(
      {
        iss: 'https://idp.example',
        aud: 'https://rp.example',
        jti: 'e1',
        iat: 1796126400,
        sub_id: { format: 'email', email: 'alice@example.com' },
        events: {
          'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { initiating_entity: 'policy', reason_admin: { en: 'Landspeed Policy Violation' }, event_timestamp: 1796126000 },
          'https://schemas.openid.net/secevent/risc/event-type/account-disabled': { subject: { format: 'iss_sub', iss: 'https://idp.example', sub: '7375626A656374' }, reason: 'hijacking' },
          'urn:example:custom': {},
        },
      },
      'secevent+jwt',
    )
    const t = decodeToken(jwt, { now: NOW })
    expect(t.kind).toBe('security_event')
    expect(t.securityEvents).toEqual([
      expect.objectContaining({ profile: 'CAEP', name: 'session-revoked', meaning: expect.stringContaining('session of the subject was revoked'), subject: 'email alice@example.com', details: { reason_admin: { en: 'Landspeed Policy Violation' }, initiating_entity: 'policy', event_timestamp: 1796126000 } }),
      expect.objectContaining({ profile: 'RISC', name: 'account-disabled', subject: 'iss https://idp.example, sub 7375626A656374', details: { reason: 'hijacking' } }),
      expect.objectContaining({ profile: null, name: 'urn:example:custom', meaning: null }),
    ])
  })

  it('names an entity configuration and a subordinate statement', async () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k' }] }
    const conf = decodeToken(await issuerJwt({ iss: 'https://rp.example', sub: 'https://rp.example', jwks, metadata: { openid_relying_party: {}, federation_entity: {} }, authority_hints: ['https://ta.example'] }, 'entity-statement+jwt'), { now: NOW })
    expect(conf.kind).toBe('entity_statement')
    expect(conf.kindInfo.label).toMatch(/^OpenID Federation entity configuration/)
    expect(conf.notes).toEqual(expect.arrayContaining(['entity types: openid_relying_party, federation_entity (metadata)', 'superiors (authority_hints): https://ta.example']))
    const sub = decodeToken(await issuerJwt({ iss: 'https://ta.example', sub: 'https://rp.example', jwks, metadata_policy: {} }, 'JWT'), { now: NOW })
    expect(sub.kindInfo).toMatchObject({ kind: 'entity_statement', basis: 'inferred' }) // typ JWT says nothing more
    const inferred = decodeToken(await issuerJwt({ iss: 'https://ta.example', sub: 'https://rp.example', jwks, metadata_policy: {} }, ''), { now: NOW })
    expect(inferred.kindInfo.label).toMatch(/^OpenID Federation subordinate statement/)
  })
})
