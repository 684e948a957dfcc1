/** `tokentool keygen` and `sign` through the built binary, and sign → verify round trips. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'sign-cli-'))
const fx = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname
const NOW = '1800000000'

describe('keygen', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256'])('%s: a private JWK whose kid is its RFC 7638 thumbprint', async (alg) => {
    const r = await runCli(['keygen', '--alg', alg])
    expect(r.code).toBe(0)
    const jwk = JSON.parse(r.stdout) as jose.JWK
    expect(jwk).toMatchObject({ alg, use: 'sig', kty: { ES256: 'EC', RS256: 'RSA', PS256: 'RSA', EdDSA: 'OKP', HS256: 'oct' }[alg] })
    expect(jwk.kid).toBe(await jose.calculateJwkThumbprint(jwk, 'sha256'))
    expect(typeof (alg === 'HS256' ? jwk.k : jwk.d)).toBe('string')
  })

  it('--jwks FILE writes the public set (no private members), the private JWK on stdout', async () => {
    const jwksPath = join(dir, 'kg-jwks.json')
    const r = await runCli(['keygen', '--alg', 'ES256', '--jwks', jwksPath])
    expect(r.code).toBe(0)
    const priv = JSON.parse(r.stdout) as jose.JWK
    const set = JSON.parse(readFileSync(jwksPath, 'utf8')) as { keys: jose.JWK[] }
    expect(set.keys).toHaveLength(1)
    expect(set.keys[0]).toEqual({ kty: 'EC', kid: priv.kid, use: 'sig', alg: 'ES256', crv: 'P-256', x: priv.x, y: priv.y })
  })

  it('--jwks alone prints the public set and needs --out for the private key (written 0600)', async () => {
    expect((await runCli(['keygen', '--jwks'])).code).toBe(2)
    const out = join(dir, 'kg-private.json')
    const r = await runCli(['keygen', '--alg', 'EdDSA', '--jwks', '--out', out])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).keys[0].d).toBeUndefined()
    expect(JSON.parse(readFileSync(out, 'utf8')).d).toEqual(expect.any(String))
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('refuses --jwks for HMAC and unknown algorithms', async () => {
    expect((await runCli(['keygen', '--alg', 'HS256', '--jwks', join(dir, 'x.json')])).stderr).toMatch(/no public half/)
    expect((await runCli(['keygen', '--alg', 'none'])).code).toBe(2)
  })
})

describe('sign → verify round trip', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256'])('%s', async (alg) => {
    const keyPath = join(dir, `rt-${alg}.json`)
    const jwksPath = join(dir, `rt-${alg}-jwks.json`)
    const kg = await runCli(['keygen', '--alg', alg, ...(alg === 'HS256' ? ['--out', keyPath] : ['--out', keyPath, '--jwks', jwksPath])])
    expect(kg.code, kg.stderr).toBe(0)
    const s = await runCli(['sign', '--key', keyPath, '--iss', 'https://issuer.test', '--sub', 'alice', '--aud', 'api', '--exp', '1h', '--typ', 'at+jwt', '--claim', 'scope=orders.read', '--now', NOW])
    expect(s.code, s.stderr).toBe(0)
    const token = s.stdout.trim()
    expect(jose.decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: JSON.parse(readFileSync(keyPath, 'utf8')).kid })
    // an HMAC key is its own verification key (an oct JWK); the others verify with the public JWKS only
    const keyFlags = alg === 'HS256' ? ['--key', keyPath] : ['--jwks', jwksPath]
    const v = await runCli(['verify', '--json', ...keyFlags, '--iss', 'https://issuer.test', '--aud', 'api', '--sub', 'alice', '--typ', 'at+jwt', '--scope', 'orders.read', '--now', NOW, token])
    expect(v.code, v.stdout + v.stderr).toBe(0)
    const doc = JSON.parse(v.stdout)
    expect(doc.valid).toBe(true)
    expect(doc.payload).toEqual({ iss: 'https://issuer.test', sub: 'alice', aud: 'api', iat: 1800000000, exp: 1800003600, scope: 'orders.read' })
  })

  it('HS256 with --secret (env:VAR) round-trips with verify --secret', async () => {
    const env = { K: 'a-long-enough-test-secret-for-hs256' }
    const s = await runCli(['sign', '--secret', 'env:K', '--sub', 'svc', '--exp', '10m'], { env })
    expect(s.code).toBe(0)
    const v = await runCli(['verify', '--secret', 'env:K', '--sub', 'svc', s.stdout.trim()], { env })
    expect(v.code, v.stdout).toBe(0)
  })

  it('a private PEM signs (RS256 by default) and its certificate verifies', async () => {
    const s = await runCli(['sign', '--key', fx('keys/cert-key.pem'), '--sub', 'alice', '--exp', '1h'])
    expect(s.code, s.stderr).toBe(0)
    expect(jose.decodeProtectedHeader(s.stdout.trim()).alg).toBe('RS256')
    expect((await runCli(['verify', '--key', fx('keys/cert.pem'), s.stdout.trim()])).code).toBe(0)
  })

  it('--exp -5m mints an expired token that verify rejects', async () => {
    const keyPath = join(dir, 'exp-key.json')
    await runCli(['keygen', '--out', keyPath])
    const s = await runCli(['sign', '--key', keyPath, '--exp', '-5m', '--now', NOW])
    const v = await runCli(['verify', '--json', '--key', keyPath, '--now', NOW, s.stdout.trim()])
    expect(v.code).toBe(1)
    expect(JSON.parse(v.stdout).checks.find((c: { name: string }) => c.name === 'exp')).toMatchObject({ ok: false, detail: expect.stringMatching(/expired .*5m ago/) })
  })
})

describe('sign', () => {
  const secret = ['--secret', 'test-secret-test-secret-test-secret']

  it('sets every registered claim from its flag', async () => {
    const s = await runCli(['--json', 'sign', ...secret, '--iss', 'i', '--sub', 's', '--aud', 'a1', '--aud', 'a2', '--exp', '2030-01-01T00:00:00Z', '--nbf', '0', '--iat', '1800000000', '--jti', 'id-1', '--kid', 'k', '--now', NOW])
    expect(s.code, s.stderr).toBe(0)
    const doc = JSON.parse(s.stdout)
    expect(doc.header).toEqual({ alg: 'HS256', kid: 'k' })
    expect(doc.payload).toEqual({ iss: 'i', sub: 's', aud: ['a1', 'a2'], iat: 1800000000, nbf: 1800000000, exp: 1893456000, jti: 'id-1' })
    expect(jose.decodeJwt(doc.token)).toEqual(doc.payload)
  })

  it('takes the payload from stdin or a file; flags override it; --no-iat', async () => {
    const s = await runCli(['sign', ...secret, '--payload', '-', '--sub', 'flag', '--claim', 'n=2', '--no-iat'], { input: '{"sub":"payload","role":"admin"}' })
    expect(s.code, s.stderr).toBe(0)
    expect(jose.decodeJwt(s.stdout.trim())).toEqual({ sub: 'flag', role: 'admin', n: 2 })
    const f = join(dir, 'payload.json')
    writeFileSync(f, '{"hello":"world"}')
    expect(jose.decodeJwt((await runCli(['sign', ...secret, '--payload', f, '--no-iat'])).stdout.trim())).toEqual({ hello: 'world' })
    const bad = await runCli(['sign', ...secret, '--payload', '-'], { input: '[1,2]' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not an object/)
  })

  it('refuses none, an algorithm the key cannot make, no key, and a public key', async () => {
    expect((await runCli(['sign', ...secret, '--alg', 'none'])).stderr).toMatch(/does not mint unsigned tokens/)
    const ec = await runCli(['sign', '--key', fx('keys/cert-key.pem'), '--alg', 'ES256'])
    expect(ec.code).toBe(2)
    expect(ec.stderr).toMatch(/--alg ES256 cannot sign with an RSA key/)
    expect((await runCli(['sign', ...secret, '--alg', 'RS256'])).code).toBe(2)
    expect((await runCli(['sign'])).code).toBe(2)
    const pub = await runCli(['sign', '--key', fx('keys/cert-public.pem')])
    expect(pub.code).toBe(2)
    expect(pub.stderr).toMatch(/not a private key/)
    expect((await runCli(['sign', ...secret, '--exp', 'tomorrow'])).code).toBe(2)
  })
})
