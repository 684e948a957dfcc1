/**
 * OIDC claims requests (OpenID Connect Core §5.5) as CAE uses them: decoding the `claims`
 * value of a challenge (base64 or base64url, with or without padding), explaining it in
 * words, parsing `--claims`, and merging the client capabilities (`xms_cc`) in. Pure.
 * @module
 */
import { InputError, UsageError } from '../../errors.js'
import { printable, safeJson } from '../printable.js'

/** A claims request: `{ "access_token": { "nbf": { "essential": true, "value": "..." } } }`. */
export type ClaimsRequest = Record<string, unknown>

/** What `xms_cc` = `cp1` means: the client can answer claims challenges (CAE). */
export const CAE_CAPABILITY = 'cp1'

const B64_CHARS = /^[A-Za-z0-9+/_-]*$/

/**
 * Decodes base64 or base64url text (either alphabet, even mixed; padding optional; line
 * breaks and spaces ignored) to bytes. Throws InputError naming the first bad character.
 */
export function decodeBase64Loose(text: string, what = 'the value'): Uint8Array {
  const compact = text.replace(/\s+/g, '')
  const body = compact.replace(/=+$/, '')
  const pad = compact.length - body.length
  if (!B64_CHARS.test(body)) {
    const i = [...body].findIndex((c) => !/[A-Za-z0-9+/_-]/.test(c))
    throw new InputError(`${what} is not base64 or base64url: ${safeJson(body[i])} at position ${i + 1}`)
  }
  if (body.length % 4 === 1 || pad > 2 || (pad > 0 && (body.length + pad) % 4 !== 0)) {
    throw new InputError(`${what} is not base64 or base64url: its length (${body.length} characters without padding) is not possible`)
  }
  return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

/** JSON text to a claims request object; InputError when it is not a JSON object. */
function parseClaimsJson(json: string, what: string): ClaimsRequest {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (e) {
    throw new InputError(`${what} is not JSON: ${printable((e as Error).message)}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${what} is JSON but not an object (a claims request is {"access_token": {...}})`)
  }
  return value as ClaimsRequest
}

/**
 * The claims request in a challenge's `claims` parameter: base64/base64url of UTF-8 JSON
 * (as Entra ID sends it), or the JSON itself.
 * @example decodeClaimsValue('eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ')
 */
export function decodeClaimsValue(value: string, what = 'the claims parameter'): ClaimsRequest {
  const t = value.trim()
  if (t.startsWith('{')) return parseClaimsJson(t, what)
  const bytes = decodeBase64Loose(t, what)
  let json: string
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new InputError(`${what} decodes from base64 to bytes that are not UTF-8 text`)
  }
  return parseClaimsJson(json, `${what} (decoded from base64)`)
}

/**
 * `--claims`: a JSON claims request, or the base64 `claims` value straight from a challenge
 * (also with `claims="..."` around it). Throws UsageError otherwise.
 */
