/**
 * Decrypts a compact JWE with a private key (PEM: PKCS#8, PKCS#1 or SEC1) or a JWK / JWKS
 * (including a symmetric `oct` key for `dir` and AES key wrap). The key-management algorithm
 * comes from the key (jwe-policy.ts), never from the token header, and a JWK's `use`/`key_ops`
 * must allow decryption. jose is imported here, lazily, so that a plain `decode` never pays for
 * loading it. No files: the caller passes the key text.
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { InputError } from '../../errors.js'
import { decryptUseProblem, weakKeyProblem } from '../keys/screen.js'
import { allowedJweAlgorithms, jweAlgProblem, RSA1_5_MESSAGE, type JweKeyDescriptor } from './jwe-policy.js'
import { parseJsonObject, type JsonObject } from './split.js'

/**
 * Returns the JWE's plaintext as UTF-8. Throws InputError when the key cannot be read, may not
 * be used for the token's algorithm, or does not decrypt the token.
 * @param what names the key in errors, e.g. "--key key.pem"
 */
export async function decryptJwe(token: string, keyText: string, header: JsonObject, what = '--key'): Promise<string> {
  if (header.alg === 'RSA1_5') throw new InputError(`cannot decrypt the JWE: ${RSA1_5_MESSAGE}`)
  const jose = await import('jose')
  const candidates = await readKeys(jose, keyText, header, what)
  let lastError: unknown
  for (const { key, algorithms, contentAlgorithms } of candidates) {
    try {
      const { plaintext } = await jose.compactDecrypt(token, key, { keyManagementAlgorithms: algorithms, ...(contentAlgorithms ? { contentEncryptionAlgorithms: contentAlgorithms } : {}) })
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
interface Candidate {
  key: DecryptKey
  /** What the key allows, to pin jose to: the token's alg only when it is among them. */
  algorithms: string[]
  /** A content key (`dir`) whose JWK `alg` names its content encryption: only that one. */
  contentAlgorithms?: string[]
}

function describeJwk(jwk: JWK): JweKeyDescriptor {
  const d: JweKeyDescriptor = { kty: String(jwk.kty) }
  if (typeof jwk.crv === 'string') d.crv = jwk.crv
  if (typeof jwk.alg === 'string') d.alg = jwk.alg
  if (jwk.kty === 'oct' && typeof jwk.k === 'string') d.bits = Buffer.from(jwk.k, 'base64url').length * 8
  return d
}

function describeKeyObject(key: KeyObject): JweKeyDescriptor {
  const jwk = key.export({ format: 'jwk' }) as JWK
  return describeJwk({ kty: jwk.kty, ...(jwk.crv ? { crv: jwk.crv } : {}) } as JWK)
}

async function readKeys(jose: Jose, text: string, header: JsonObject, what: string): Promise<Candidate[]> {
  const t = text.trim()
  const alg = header.alg
  if (t.startsWith('{')) {
    const json = parseJsonObject(t, what)
    const jwks = Array.isArray(json.keys) ? (json.keys as JWK[]) : [json as JWK]
    const kid = header.kid
    const chosen = kid !== undefined && jwks.some((k) => k.kid === kid) ? jwks.filter((k) => k.kid === kid) : jwks
    const keys: Candidate[] = []
    const refusals: string[] = []
    for (const jwk of chosen) {
      const name = typeof jwk.kid === 'string' ? `the key "${jwk.kid}"` : `the ${String(jwk.kty)} key`
      if (jwk.kty !== 'oct' && jwk.d === undefined) continue // a public key cannot decrypt
      const problem = weakKeyProblem(jwk) ?? decryptUseProblem(jwk) ?? jweAlgProblem(alg, describeJwk(jwk))
      if (problem) {
        refusals.push(`${name}: ${problem}`)
        continue
      }
      try {
        const { use: _u, key_ops: _o, ext: _e, ...bare } = jwk
        const content = alg === 'dir' && typeof jwk.alg === 'string' && jwk.alg !== 'dir' ? [jwk.alg] : undefined
        const { alg: _a, ...keyOnly } = bare
        keys.push({ key: (await jose.importJWK({ ...keyOnly, alg: alg as string }, alg as string)) as DecryptKey, algorithms: [alg as string], ...(content ? { contentAlgorithms: content } : {}) })
      } catch (e) {
        if (chosen.length === 1) throw new InputError(`${what}: not a usable JWK (${(e as Error).message})`)
      }
    }
    if (keys.length === 0 && refusals.length > 0) throw new InputError(`cannot decrypt the JWE with ${what}: ${refusals.join('; ')}`)
    if (keys.length === 0) throw new InputError(`${what}: no private or symmetric key in it (a public key cannot decrypt)`)
    return keys
  }
  if (t.includes('-----BEGIN')) {
    if (/-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY)-----/.test(t) && !/PRIVATE KEY-----/.test(t)) {
      throw new InputError(`${what}: this is a public key or certificate; decrypting needs the private key`)
    }
    let key: KeyObject
    try {
      key = createPrivateKey(t)
    } catch {
      throw new InputError(`${what}: cannot read the PEM private key (encrypted or damaged?)`)
    }
    const descriptor = describeKeyObject(key)
    const problem = jweAlgProblem(alg, descriptor)
    if (problem) throw new InputError(`cannot decrypt the JWE with ${what}: ${problem}`)
    return [{ key, algorithms: allowedJweAlgorithms(descriptor).filter((a) => a === alg) }]
  }
  throw new InputError(`${what}: expected a PEM private key or a JWK/JWKS (JSON)`)
}
