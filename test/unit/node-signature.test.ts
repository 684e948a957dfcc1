/**
 * node:crypto's synchronous check says "valid" exactly where jose does for the algorithms it
 * takes (keys imported by jose, as verify imports them), and leaves every other case to jose.
 */
import { generateKeyPairSync, sign } from 'node:crypto'
import { CompactSign, exportJWK, generateKeyPair, importJWK, compactVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { nodeSignatureValid } from '../../src/core/jwt/node-signature.js'

const payload = new TextEncoder().encode('{"sub":"alice"}')
const tamper = (t: string) => t.slice(0, -4) + (t.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA')

describe('node:crypto signature check', () => {
  it.each(['RS256', 'RS512', 'PS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA'])('%s: valid where jose says valid, never on a changed signature', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    const token = await new CompactSign(payload).setProtectedHeader({ alg }).sign(privateKey)
    const material = await importJWK({ ...(await exportJWK(publicKey)), alg }, alg)
    await expect(compactVerify(token, material, { algorithms: [alg] })).resolves.toBeDefined()
    expect(nodeSignatureValid(alg, material, token)).toBe(true)
    expect(nodeSignatureValid(alg, material, tamper(token))).toBe(false)
    // the wrong algorithm for the key: left to jose
    expect(nodeSignatureValid(alg === 'ES256' ? 'ES384' : 'ES256', material, token)).toBe(false)
  })
  it('HS256 with a secret, not with an empty one', async () => {
    const secret = new TextEncoder().encode('a secret long enough for HS256 ok')
    const token = await new CompactSign(payload).setProtectedHeader({ alg: 'HS256' }).sign(secret)
    expect(nodeSignatureValid('HS256', secret, token)).toBe(true)
    expect(nodeSignatureValid('HS256', secret, tamper(token))).toBe(false)
    expect(nodeSignatureValid('HS256', new Uint8Array(0), token)).toBe(false)
  })
  it('an RSA key under 2048 bits is jose\'s to refuse', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    // jose will not sign with it either: signed here
    const input = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(payload).toString('base64url')}`
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
    const material = await importJWK({ ...publicKey.export({ format: 'jwk' }), alg: 'RS256' }, 'RS256')
    expect(nodeSignatureValid('RS256', material, token)).toBe(false)
    await expect(compactVerify(token, material, { algorithms: ['RS256'] })).rejects.toThrow()
  })
})