export function parseClaimsArg(text: string, flag = '--claims'): ClaimsRequest {
  let t = text.trim()
  const m = /^claims\s*=\s*(.*)$/is.exec(t)
  if (m) t = m[1]!.trim()
  if (t.length >= 2 && /^["'\u201c\u201d].*["'\u201c\u201d]$/s.test(t) && !t.startsWith('{')) t = t.slice(1, -1).trim()
  if (t === '') throw new UsageError(`${flag} is empty: give a JSON claims request or the base64 claims value of a challenge`)
  try {
    return decodeClaimsValue(t, flag)
  } catch (e) {
    if (e instanceof InputError) {
      throw new UsageError(`${e.message} (give a JSON claims request like '{"access_token":{"xms_cc":{"values":["cp1"]}}}' or the base64 claims value of a challenge)`)
    }
    throw e
  }
}

/**
 * The claims request with `access_token.xms_cc.values` holding `capabilities` too, keeping
 * every other member (and any capabilities already asked for). The input is not changed.
 * @example mergeClientCapabilities(undefined, ['cp1']) // {"access_token":{"xms_cc":{"values":["cp1"]}}}
 */
export function mergeClientCapabilities(claims: ClaimsRequest | undefined, capabilities: readonly string[] = [CAE_CAPABILITY]): ClaimsRequest {
  const out: ClaimsRequest = structuredClone(claims ?? {})
  const at = isObject(out.access_token) ? out.access_token : {}
  const existing = isObject(at.xms_cc) ? at.xms_cc : {}
  const values: string[] = []
  const add = (v: unknown) => {
    if (typeof v === 'string' && !values.includes(v)) values.push(v)
  }
  if (Array.isArray(existing.values)) existing.values.forEach(add)
  add(existing.value)
  capabilities.forEach(add)
  const { value: _single, ...rest } = existing
  at.xms_cc = { ...rest, values }
  out.access_token = at
  return out
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** One claim of a claims request, in a form the explanation and the view can use. */
export interface ClaimAsk {
  /** `access_token`, `id_token` or `userinfo` (or whatever the request names). */
  target: string
  claim: string
  essential: boolean
  value?: unknown
  values?: unknown[]
}

/** Every claim the request asks for, in order. Members that are not objects are skipped. */
export function listClaimAsks(claims: ClaimsRequest): ClaimAsk[] {
  const out: ClaimAsk[] = []
  for (const [target, member] of Object.entries(claims)) {
    if (!isObject(member)) continue
    for (const [claim, req] of Object.entries(member)) {
      const ask: ClaimAsk = { target, claim, essential: isObject(req) && req.essential === true }
      if (isObject(req) && 'value' in req) ask.value = req.value
      if (isObject(req) && Array.isArray(req.values)) ask.values = req.values
      out.push(ask)
    }
  }
  return out
}

// a Map: the target is the server's, and "constructor" must find nothing
const TARGETS: ReadonlyMap<string, string> = new Map([
  ['access_token', 'the access token'],
  ['id_token', 'the ID token'],
  ['userinfo', 'the UserInfo response'],
])

/** `1604106651` / `"1604106651"` → `2020-10-31T01:10:51Z`; undefined when not a time. */
export function epochToIso(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN
  if (!Number.isFinite(n) || n < 0 || n > 253402300799) return undefined
  return new Date(Math.floor(n) * 1000).toISOString().replace('.000Z', 'Z')
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))
const list = (vs: readonly unknown[]) => vs.map(show).join(', ')

/**
 * The claims request in words, one sentence per claim asked for (and per oddity).
 * @example explainClaims({ access_token: { nbf: { essential: true, value: '1604106651' } } })
 * // ['access_token.nbf (essential): present a token issued after 2020-10-31T01:10:51Z ...']
 */
export function explainClaims(claims: ClaimsRequest): string[] {
  const out: string[] = []
  for (const [target, member] of Object.entries(claims)) {
    if (!TARGETS.has(target)) {
      out.push(`"${target}" is not a member OpenID Connect defines (id_token, userinfo) nor the access_token member CAE uses; providers will likely ignore it.`)
    }
    if (!isObject(member)) {
      out.push(`"${target}" should be an object of claim names, but is ${show(member)}.`)
      continue
    }
    if (Object.keys(member).length === 0) out.push(`${target}: asks for no claims (an empty member).`)
  }
  for (const ask of listClaimAsks(claims)) out.push(explainAsk(ask))
  if (out.length === 0) out.push('The claims request is empty: it asks for nothing.')
  return out
}

function explainAsk(a: ClaimAsk): string {
  const label = `${a.target}.${a.claim}${a.essential ? ' (essential)' : ''}`
  const of = TARGETS.get(a.target) ?? `the ${a.target}`
  const values = a.values ?? (a.value !== undefined ? [a.value] : [])
  switch (a.claim) {
    case 'nbf': {
      if (a.value === undefined) return `${label}: ${of} must carry a not-before time (nbf).`
      const iso = epochToIso(a.value)
      if (!iso) return `${label}: asks for nbf ${show(a.value)}, which is not a time in epoch seconds.`
      return `${label}: present a token issued after ${iso} (nbf ${show(a.value)}). A critical event at that time (account disabled, password reset, location or IP change, revoked session) made the resource reject older tokens; a token from a refresh or a new sign-in after that time answers it.`
    }
    case 'acrs':
      if (values.length === 0) return `${label}: step up to an authentication context (acrs); the challenge names none.`
      return `${label}: step up to the authentication context ${list(values)}: sign in again meeting the Conditional Access policy bound to ${values.length > 1 ? 'one of them' : 'it'} (often MFA or a compliant device); a refresh answers it only when no interaction is needed.`
    case 'xms_cc': {
      const caps = values.map((v) => (v === CAE_CAPABILITY ? `${show(v)} (the client can handle claims challenges: CAE)` : show(v)))
      return `${label}: client capabilities ${caps.length ? caps.join(', ') : '(none listed)'}; a client that announces cp1 gets long-lived CAE access tokens and must answer claims challenges like this one.`
    }
    case 'acr':
      return `${label}: ${of} must carry an authentication context class (acr)${values.length ? ` of ${list(values)}` : ''}; sign in again at that level.`
    case 'auth_time':
      return `${label}: ${of} must carry the time the user authenticated (auth_time).`
    case 'xms_rp_ipaddr':
      // not a claim to acquire: the resource reports where it saw the client (Entra ID CAE)
      return `${label}: ${values.length ? list(values) : 'an address'} is the client IP address the resource saw. A location or IP condition (Conditional Access named locations) failed for it: a refresh from the same network may be refused again; sign in from an allowed network (a VPN or split tunnel that sends the API and sign-in traffic through different IPs is a common cause).`
    case 'xms_caeerror':
      return `${label}: ${values.length ? list(values) : 'a code'} is a CAE diagnostic code for the support of the resource's provider, not a claim the new token should carry.`
    default: {
      const want = a.values ? `with one of the values ${list(a.values)}` : a.value !== undefined ? `with the value ${show(a.value)}` : ''
      return `${label}: ${of} should carry the claim ${a.claim}${want ? ' ' + want : ''}${a.essential ? '' : ' (voluntary: the provider may leave it out)'}.`
    }
  }
}

/**
 * The `claims` request parameter for a token request (for `login`, `refresh`, `token`):
 * `--claims` (JSON or a challenge's base64 value) merged with the `cp1` capability when
 * `--cae` is set, as compact JSON; undefined when there is neither. UsageError on a bad
 * `--claims`.
 * @example claimsParameter({ cae: true }) // '{"access_token":{"xms_cc":{"values":["cp1"]}}}'
 */
export function claimsParameter(opts: { claims?: string | undefined; cae?: boolean | undefined }): string | undefined {
  const given = opts.claims === undefined ? undefined : parseClaimsArg(opts.claims)
  const request = opts.cae ? mergeClientCapabilities(given, [CAE_CAPABILITY]) : given
  return request === undefined ? undefined : JSON.stringify(request)
}
