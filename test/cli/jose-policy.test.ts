/**
 * JOSE policy from the key, never the token, through the built binary: JWE key-management
 * algorithms from the JWK (`alg`, type, size), `use`/`key_ops` honoured for decrypting and for
 * verifying, weak and ambiguous keys named (RSA e=1 refused: it makes forgery trivial; short
 * HMAC secrets, a JWKS mixing public and secret keys, duplicate kids warned about; a secret in a
 * published JWKS refused), a validly signed non-UTF-8 payload verified but not text, RSA1_5
 * refused with its reason, and decode and verify refusing the same malformed base64url.
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli, type CliResult } from '../helpers/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'jose-policy-'))
const file = (name: string, content: unknown) => {
  const p = join(dir, name)
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content))
  return p
}
const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')
const enc = (s: string) => new TextEncoder().encode(s)
const NOW = ['--now', '1800000000']

function oneLine(r: CliResult, code: number, pattern: RegExp, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(code)
  expect(r.stderr, what).toMatch(pattern)
  expect(r.stderr, what).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
}

describe('JWE: the algorithm comes from the key', () => {
  const k = randomBytes(16)
  const jwe = (alg: string, key: Uint8Array = k) => new jose.CompactEncrypt(enc('{"sub":"alice"}')).setProtectedHeader({ alg, enc: 'A128GCM' }).encrypt(key)
  const oct = (extra: Record<string, unknown> = {}) => ({ kty: 'oct', k: b64(k), ...extra })

  it('a JWK whose alg is A128GCMKW does not decrypt an A128KW token; without alg it does', async () => {
    const token = await jwe('A128KW')
    const refused = await runCli(['decode', '--key', file('gcmkw.json', oct({ alg: 'A128GCMKW' })), token])
    oneLine(refused, 2, /the token says alg A128KW but the key's "alg" is A128GCMKW: the algorithm comes from the key, never from the token/, 'A128GCMKW key')
    const ok = await runCli(['decode', '--json', '--key', file('noalg.json', oct()), token])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).payload).toEqual({ sub: 'alice' })
  })

  it('an AES key is never taken as a PBES2 password because the token says so', async () => {
    const token = await new jose.CompactEncrypt(enc('{"sub":"alice"}')).setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' }).encrypt(k)
    const r = await runCli(['decode', '--key', file('aes.json', oct()), token])
    oneLine(r, 2, /the token says alg PBES2-HS256\+A128KW, which a 128-bit secret key does not allow \(allowed: A128KW, A128GCMKW, dir\)/, 'PBES2')
  })

  it('key_ops and use are honoured: a key for encrypt only, or for signatures, does not decrypt', async () => {
    const token = await jwe('A128KW')
    oneLine(await runCli(['decode', '--key', file('ops.json', oct({ key_ops: ['encrypt'] })), token]), 2, /"key_ops" \(encrypt\) do not include "decrypt" or "unwrapKey"/, 'key_ops')
    oneLine(await runCli(['decode', '--key', file('use.json', oct({ use: 'sig' })), token]), 2, /its "use" is "sig", not "enc"/, 'use')
    const fine = await runCli(['decode', '--key', file('ops-ok.json', oct({ key_ops: ['unwrapKey'], use: 'enc' })), token])
    expect(fine.code, fine.stderr).toBe(0)
  })

  it('RSA1_5 is refused with the reason, for a JWK and for a PEM key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const header = b64(JSON.stringify({ alg: 'RSA1_5', enc: 'A128CBC-HS256' }))
    const token = `${header}.${b64(randomBytes(256))}.${b64(randomBytes(16))}.${b64(randomBytes(32))}.${b64(randomBytes(16))}`
    const pem = file('rsa.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
    const jwk = file('rsa.json', privateKey.export({ format: 'jwk' }))
    for (const key of [pem, jwk]) {
      oneLine(await runCli(['decode', '--key', key, token]), 2, /RSA1_5 \(RSAES-PKCS1-v1_5\) key encryption is refused: its padding oracle/, `RSA1_5 ${key}`)
    }
  })

  it('a PEM RSA key decrypts RSA-OAEP-256 but not a token that names an AES algorithm', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = file('rsa2.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
    const good = await new jose.CompactEncrypt(enc('{"sub":"bob"}')).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey)
    expect((await runCli(['decode', '--key', pem, good])).code).toBe(0)
    const odd = await jwe('A128KW')
    oneLine(await runCli(['decode', '--key', pem, odd]), 2, /the token says alg A128KW, which an RSA key does not allow \(allowed: RSA-OAEP/, 'RSA key, AES token')
  })
})

describe('JWS: use, key_ops and weak keys', () => {
  let es: { privateKey: jose.CryptoKey; jwk: jose.JWK }
  beforeAll(async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
    es = { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' } }
  })
  const esToken = (header: Record<string, unknown> = {}) => new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(es.privateKey)

  it('a key restricted to encrypt (key_ops) or encryption (use) does not verify signatures', async () => {
    const token = await esToken()
    const control = await runCli(['verify', ...NOW, '--jwks', file('es.json', { keys: [es.jwk] }), token])
    expect(control.code, control.stderr).toBe(0)
    for (const [name, extra, why] of [
      ['ops', { key_ops: ['encrypt'] }, /"key_ops" \(encrypt\) do not include "verify"/],
      ['use', { use: 'enc' }, /"use" is "enc", not "sig"/],
    ] as const) {
      const r = await runCli(['verify', ...NOW, '--json', '--jwks', file(`es-${name}.json`, { keys: [{ ...es.jwk, ...extra }] }), token])
      expect(r.code, r.stderr).toBe(1)
      const key = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((c) => c.name === 'key')!
      expect(key.ok).toBe(false)
      expect(key.detail).toMatch(why)
    }
  })

  it('an RSA key with exponent 1 is refused: the token forged for it (signature = padded message) does not verify', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as jose.JWK), e: 'AQ' }
    const input = `${b64('{"alg":"RS256"}')}.${b64('{"sub":"admin"}')}`
    // EMSA-PKCS1-v1_5: 00 01 FF.. 00 DigestInfo(SHA-256) hash; with e=1 this is its own signature
    const t = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(input).digest()])
    const n = Buffer.from(jwk.n!, 'base64url').length
    const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(n - t.length - 3, 0xff), Buffer.from([0]), t])
    const forged = `${input}.${b64(em)}`
    // jose alone would accept it: that is what tokentool must not do
    expect((await jose.compactVerify(forged, await jose.importJWK({ ...jwk, alg: 'RS256' }, 'RS256'))).protectedHeader.alg).toBe('RS256')
    const r = await runCli(['verify', ...NOW, '--key', file('e1.json', jwk), forged])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/warning: ignored RSA key from .*e1\.json: its RSA exponent is 1, so any padded message is its own signature/)
    expect(r.stdout).toMatch(/FAIL\s+key/)
  })

  it('a short HMAC secret verifies but is named in a warning; a long one is not', async () => {
    const short = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).sign(enc('short-secret'))
    const r = await runCli(['verify', ...NOW, '--secret', 'short-secret', short])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/warning: the HMAC key is 12 bytes, shorter than the 32 bytes HS256 needs \(RFC 7518 §3\.2\)/)
    const secret = 'x'.repeat(32)
    const long = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).sign(enc(secret))
    const ok = await runCli(['verify', ...NOW, '--secret', secret, long])
    expect(ok.code).toBe(0)
    expect(ok.stderr).toBe('')
  })

  it('a JWKS file mixing public and secret keys: the secret is left out (named); two keys with the token\'s kid: refused as ambiguous', async () => {
    const token = await esToken()
    const hk = randomBytes(32)
    const mixed = file('mixed.json', { keys: [es.jwk, { kty: 'oct', k: b64(hk), kid: 'h1' }] })
    const ok = await runCli(['verify', ...NOW, '--jwks', mixed, token])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stderr).toMatch(/warning: ignored kid "h1" from .*: a secret \(oct\) key in a set of public keys is left out/)
    const hsToken = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256', kid: 'h1' }).sign(hk)
    const refused = await runCli(['verify', ...NOW, '--jwks', mixed, hsToken])
    expect(refused.code).toBe(1)
    expect(refused.stdout.replace(/\s+/g, ' ')).toMatch(/FAIL\s+key\s+no key with kid "h1" in the key source \(kid "h1" from .* was left out: a secret \(oct\) key in a set of public keys/)

    const other = await jose.generateKeyPair('ES256', { extractable: true })
    const twin = { ...(await jose.exportJWK(other.publicKey)), kid: 'k1', alg: 'ES256' }
    const r = await runCli(['verify', ...NOW, '--jwks', file('twins.json', { keys: [es.jwk, twin] }), token])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/warning: 2 keys share the kid "k1": a token naming it is refused/)
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/FAIL\s+key\s+2 keys in the key source share the kid "k1": ambiguous, so none is used/)
  })

  describe('a secret in a JWKS served at a URL', () => {
    let server: TinyServer
    const k = randomBytes(32)
    beforeAll(async () => {
      server = await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ keys: [{ kty: 'oct', k: b64(k), kid: 'pub-secret', alg: 'HS256' }] }))
      })
    })
    afterAll(async () => {
      await server?.close()
    })
    it('is refused: anyone who fetched it could have signed the token', async () => {
      const token = await new jose.SignJWT({ sub: 'mallory' }).setProtectedHeader({ alg: 'HS256', kid: 'pub-secret' }).sign(k)
      const r = await runCli(['verify', ...NOW, '--jwks', `${server.url}/jwks`, token])
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/warning: ignored kid "pub-secret" .*: a secret \(oct\) key in a JWKS published at a URL is known to everyone/)
    })
  })
})

describe('payloads and well-formedness', () => {
  const secret = 'payload-policy-secret-0123456789abcdef'
  const hs = (payload: Buffer | string, header = '{"alg":"HS256"}') => {
    const input = `${b64(header)}.${b64(payload)}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }

  it('a validly signed payload that is not UTF-8: verified, reported as not text (exit 0), base64url in --json', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])
    const token = hs(bytes)
    const r = await runCli(['verify', ...NOW, '--secret', secret, token])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/PASS\s+signature\s+valid HS256 signature/)
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/SKIP\s+payload\s+not UTF-8 text \(5 bytes\): shown as base64url; the signature over it is valid/)
    const j = await runCli(['verify', ...NOW, '--json', '--secret', secret, token])
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: true, payload: bytes.toString('base64url') })
    // asking for a claim of a payload that has none fails, as for any non-claims payload
    expect((await runCli(['verify', ...NOW, '--secret', secret, '--sub', 'x', token])).code).toBe(1)
  })

  it('decode and verify refuse the same malformed base64url: a space inside, non-zero unused bits', async () => {
    const good = hs('{"sub":"alice"}')
    const [h, p, s] = good.split('.') as [string, string, string]
    const spaced = `${h}.${p.slice(0, 5)} ${p.slice(5)}.${s}`
    // flip the unused low bits of the signature's last character (43 chars: 2 unused bits)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(s[s.length - 1]!)
    const bits = `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 1]}`
    expect(Buffer.from(bits.split('.')[2]!, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true) // same bytes: jose would accept
    for (const [name, token, why] of [
      ['space', spaced, /segment 2 \(payload\) is not valid base64url: whitespace at position 6/],
      ['unused bits', bits, /segment 3 \(signature\) is not valid base64url: the last character '.' has non-zero unused bits/],
    ] as const) {
      oneLine(await runCli(['decode', token]), 2, why, `decode ${name}`)
      oneLine(await runCli(['verify', ...NOW, '--secret', secret, token]), 2, why, `verify ${name}`)
    }
  })
})
