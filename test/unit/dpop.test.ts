import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { accessTokenHash, dpopAlg, htuOf, jwkThumbprint } from '../../src/core/dpop/key.js'
import { asksForDpopNonce, dpopNonceToRetry } from '../../src/core/dpop/challenge.js'
import { machineTokenKey, userTokenKey } from '../../src/core/token-decision.js'
import { cacheKey } from '../../src/core/cache-key.js'
import { userCacheKeyParts } from '../../src/oauth/user-session.js'
import { InputError } from '../../src/errors.js'

describe('DPoP keys', () => {
  it('RFC 7638 §3.1: the thumbprint of the example RSA key', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('only asymmetric private keys sign proofs', () => {
    expect(() => dpopAlg({ kty: 'oct', k: 'AAAA' }, 'k')).toThrow(/symmetric/)
    expect(() => dpopAlg({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }, 'k')).toThrow(/public key/)
    expect(() => dpopAlg({ kty: 'EC', crv: 'secp256k1', x: 'a', y: 'b', d: 'c' }, 'k')).toThrow(InputError)
    expect(dpopAlg({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }, 'k')).toBe('ES256')
    expect(dpopAlg({ kty: 'OKP', crv: 'Ed25519', x: 'a', d: 'c' }, 'k')).toBe('EdDSA')
  })

  it('RFC 9449 §7.1: ath of the example access token; htu drops query and fragment', () => {
    // the access token and its ath from the RFC's §7.1 example
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo')
    expect(htuOf(new URL('https://resource.example.org/protectedresource?a=1#frag'))).toBe('https://resource.example.org/protectedresource')
  })
})

describe('use_dpop_nonce at a resource (RFC 9449 §9)', () => {
  it('the RFC example challenge asks for a nonce; a Bearer one or a 403 does not', () => {
    const h = 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"'
    expect(dpopNonceToRetry(401, h, 'eyJ7S_zG.eyJH0-Z.HX4w-7v')).toBe('eyJ7S_zG.eyJH0-Z.HX4w-7v')
    expect(dpopNonceToRetry(401, h, null)).toBeUndefined()
    expect(dpopNonceToRetry(403, h, 'n')).toBeUndefined()
    expect(asksForDpopNonce(401, 'Bearer error="use_dpop_nonce"')).toBe(false)
    expect(asksForDpopNonce(401, 'Bearer realm="x", DPoP algs="ES256", error="use_dpop_nonce"')).toBe(true)
  })

  it('never throws on any header, and never hands back a nonce with a quote or control character', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (h, n) => {
        const got = dpopNonceToRetry(401, h, n)
        return got === undefined || /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(got)
      }),
    )
  })
})

describe('the cache key includes the binding', () => {
  const base = { issuer: 'https://as.example', clientId: 'c', scope: 'a' }
  it('a DPoP token and a bearer token, or two keys, are different cache entries; user keys agree with the store', () => {
    expect(userTokenKey({ ...base, dpopJkt: 'k1' })).not.toBe(userTokenKey(base))
    expect(userTokenKey({ ...base, dpopJkt: 'k1' })).not.toBe(userTokenKey({ ...base, dpopJkt: 'k2' }))
    expect(machineTokenKey({ ...base, grant: 'client_credentials', dpopJkt: 'k1' })).not.toBe(machineTokenKey({ ...base, grant: 'client_credentials' }))
    expect(userTokenKey({ ...base, dpopJkt: 'k1' })).toBe(cacheKey(userCacheKeyParts({ ...base, dpopJkt: 'k1' })))
    // a bearer token's key is what it was before DPoP existed
    expect(userTokenKey(base)).toBe(cacheKey({ ...base, grant: 'authorization_code' }))
  })
})

