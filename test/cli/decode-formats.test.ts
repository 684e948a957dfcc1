import { createHash } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const h = (x: string) => createHash('sha256').update(x, 'ascii').digest('base64url')
// RFC 9901 §4.2.3
const FAMILY_NAME = 'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0'

describe('tokentool decode: SD-JWT and Security Event Tokens', () => {
  it('an SD-JWT presentation: disclosures matched, key-binding JWT checked, in --json and in words', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const jwt = await new SignJWT({ iss: 'https://issuer.example', _sd: [h(FAMILY_NAME)], cnf: { jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } } }).setProtectedHeader({ alg: 'ES256', typ: 'dc+sd-jwt' }).sign(privateKey)
    const presented = `${jwt}~${FAMILY_NAME}~`
    const kb = await new SignJWT({ aud: 'https://verifier.example', nonce: 'n', iat: 1, sd_hash: h(presented) }).setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' }).sign(privateKey)
    const r = await runCli(['--json', 'decode', presented + kb])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.kind).toBe('sd_jwt')
    expect(doc.sdJwt.disclosures[0]).toMatchObject({ name: 'family_name', value: 'Möbius', path: '$.family_name', digest: 'X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0' })
    expect(doc.sdJwt.keyBinding.sdHash.ok).toBe(true)
    const human = await runCli(['decode', presented + kb])
    expect(human.stdout).toContain('1. family_name = Möbius — at $.family_name')
    expect(human.stdout).toContain('sd_hash matches this presentation · signature NOT VERIFIED')
  })

  it('a CAEP event is named and explained', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const set = await new SignJWT({ iss: 'https://idp.example', jti: 'x', iat: 1, sub_id: { format: 'email', email: 'a@example.com' }, events: { 'https://schemas.openid.net/secevent/caep/event-type/credential-change': { credential_type: 'password', change_type: 'update' } } })
      .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' })
      .sign(privateKey)
    const r = await runCli(['decode', set])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Security events \(1\)\n\s+· CAEP credential-change: a credential of the subject was created, changed/)
    expect(r.stdout).toContain('subject: email a@example.com')
    expect(r.stdout).toContain('change_type: update')
  })
})
