/**
 * The one redaction function of tokentool: everything that might echo a secret (the `-v`
 * trace, error lines quoting server data) goes through here. Rules, from the contract:
 * - a JWT anywhere keeps its header and payload (still inspectable) and loses its signature
 *   (`<redacted>`), so it cannot be replayed; a JWE keeps only its protected header;
 * - a value under a secret name (`client_secret`, `refresh_token`, `code`, `Authorization`,
 *   `Cookie`, …) that is not a JWT shows its first 6 characters and its length:
 *   `abc123…(40 chars)` (fewer characters for a short value, never all of it).
 * Works on URLs (query and fragment), form bodies, JSON bodies, header maps and free text.
 * Besides names, values: every secret the run registered (`registerSecret`, see
 * core/secret-values.ts) is replaced in every encoding wherever it appears, after the rules
 * by name, so that a server quoting the request in its `error_description` quotes nothing.
 * @module
 */
import { redactKnown } from '../core/secret-values.js'
export { redactKnown, registerSecret, registerClientCredentials, registerBasicCredential } from '../core/secret-values.js'

/** Parameter, JSON member and header names whose values are secrets (compared lowercased). */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  'client_secret',
  'refresh_token',
  'access_token',
  'id_token',
  'logout_token',
  'code',
  'code_verifier',
  'device_code',
  'assertion',
  'client_assertion',
  'subject_token',
  'actor_token',
  'token', // RFC 7662 introspection / RFC 7009 revocation request parameter
  'registration_access_token', // RFC 7591/7592: manages the registered client
  'password',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
])

export const REDACTED = '<redacted>'

const B64 = '[A-Za-z0-9_-]'
/** JWE compact serialisation: 5 segments, the protected header is JSON (`eyJ`). */
const JWE_RE = new RegExp(`\\beyJ${B64}*\\.${B64}*\\.${B64}+\\.${B64}+\\.${B64}+`, 'g')
/** JWS compact serialisation with a signature (3 segments). */
const JWS_RE = new RegExp(`\\beyJ${B64}*\\.${B64}+\\.${B64}+`, 'g')
const WHOLE_JWE = new RegExp(`^eyJ${B64}*\\.${B64}*\\.${B64}+\\.${B64}+\\.${B64}+$`)
const WHOLE_JWS = new RegExp(`^eyJ${B64}*\\.${B64}+\\.${B64}+$`)

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase())
}

/**
 * A value redacted before (by value, in a server's text quoted by an error): `abc123…(40 chars)`,
 * or its start as a `name=value` pair in text sees it (`abc123…(40`). Masking it again would
 * only garble it.
 */
function alreadyMasked(v: string): boolean {
  return /\u2026\(\d+(?: chars\))?$/.test(v) || v.endsWith(REDACTED) || /^<client credentials>/.test(v)
}

/** `abc123…(40 chars)`: enough to tell two secrets apart, never enough to use one. */
export function maskSecret(value: string): string {
  const chars = [...value]
  const shown = chars.length >= 18 ? 6 : Math.floor(chars.length / 3)
  return `${chars.slice(0, shown).join('')}…(${chars.length} chars)`
}

function redactJwtMatch(token: string): string {
  const parts = token.split('.')
  if (parts.length === 5) return `${parts[0]}.${REDACTED}`
  return `${parts[0]}.${parts[1]}.${REDACTED}`
}

/** Replaces the signature of every JWT (and all but the header of every JWE) in `text`. */
export function redactJwts(text: string): string {
  return text.replace(JWE_RE, redactJwtMatch).replace(JWS_RE, redactJwtMatch)
}

/** The redacted form of one secret value: a JWT keeps header and payload, anything else is masked. */
export function redactSecretValue(value: string): string {
  const v = value.trim()
  if (WHOLE_JWE.test(v) || WHOLE_JWS.test(v)) return redactJwtMatch(v)
  if (v === '' || alreadyMasked(v)) return value
  return maskSecret(value)
}

/** Redacts one named value: masked under a secret name, JWTs redacted under any name. */
export function redactNamed(name: string, value: string): string {
  return isSecretName(name) ? redactSecretValue(value) : redactText(value)
}

function decodeFormPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/**
 * `a=1&client_secret=s3cr3t…`: secret values masked (shown decoded, for reading, not for
 * re-sending), other values kept as sent but with JWTs redacted.
 */
export function redactForm(body: string): string {
  return body
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq < 0) return redactText(pair)
      const key = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      // trimmed: `redact` hands over text whose trimmed form looks like a form, spaces included
      if (isSecretName(decodeFormPart(key).trim())) return `${key}=${redactSecretValue(decodeFormPart(value).trim())}${/\s+$/.exec(value)?.[0] ?? ''}`
      return `${key}=${redactText(value)}`
    })
    .join('&')
}

/** A URL with the query and fragment parameters (implicit/hybrid responses) and any password redacted. */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#')
  const beforeHash = hash < 0 ? url : url.slice(0, hash)
  const fragment = hash < 0 ? undefined : url.slice(hash + 1)
  const q = beforeHash.indexOf('?')
  let base = q < 0 ? beforeHash : beforeHash.slice(0, q)
  const query = q < 0 ? undefined : beforeHash.slice(q + 1)
  // userinfo password: scheme://user:password@host
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)([^/@]*)@/i, (_m, pre: string, pw: string) => `${pre}${maskSecret(pw)}@`)
  let out = redactText(base)
  if (query !== undefined) out += `?${redactForm(query)}`
  if (fragment !== undefined) out += `#${redactForm(fragment)}`
  return out
}