describe('checkDpopProof (RFC 9449 §4.3), on the RFC example and on tampered proofs', async () => {
  const { readFileSync } = await import('node:fs')
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose')
  const { checkDpopProof } = await import('../../src/core/dpop/proof-checks.js')
  const rfc = readFileSync(new URL('../fixtures/rfc9449/figure3-proof.jwt', import.meta.url), 'utf8').trim()
  const at = new Date(1562262616 * 1000)
  const failed = (r: { checks: { name: string; ok: boolean }[] }) => r.checks.filter((c) => !c.ok).map((c) => c.name)

  it('the Figure 3 proof passes for its request and fails for another', async () => {
    const ok = await checkDpopProof({ proof: rfc, method: 'post', url: new URL('https://server.example.com/token?x=1#y'), leeway: 60, now: at })
    expect(failed(ok)).toEqual([])
    const other = await checkDpopProof({ proof: rfc, method: 'GET', url: new URL('https://server.example.com/other'), leeway: 60, now: new Date(at.getTime() + 3600_000) })
    expect(failed(other)).toEqual(['dpop htm', 'dpop htu', 'dpop iat'])
  })

  it('a changed payload breaks the signature; a token without cnf.jkt or another ath fails', async () => {
    const [h, , sig] = rfc.split('.')
    const p = Buffer.from(JSON.stringify({ jti: 'x', htm: 'POST', htu: 'https://server.example.com/token', iat: 1562262616 })).toString('base64url')
    const r = await checkDpopProof({ proof: `${h}.${p}.${sig}`, method: 'POST', url: new URL('https://server.example.com/token'), leeway: 60, now: at, accessToken: { token: 'abc', cnf: undefined } })
    expect(failed(r)).toEqual(['dpop signature', 'dpop ath', 'dpop cnf.jkt'])
  })

  it('a proof that is typ JWT, or carries a private key, or is HMAC, fails those steps', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const pub = await exportJWK(publicKey)
    const priv = await exportJWK(privateKey)
    const sign = (hdr: Record<string, unknown>) =>
      new SignJWT({ htm: 'GET', htu: 'https://a.example/r', jti: 'abcdefghijklmnop' }).setProtectedHeader({ alg: 'ES256', ...hdr }).setIssuedAt(1562262616).sign(privateKey)
    const url = new URL('https://a.example/r')
    expect(failed(await checkDpopProof({ proof: await sign({ typ: 'JWT', jwk: pub }), method: 'GET', url, leeway: 60, now: at }))).toEqual(['dpop typ'])
    expect(failed(await checkDpopProof({ proof: await sign({ typ: 'dpop+jwt', jwk: priv }), method: 'GET', url, leeway: 60, now: at }))).toContain('dpop jwk')
    const hmac = await new SignJWT({ htm: 'GET', htu: 'https://a.example/r', jti: 'j', iat: 1562262616 }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: pub }).sign(new Uint8Array(32))
    expect(failed(await checkDpopProof({ proof: hmac, method: 'GET', url, leeway: 60, now: at }))).toEqual(['dpop alg', 'dpop signature'])
  })
})

describe('a stored DPoP key is bound to its issuer', async () => {
  const { memoryStore } = await import('../../src/store/store.js')
  const { resolveDpopKey } = await import('../../src/cli/dpop-key.js')
  const { redactKnown } = await import('../../src/core/secret-values.js')
  const deps = { env: {}, cwd: '/' }

  it('made for one issuer, refused for another (exit 2), and its private part is a registered secret', async () => {
    const store = memoryStore()
    const key = (await resolveDpopKey({ dpop: true }, undefined, { store, profile: 'p', issuer: 'https://a.example', create: 'create' }, deps))!
    expect((await store.getDpopKey('p'))?.issuer).toBe('https://a.example')
    const again = await resolveDpopKey({}, { dpop: true }, { store, profile: 'p', issuer: 'https://a.example/', create: 'create' }, deps)
    expect(again?.jkt).toBe(key.jkt)
    await expect(resolveDpopKey({ dpop: true }, undefined, { store, profile: 'p', issuer: 'https://b.example', create: 'create' }, deps)).rejects.toThrow(/bound to https:\/\/a\.example, not https:\/\/b\.example/)
    expect(redactKnown(`oops ${key.jwk.d as string} leaked`)).not.toContain(key.jwk.d as string)
  })

  it('a --dpop-key path saved for one issuer is not used for another', async () => {
    const store = memoryStore()
    const saved = { issuer: 'https://a.example', dpop: true, dpopKey: '/nonexistent/key.pem' }
    // for a.example the saved path is read (and is missing: exit 2 naming it); for b.example it is not touched
    await expect(resolveDpopKey({}, saved, { store, profile: 'p', issuer: 'https://a.example', create: 'create' }, deps)).rejects.toThrow(/key\.pem/)
    const other = await resolveDpopKey({}, saved, { store, profile: 'p', issuer: 'https://b.example', create: 'create' }, deps)
    expect((await store.getDpopKey('p'))?.issuer).toBe('https://b.example')
    expect(other?.label).toBe('the DPoP key of profile "p"')
  })
})
