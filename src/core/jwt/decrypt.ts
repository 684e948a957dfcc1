/**
 * Decrypts a compact JWE with a private key (PEM: PKCS#8, PKCS#1 or SEC1) or a JWK / JWKS
 * (including a symmetric `oct` key for `dir` and AES key wrap). jose is imported here, lazily,
 * so that a plain `decode` never pays for loading it. No files: the caller passes the key text.
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { InputError } from '../../errors.js'
import { parseJsonObject, type JsonObject } from './split.js'

/**
 * Returns the JWE's plaintext as UTF-8. Throws InputError when the key cannot be read or does
 * not decrypt the token.
 * @param what names the key in errors, e.g. "--key key.pem"
 */
export async function decryptJwe(token: string, keyText: string, header: JsonObject, what = '--key'): Promise<string> {
  const jose = await import('jose')
  const candidates = await readKeys(jose, keyText, header, what)
  let lastError: unknown
  for (const key of candidates) {
    try {
      const { plaintext } = await jose.compactDecrypt(token, key, { keyManagementAlgorithms: typeof header.alg === 'string' ? [header.alg] : undefined })
      return new TextDecoder().decode(plaintext)
    } catch (e) {
      lastError = e
    }
  }
  const msg = lastError instanceof Error ? lastError.message : String(lastError)
  const code = (lastError as { code?: string } | undefined)?.code
  if (code === 'ERR_JWE_DECRYPTION_FAILED') throw new InputError(`cannot decrypt the JWE with ${what}: the key does not match (or the token was altered)`)
  throw new InputError(`cannot decrypt the JWE with ${what}: ${msg}`)
}

type Jose = typeof import('jose')
type DecryptKey = Awaited<ReturnType<Jose['importJWK']>> | KeyObject

async function readKeys(jose: Jose, text: string, header: JsonObject, what: string): Promise<DecryptKey[]> {
  const t = text.trim()
  const alg = typeof header.alg === 'string' ? header.alg : undefined
  if (t.startsWith('{')) {
    const json = parseJsonObject(t, what)
    const jwks = Array.isArray(json.keys) ? (json.keys as JsonObject[]) : [json]
    const kid = header.kid
    const chosen = kid !== undefined && jwks.some((k) => k.kid === kid) ? jwks.filter((k) => k.kid === kid) : jwks
    const keys: DecryptKey[] = []
    for (const jwk of chosen) {
      if (jwk.kty !== 'oct' && jwk.d === undefined) continue // a public key cannot decrypt
      try {
        keys.push((await jose.importJWK(jwk as Parameters<Jose['importJWK']>[0], (jwk.alg as string | undefined) ?? alg)) as DecryptKey)
      } catch (e) {
        if (chosen.length === 1) throw new InputError(`${what}: not a usable JWK (${(e as Error).message})`)
      }
    }
    if (keys.length === 0) throw new InputError(`${what}: no private or symmetric key in it (a public key cannot decrypt)`)
    return keys
  }
  if (t.includes('-----BEGIN')) {
    if (/-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY)-----/.test(t) && !/PRIVATE KEY-----/.test(t)) {
      throw new InputError(`${what}: this is a public key or certificate; decrypting needs the private key`)
    }
    try {
      return [createPrivateKey(t)]
    } catch {
      throw new InputError(`${what}: cannot read the PEM private key (encrypted or damaged?)`)
    }
  }
  throw new InputError(`${what}: expected a PEM private key or a JWK/JWKS (JSON)`)
}
