/**
 * Key text → JWKs: PEM public keys (SPKI, PKCS#1), X.509 certificates, private PEM keys (whose
 * public half is used for verifying), a JWK, or a JWK Set. Also private keys for `sign`.
 * Pure apart from node:crypto's parsers: no files, no network.
 * @module
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { InputError } from '../../errors.js'

/** JWK members that make a key private (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'] as const

export interface ParsedKeys {
  /** Public JWKs (or `oct` secrets), private members removed. */
  keys: JWK[]
  /** What the text was, for messages: "PEM public key", "X.509 certificate", "JWK", "JWK Set". */
  kind: string
}

/** Parses key text given to `verify --key` / `--jwks FILE`. `what` names it in errors. */
export function parseVerificationKeys(text: string, what: string): ParsedKeys {
  const t = text.trim()
  if (t.startsWith('-----BEGIN')) return parsePem(t, what)
  if (t.startsWith('{')) return parseJwkJson(t, what)
  throw new InputError(`${what} is neither PEM (-----BEGIN ...) nor JSON (a JWK or JWK Set)`)
}

function parsePem(pem: string, what: string): ParsedKeys {
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? ''
  try {
    if (label === 'CERTIFICATE') {
      const cert = new X509Certificate(pem)
      return { keys: [publicJwk(cert.publicKey)], kind: 'X.509 certificate' }
    }
    if (label.includes('PRIVATE KEY')) {
      // A private key verifies through its public half; it is never printed.
      return { keys: [publicJwk(createPublicKey(createPrivateKey(pem)))], kind: 'PEM private key (its public half)' }
    }
    return { keys: [publicJwk(createPublicKey(pem))], kind: 'PEM public key' }
  } catch (e) {
    if (e instanceof InputError) throw e
    throw new InputError(`${what}: cannot read the PEM ${label || 'block'}: ${(e as Error).message}`)
  }
}

function publicJwk(key: KeyObject): JWK {
  const jwk = key.export({ format: 'jwk' }) as JWK
  if (!['RSA', 'EC', 'OKP'].includes(jwk.kty ?? '')) throw new InputError(`unsupported key type ${key.asymmetricKeyType}`)
  return jwk
}

function parseJwkJson(text: string, what: string): ParsedKeys {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InputError(`${what} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${what} is JSON but not a JWK or JWK Set`)
  const obj = value as Record<string, unknown>
  if (Array.isArray(obj.keys)) {
    const keys = obj.keys.map((k, i) => checkJwk(k, `${what} keys[${i}]`)).map(stripPrivate)
    if (keys.length === 0) throw new InputError(`${what} is a JWK Set with no keys`)
    return { keys, kind: 'JWK Set' }
  }
  if (typeof obj.kty === 'string') return { keys: [stripPrivate(checkJwk(obj, what))], kind: 'JWK' }
  throw new InputError(`${what} is JSON but neither a JWK (no "kty") nor a JWK Set (no "keys")`)
}

function checkJwk(v: unknown, what: string): JWK {
  if (typeof v !== 'object' || v === null || typeof (v as JWK).kty !== 'string') throw new InputError(`${what} is not a JWK (no "kty")`)
  return v as JWK
}

/** The public part of a JWK (an `oct` key stays as it is: it has no public part). */
export function stripPrivate(jwk: JWK): JWK {
  if (jwk.kty === 'oct') return jwk
  const out: Record<string, unknown> = { ...jwk }
  for (const m of PRIVATE_MEMBERS) delete out[m]
  return out as JWK
}

/** Parses a private key for `sign`: PEM (PKCS#8, SEC1, PKCS#1) or a private JWK (or `oct`). */
export function parseSigningKey(text: string, what: string): JWK {
  const t = text.trim()
  if (t.startsWith('-----BEGIN')) {
    if (!/PRIVATE KEY-----/.test(t)) throw new InputError(`${what} is not a private key: signing needs one (-----BEGIN PRIVATE KEY-----)`)
    try {
      return createPrivateKey(t).export({ format: 'jwk' }) as JWK
    } catch (e) {
      throw new InputError(`${what}: cannot read the PEM private key: ${(e as Error).message}`)
    }
  }
  if (t.startsWith('{')) {
    let v: unknown
    try {
      v = JSON.parse(t)
    } catch {
      throw new InputError(`${what} is not valid JSON`)
    }
    const obj = v as Record<string, unknown>
    if (Array.isArray(obj.keys)) {
      if (obj.keys.length !== 1) throw new InputError(`${what} is a JWK Set with ${obj.keys.length} keys: give the one private JWK to sign with`)
      return requirePrivate(checkJwk(obj.keys[0], what), what)
    }
    return requirePrivate(checkJwk(obj, what), what)
  }
  throw new InputError(`${what} is neither a PEM private key nor a JWK`)
}

function requirePrivate(jwk: JWK, what: string): JWK {
  if (jwk.kty === 'oct' ? typeof jwk.k !== 'string' : typeof jwk.d !== 'string' && typeof (jwk as { priv?: unknown }).priv !== 'string') {
    throw new InputError(`${what} is a public JWK: signing needs the private key`)
  }
  return jwk
}
