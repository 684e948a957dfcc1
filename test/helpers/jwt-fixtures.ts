/** Tokens for decode tests, signed for real with jose (keys made once per test file). */
import { CompactEncrypt, SignJWT, exportPKCS8, exportJWK, generateKeyPair, type JWTPayload } from 'jose'

export const NOW = new Date('2026-01-01T00:00:00Z')
export const NOW_S = Math.floor(NOW.getTime() / 1000)

export const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/** An unsigned-looking JWS from raw parts (for shapes jose will not sign). */
/**
 * The token with one character of its signature changed, still canonical base64url: the third
 * from the end. A signature's last character may carry unused bits (an ES256 or RS256
 * signature's carries 2 of its 6), so changing the last two, as four tests once did ('AA' for
 * the last two, 'BB' when they were 'AA'), made a malformed segment once in ~256 runs instead of
 * a wrong signature.
 */
export function tamperSignature(token: string): string {
  const at = token.length - 3
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
}

export const rawJws = (header: unknown, payload: unknown, sig = 'c2lnbmF0dXJl') => `${b64(header)}.${b64(payload)}.${sig}`

let rsa: Awaited<ReturnType<typeof generateKeyPair>> | undefined
export async function rsaKeys() {
  rsa ??= await generateKeyPair('RS256', { extractable: true })
  return rsa
}

export async function sign(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await rsaKeys()
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...header }).sign(privateKey)
}

export async function hs256(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode('a-realm-secret-of-32-bytes-long!!'))
}

/** A JWE for the RSA key, its content `plaintext`; and the private key as PEM and JWK. */
export async function encrypt(plaintext: string, header: Record<string, unknown> = {}) {
  const keys = await generateKeyPair('RSA-OAEP-256', { extractable: true })
  const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', ...header })
    .encrypt(keys.publicKey)
  return { jwe, pem: await exportPKCS8(keys.privateKey), jwk: await exportJWK(keys.privateKey), publicJwk: await exportJWK(keys.publicKey) }
}
