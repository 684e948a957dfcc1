/** RFC 7520 §4.1–4.4 signature examples, copied from the RFC text, verified in-process. */
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier, type KeySource } from '../../src/core/jwt/verify.js'
import { jwkKey } from '../../src/cli/keys.js'

const dir = new URL('../fixtures/rfc7520/', import.meta.url)
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8').trim()
const jwk = (f: string) => JSON.parse(read(f)) as JWK
const source = (k: JWK): KeySource => {
  const key = jwkKey(k, `kid "${k.kid}"`)
  return { lookup: async () => ({ keys: [key] }) }
}
const NOW = new Date('2026-01-01T00:00:00Z')
const PAYLOAD = "It’s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there’s no knowing where you might be swept off to."

const cases = [
  ['§4.1 RS256', '4.1-rs256.jws', 'rsa-2048-public.jwk.json'],
  ['§4.2 PS384', '4.2-ps384.jws', 'rsa-2048-public.jwk.json'],
  ['§4.3 ES512', '4.3-es512.jws', 'ec-p521-public.jwk.json'],
  ['§4.4 HS256', '4.4-hs256.jws', 'hmac-sha256.jwk.json'],
] as const

describe('RFC 7520 §4 signature examples', () => {
  it.each(cases)('%s verifies; its plain-text payload makes the claim checks not applicable', async (_, token, key) => {
    const r = await createVerifier(source(jwk(key)), { clockSkew: 60 })(read(token), NOW)
    expect(r.valid).toBe(true)
    expect(r.checks.find((c) => c.name === 'signature')).toMatchObject({ ok: true })
    expect(r.checks.find((c) => c.name === 'exp')).toMatchObject({ ok: true, skipped: true })
    expect(r.payload).toBe(PAYLOAD)
  })

  it.each(cases)('%s with one signature bit flipped fails the signature check only', async (_, token, key) => {
    const t = read(token)
    const last = t.at(-2) === 'A' ? 'B' : 'A'
    const tampered = t.slice(0, -2) + last + t.slice(-1)
    const r = await createVerifier(source(jwk(key)), { clockSkew: 60 })(tampered, NOW)
    expect(r.valid).toBe(false)
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['signature'])
  })

  it('the §4.4 HMAC token against the RSA public key is refused by the alg policy (key confusion)', async () => {
    const r = await createVerifier(source(jwk('rsa-2048-public.jwk.json')), { clockSkew: 60 })(read('4.4-hs256.jws'), NOW)
    expect(r.valid).toBe(false)
    expect(r.checks[0]).toMatchObject({ name: 'alg', ok: false, detail: expect.stringMatching(/key-confusion/) })
  })

  it('--alg narrows: RS256 allowed only → the PS384 example fails on alg', async () => {
    const r = await createVerifier(source(jwk('rsa-2048-public.jwk.json')), { clockSkew: 60, algorithms: ['RS256'] })(read('4.2-ps384.jws'), NOW)
    expect(r.checks[0]).toMatchObject({ name: 'alg', ok: false, detail: 'PS384 is not in the --alg list (RS256)' })
  })
})