/** A JSON value with secret members masked and JWTs redacted, at any depth. */
export function redactJson(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key !== undefined ? redactNamed(key, value) : redactText(value)
  if (typeof value === 'number' && key !== undefined && isSecretName(key)) return maskSecret(String(value))
  if (Array.isArray(value)) return value.map((v) => redactJson(v, key))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactJson(v, k)
    return out
  }
  return value
}

function redactCookiePair(pair: string): string {
  const eq = pair.indexOf('=')
  if (eq < 0) return redactSecretValue(pair)
  return `${pair.slice(0, eq)}=${redactSecretValue(pair.slice(eq + 1))}`
}

/** One header value, by header name. */
export function redactHeader(name: string, value: string): string {
  const n = name.toLowerCase()
  if (n === 'authorization' || n === 'proxy-authorization') {
    // keep the scheme (Basic, Bearer, DPoP) so the trace still says how the client authenticated
    const m = /^(\S+)\s+(.+)$/.exec(value)
    // Basic is base64 of `id:secret`: any prefix of it is a prefix of the secret's pair, so
    // only the scheme and the length are shown
    if (m && m[1]!.toLowerCase() === 'basic') return `${m[1]} ${REDACTED} (${m[2]!.length} chars)`
    return redactKnown(m ? `${m[1]} ${redactSecretValue(m[2]!)}` : redactSecretValue(value))
  }
  if (n === 'cookie') return value.split(/;\s*/).map(redactCookiePair).join('; ')
  if (n === 'set-cookie') {
    const [first, ...attrs] = value.split(/;\s*/)
    return [redactCookiePair(first ?? ''), ...attrs].join('; ')
  }
  if (isSecretName(n)) return redactKnown(redactSecretValue(value))
  if (n === 'location' || n === 'content-location' || n === 'referer') return redactUrl(value)
  return redactText(value)
}

export type HeaderInput =
  | Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | readonly string[] | number | undefined>

/** A header map as `[name, redacted value]` pairs, in order, multi-valued headers expanded. */
export function redactHeaders(headers: HeaderInput | undefined): [string, string][] {
  if (!headers) return []
  const pairs: [string, string][] = []
  const isIterable = typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function'
  if (isIterable) {
    for (const [k, v] of headers as Iterable<readonly [string, string]>) pairs.push([k, v])
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v === undefined) continue
      if (Array.isArray(v)) for (const x of v) pairs.push([k, String(x)])
      else pairs.push([k, String(v)])
    }
  }
  return pairs.map(([k, v]) => [k, redactHeader(k, v)])
}

const NAMES_ALT = [...SECRET_NAMES].map((n) => n.replace(/[-]/g, '\\-')).join('|')
/** `name=value` in free text (a query string in an error page, a log line). */
const TEXT_PAIR_RE = new RegExp(`(^|[^A-Za-z0-9_-])(${NAMES_ALT})=([^&\\s"'<>]+)`, 'gi')
/** `"name": "value"` in text that is not valid JSON (truncated or embedded). */
const TEXT_JSON_RE = new RegExp(`("(?:${NAMES_ALT})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'gi')
/** `Bearer <token>` and friends in text (an echoed Authorization header). */
const TEXT_AUTH_RE = /\b(Bearer|DPoP|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g

/**
 * Free text of unknown shape: JWTs redacted, `name=value` and `"name": "value"` under secret
 * names masked.
 */
export function redactText(text: string): string {
  // named secrets first (a JWT among them is redacted as a JWT), then bare JWTs elsewhere
  const named = text
    .replace(TEXT_JSON_RE, (_m, pre: string, v: string, post: string) => `${pre}${redactSecretValue(v)}${post}`)
    .replace(TEXT_PAIR_RE, (_m, lead: string, name: string, v: string) => `${lead}${name}=${redactSecretValue(decodeFormPart(v))}`)
    .replace(TEXT_AUTH_RE, (_m, scheme: string, v: string) => (scheme === 'Basic' ? `${scheme} ${REDACTED} (${v.length} chars)` : `${scheme} ${redactSecretValue(v)}`))
  return redactKnown(redactJwts(named))
}

const FORM_RE = /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/

/**
 * Redacts a body, a URL or any text: JSON is parsed and redacted member by member (and
 * pretty-printed), `application/x-www-form-urlencoded` pair by pair, anything else as text.
 *
 * @example
 * redact('grant_type=refresh_token&refresh_token=8xLOxBtZp8fd2aQ9bNmE3s')
 * // 'grant_type=refresh_token&refresh_token=8xLOxB…(22 chars)'
 */
export function redact(text: string, contentType?: string | null): string {
  return redactKnown(redactShaped(text, contentType))
}

function redactShaped(text: string, contentType?: string | null): string {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  const trimmed = text.trim()
  if (type === 'application/json' || type?.endsWith('+json') || /^[[{]/.test(trimmed)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(text)), null, 2)
    } catch {
      // not JSON after all: fall through to text
    }
  }
  if (type === 'application/x-www-form-urlencoded') return redactForm(text)
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(trimmed)) return redactUrl(trimmed)
  if (type === undefined && FORM_RE.test(trimmed)) return redactForm(text)
  return redactText(text)
}
