/**
 * The HTTP layer tells the redaction registry (core/secret-values.ts) about every secret that
 * crosses the wire, by the name it travels under: request parameters (`client_secret`,
 * `refresh_token`, `code`, `code_verifier`, `client_assertion`, `subject_token`, `token`, …),
 * the `Authorization` header (a Basic credential with the secret inside it), and the members
 * of a JSON answer (`access_token`, `refresh_token`, `id_token`, `device_code`). Whatever a
 * command forgot to register is known before it can be echoed back.
 * @module
 */
import { registerBasicCredential, registerSecret } from '../core/secret-values.js'
import { isSecretName } from './redact.js'

function learnAuthorization(value: string): void {
  const m = /^(\S+)\s+(\S+)\s*$/.exec(value)
  if (!m) return registerSecret(value)
  if (m[1]!.toLowerCase() === 'basic') registerBasicCredential(m[2]!)
  else registerSecret(m[2]!)
}

function learnJson(value: unknown, key: string | undefined, depth = 0): void {
  if (depth > 20) return
  if (typeof value === 'string') {
    if (key !== undefined && isSecretName(key)) registerSecret(value)
  } else if (Array.isArray(value)) {
    for (const v of value) learnJson(v, key, depth + 1)
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) learnJson(v, k, depth + 1)
  }
}

/** What a request carries: secret headers and secret body parameters (form or JSON). */
export function learnFromRequest(headers: Headers, body: string | undefined): void {
  for (const [k, v] of headers) {
    const n = k.toLowerCase()
    if (n === 'authorization' || n === 'proxy-authorization') learnAuthorization(v)
    else if (n === 'cookie') for (const pair of v.split(/;\s*/)) registerSecret(pair.slice(pair.indexOf('=') + 1))
    else if (isSecretName(n)) registerSecret(v)
  }
  if (body === undefined || body === '') return
  const t = body.trim()
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return learnJson(JSON.parse(t), undefined)
    } catch {
      // not JSON: maybe a form
    }
  }
  for (const [k, v] of new URLSearchParams(t)) if (isSecretName(k)) registerSecret(v)
}

/** What a JSON answer carries under secret names. */
export function learnFromResponse(contentType: string | null, body: string): void {
  if (!contentType || !/json/i.test(contentType)) return
  try {
    learnJson(JSON.parse(body), undefined)
  } catch {
    // not JSON after all
  }
}
