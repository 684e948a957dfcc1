/**
 * `decode`: assembles everything worth knowing about a token without verifying it — kind, header,
 * claims, time claims at `now`, size against header budgets, sender constraint (`cnf`), embedded
 * tokens and warnings — into one `DecodedToken`. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { detectKind, KIND_LABELS, type KindInfo, type TokenKind } from './kind.js'
import { findNested, looksLikeCompactJwt, MAX_NESTED_DEPTH, type NestedToken } from './nested.js'
import { measureSize, sizeWarning, type SizeResult } from './size.js'
import { decodeBase64url, decodeJsonSegment, decodeJwt, decodeUtf8, parseJsonObject, type JsonObject, type JweParts, type JwsParts } from './split.js'
import { describeTimes, type TimesResult } from './times.js'
import { duplicateMembers } from './json-duplicates.js'
import type { BindingCheck, DpopProofFacts } from '../dpop/decode-checks.js'
import { analyzeSdJwt, splitSdJwt, type SdJwtInfo } from './sd-jwt.js'
import { describeEvents, type SecurityEvent } from './security-events.js'

export interface Warning {
  /** Stable, for scripts: `alg_none`, `expired`, `size_8k`, ... */
  code: string
  message: string
}

export interface Binding {
  /** `dpop` (cnf.jkt, RFC 9449), `mtls` (cnf.x5t#S256, RFC 8705), `jwk`/`kid`/`jku`/`jwe` (RFC 7800). */
  method: 'dpop' | 'mtls' | 'jwk' | 'kid' | 'jku' | 'jwe' | 'unknown'
  detail: string
}

export interface JweInfo {
  /** The JWE protected header. */
  header: JsonObject
  encryptedKeyBytes: number
  ivBytes: number
  ciphertextBytes: number
  tagBytes: number
  /** Whether `--key` decrypted it (then `header`/`payload` of the result are the content's). */
  decrypted: boolean
}

export interface DecodedToken {
  kind: TokenKind
  kindInfo: KindInfo
  format: 'jws' | 'jwe' | 'opaque'
  /** Always false: decode never verifies. Here so that no script mistakes the output for a check. */
  verified: false
  /** JOSE header (for a JWE not decrypted: the protected header); null for an opaque token. */
  header: JsonObject | null
  /** The claims; null for an opaque token or a JWE not decrypted. */
  payload: JsonObject | null
  signature: { bytes: number; alg?: string } | null
  size: SizeResult
  times: TimesResult | null
  warnings: Warning[]
  /** Hints that are not problems: "opaque: try tokentool introspect". */
  notes: string[]
  nested: NestedToken[]
  binding?: Binding
  /** `decode --dpop-key`/`--client-cert` (or the profile's DPoP key): does the `cnf` name it? */
  bindingCheck?: BindingCheck
  /** A DPoP proof's request and key, and its `ath` against `--access-token`. */
  dpopProof?: DpopProofFacts
  jwe?: JweInfo
  /** SD-JWT (RFC 9901): the disclosures decoded and matched, the key-binding JWT. */
  sdJwt?: SdJwtInfo
  /** A Security Event Token's events (RFC 8417), named and explained. */
  securityEvents?: SecurityEvent[]
  /** The outer JWS when the token is a JWT signed again as a whole (`cty: JWT`, RFC 7519 §5.2). */
  envelope?: { header: JsonObject; signature: { bytes: number; alg?: string } }
}

export interface DecodeOptions {
  now: Date
  /** The plaintext of the JWE `text`, when the caller decrypted it (see decrypt.ts). */
  plaintext?: string
}

/**
 * Decodes a token. Opaque tokens are results (kind `opaque`); malformed JWTs throw InputError.
 * @example decodeToken(jwt, { now: new Date() }).times?.claims.exp?.relative // "expires in 42m"
 */
export function decodeToken(text: string, opts: DecodeOptions): DecodedToken {
  const size = measureSize(text)
  const sd = splitSdJwt(text)
  if (sd) return fromSdJwt(sd, size, opts)
  if (isOpaque(text)) return opaqueResult(size)
  let parts
  try {
    parts = decodeJwt(text)
  } catch (e) {
    // RFC 7519 §5.2: a JWS whose payload is itself a JWT (`cty: JWT`) has no claims of its own.
    const enveloped = e instanceof InputError ? signedEnvelope(text, size, opts) : undefined
    if (enveloped) return enveloped
    throw e
  }
  if (parts.format === 'jws') return fromJws(parts, size, opts.now)
  return fromJwe(parts, size, opts)
}

/** `<issuer JWT>~<disclosures>~[<KB-JWT>]`: the issuer JWT decoded, its disclosures matched. */
function fromSdJwt(sd: NonNullable<ReturnType<typeof splitSdJwt>>, size: SizeResult, opts: DecodeOptions): DecodedToken {
  let inner: DecodedToken
  try {
    inner = decodeToken(sd.issuerJwt, opts)
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`an SD-JWT (it has "~"), but its first part is not a JWT: ${e.message}`)
    throw e
  }
  if (inner.format !== 'jws' || !inner.payload) throw new InputError('an SD-JWT (it has "~"), but its first part is not a signed JWT')
  const info = analyzeSdJwt(inner.payload, sd)
  inner.sdJwt = info
  inner.size = size
  if (inner.kind !== 'sd_jwt') {
    inner.kindInfo = { kind: 'sd_jwt', label: KIND_LABELS.sd_jwt, reason: `has "~"-separated disclosures (the issuer JWT is a ${inner.kindInfo.label})`, basis: 'inferred' }
    inner.kind = 'sd_jwt'
  }
  const n = info.disclosures.length
  inner.notes.push(
    `${n} disclosure${n === 1 ? '' : 's'}${info.keyBinding ? ' and a key-binding JWT (a presentation)' : sd.keyBinding === null ? ', no key-binding JWT' : ''}; ${info.undisclosed} digest${info.undisclosed === 1 ? '' : 's'} not disclosed here (undisclosed claims or decoys)`,
  )
  for (const w of info.warnings) inner.warnings.push({ code: 'sd_jwt', message: w })
  return inner
}

/** A JWS with `cty: JWT` whose payload is a compact JWT: decode the inner token, keep the outer header. */
function signedEnvelope(text: string, size: SizeResult, opts: DecodeOptions): DecodedToken | undefined {
  const segments = text.split('.')
  if (segments.length !== 3) return undefined
  let header: JsonObject
  let inner: string
  try {
    header = decodeJsonSegment(segments[0]!, 'header')
    inner = decodeUtf8(decodeBase64url(segments[1]!, 'payload'), 'payload').trim()
  } catch {
    return undefined
  }
  if (typeof header.cty !== 'string' || !/^(application\/)?jwt$/i.test(header.cty) || !looksLikeCompactJwt(inner)) return undefined
  const result = decodeToken(inner, opts)
  const signature = decodeBase64url(segments[2]!, 'segment 3 (signature)')
  result.envelope = { header, signature: { bytes: signature.length, ...(typeof header.alg === 'string' ? { alg: header.alg } : {}) } }
  result.size = size
  result.kindInfo = { ...result.kindInfo, label: `${result.kindInfo.label} (wrapped in a signed JWT)` }
  result.notes.push('a signed JWT with cty: JWT wraps this token; header, claims and signature shown are those of the inner token')
  return result
}

/**
 * An opaque (reference) token is one that is not shaped like a JWT at all: not 3 or 5 segments,
 * and not starting with a base64url JSON object (`eyJ`) — a truncated JWT is an error, not opaque.
 * Only visible ASCII is accepted; anything else is not a token. Throws InputError for that.
 */
export function isOpaque(text: string): boolean {
  const segments = text.split('.')
  if (segments.length === 3 || segments.length === 5) return false
  if (looksLikeJoseHeader(segments[0] ?? '')) return false // a JWT with segments missing or extra
  const bad = text.search(/[^\x21-\x7e]/)
  if (bad >= 0) {
    const ch = text.codePointAt(bad)!
    const what = /\s/.test(text[bad]!) ? 'whitespace' : ch < 0x20 || ch === 0x7f ? 'a control character' : 'a non-ASCII character'
    throw new InputError(`not a token: ${what} at position ${bad + 1}`)
  }
  return true
}

/** Whether a segment is base64url of something that starts like a JSON object (`eyJ` = `{"`). */
function looksLikeJoseHeader(segment: string): boolean {
  if (segment.startsWith('eyJ')) return true
  if (!/^[A-Za-z0-9_-]{4,}$/.test(segment)) return false
  return /^\s*\{/.test(Buffer.from(segment.slice(0, 8), 'base64url').toString('latin1'))
}

/** What an entity statement says about the entity: its roles (metadata types) and superiors. */
function federationNotes(p: JsonObject): string[] {
  const out: string[] = []
  const meta = p.metadata && typeof p.metadata === 'object' && !Array.isArray(p.metadata) ? Object.keys(p.metadata) : []
  if (meta.length) out.push(`entity types: ${meta.join(', ')} (metadata)`)
  if (Array.isArray(p.authority_hints)) out.push(`superiors (authority_hints): ${p.authority_hints.map(String).join(', ') || 'none: a trust anchor'}`)
  if (p.metadata_policy) out.push('carries a metadata_policy for its subordinates')
  if (Array.isArray(p.trust_marks)) out.push(`${p.trust_marks.length} trust mark${p.trust_marks.length === 1 ? '' : 's'}`)
  out.push('resolve trust by fetching the statements up to a trust anchor; this decode checks no signature')
  return out
}

/** `text` as an opaque token, whatever its first characters look like (for callers that know it has no JWT shape). */
export function opaqueToken(text: string): DecodedToken {
  return opaqueResult(measureSize(text))
}

function opaqueResult(size: SizeResult): DecodedToken {
  const warnings: Warning[] = []
  const sw = sizeWarning(size)
  if (sw) warnings.push({ code: size.headerBytes > 8192 ? 'size_8k' : 'size_4k', message: sw })
  return {
    kind: 'opaque',
    kindInfo: { kind: 'opaque', label: KIND_LABELS.opaque, reason: 'not a JWT: no JOSE header to decode', basis: 'inferred' },
    format: 'opaque',
    verified: false,
    header: null,
    payload: null,
    signature: null,
    size,
    times: null,
    warnings,
    notes: [
      'an opaque token carries no readable claims; only its issuer knows what it means',
      'ask the issuer with: tokentool introspect <token> (RFC 7662)',
    ],
    nested: [],
  }
}

function fromJws(parts: JwsParts, size: SizeResult, now: Date): DecodedToken {
  const { header, payload } = parts
  const kindInfo = detectKind(header, payload)
  const times = describeTimes(payload, now)
  const { nested, truncated } = findNested(payload, now)
  const result: DecodedToken = {
    kind: kindInfo.kind,
    kindInfo,
    format: 'jws',
    verified: false,
    header,
    payload,
    signature: { bytes: parts.signature.length, ...(typeof header.alg === 'string' ? { alg: header.alg } : {}) },
    size,
    times,
    warnings: [],
    notes: [],
    nested,
  }
  const binding = bindingOf(payload)
  if (binding) result.binding = binding
  if (kindInfo.kind === 'security_event' || kindInfo.kind === 'logout_token') result.securityEvents = describeEvents(payload)
  if (kindInfo.kind === 'entity_statement') result.notes.push(...federationNotes(payload))
  result.warnings = [
    ...headerWarnings(header, parts, kindInfo.kind),
    ...timeWarnings(times),
    ...claimWarnings(payload),
    ...providerWarnings(header, kindInfo),
  ]
  const sw = sizeWarning(size)
  if (sw) result.warnings.push({ code: size.headerBytes > 8192 ? 'size_8k' : 'size_4k', message: sw })
  if (truncated) {
    result.warnings.push({ code: 'nested_truncated', message: `embedded tokens deeper than ${MAX_NESTED_DEPTH} levels (or too many) were not decoded` })
  }
  return result
}

function fromJwe(parts: JweParts, size: SizeResult, opts: DecodeOptions): DecodedToken {
  const jwe: JweInfo = {
    header: parts.header,
    encryptedKeyBytes: parts.encryptedKey.length,
    ivBytes: parts.iv.length,
    ciphertextBytes: parts.ciphertext.length,
    tagBytes: parts.tag.length,
    decrypted: false,
  }
  if (opts.plaintext !== undefined) return fromPlaintext(opts.plaintext, jwe, size, opts.now)
  const warnings: Warning[] = []
  const sw = sizeWarning(size)
  if (sw) warnings.push({ code: size.headerBytes > 8192 ? 'size_8k' : 'size_4k', message: sw })
  const cty = typeof parts.header.cty === 'string' ? ` (content type ${parts.header.cty})` : ''
  return {
    kind: 'jwe',
    kindInfo: { kind: 'jwe', label: KIND_LABELS.jwe, reason: '5 segments: JWE compact serialization', basis: 'declared' },
    format: 'jwe',
    verified: false,
    header: parts.header,
    payload: null,
    signature: null,
    size,
    times: null,
    warnings,
    notes: [`the claims are encrypted${cty}: decrypt them with --key <private key file>`],
    nested: [],
    jwe,
  }
}

/** A decrypted JWE: its content is a nested JWS (`cty: JWT`) or the claims as JSON. */
function fromPlaintext(plaintext: string, jwe: JweInfo, size: SizeResult, now: Date): DecodedToken {
  const decrypted = { ...jwe, decrypted: true }
  const inner = plaintext.trim()
  let result: DecodedToken
  if (inner.startsWith('{')) {
    const payload = parseJsonObject(inner, 'the decrypted JWE content')
    // Fake a JWS around the claims so that every check runs; the JWE header stands in as header.
    result = fromJws(
      { format: 'jws', header: jwe.header, payload, payloadText: inner, payloadEncoding: 'base64url', signature: new Uint8Array(), segments: ['', '', ''], signingInput: '' },
      size,
      now,
    )
    result.signature = null
    result.warnings = result.warnings.filter((w) => w.code !== 'empty_signature' && w.code !== 'no_alg')
    result.notes.push('the content is encrypted but not signed (no nested JWS): its origin is not provable')
  } else {
    const n = inner.split('.').length
    if (n !== 3 && n !== 5) throw new InputError('the decrypted JWE content is neither a JWT nor a JSON object')
    const parts = decodeJwt(inner)
    if (parts.format !== 'jws') throw new InputError('the decrypted JWE content is another JWE; decrypt it separately')
    result = fromJws(parts, size, now)
    result.notes.push('decrypted JWE; header, claims and signature shown are those of the nested JWS')
  }
  result.jwe = decrypted
  result.format = 'jwe'
  result.kindInfo = { ...result.kindInfo, label: `${result.kindInfo.label} (encrypted, decrypted with --key)` }
  return result
}

function headerWarnings(header: JsonObject, parts: JwsParts, kind: TokenKind): Warning[] {
  const w: Warning[] = []
  const dups = [
    ...(parts.segments[0] ? duplicateMembers(Buffer.from(parts.segments[0], 'base64url').toString('utf8')).map((d) => `header "${d}"`) : []),
    ...(parts.payloadEncoding !== 'detached' ? duplicateMembers(parts.payloadText).map((d) => `claim "${d}"`) : []),
  ]
  if (dups.length > 0) {
    w.push({ code: 'duplicate_member', message: `${dups.join(', ')} appear${dups.length === 1 ? 's' : ''} twice: shown is the last; parsers disagree on which counts, and verify refuses it` })
  }
  const alg = header.alg
  if (alg === undefined) w.push({ code: 'no_alg', message: 'the header has no alg: no verifier will accept this token' })
  else if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    w.push({ code: 'alg_none', message: 'alg is "none": the token is unsigned; anyone can write one like it' })
  } else if (parts.signature.length === 0) {
    w.push({ code: 'empty_signature', message: `alg is ${String(alg)} but the signature is empty` })
  }
  if (parts.payloadEncoding === 'unencoded') {
    w.push({ code: 'unencoded_payload', message: 'b64: false: the payload is not base64url-encoded (RFC 7797); many libraries reject this' })
  } else if (header.b64 === false) {
    w.push({ code: 'unencoded_payload', message: 'b64: false in the header (RFC 7797 unencoded payload)' })
  }
  if (parts.payloadEncoding === 'detached') {
    w.push({ code: 'detached_payload', message: 'the payload is detached (empty segment 2): it travels separately and is not shown' })
  }
  if (header.crit !== undefined) {
    const list = Array.isArray(header.crit) ? header.crit.map(String).join(', ') : JSON.stringify(header.crit)
    w.push({ code: 'crit', message: `crit header: a verifier must understand ${list} or reject the token` })
  }
  if (kind !== 'dpop_proof') {
    for (const k of ['jwk', 'jku', 'x5u'] as const) {
      if (header[k] !== undefined) w.push({ code: `header_${k}`, message: `the header carries ${k}: a verifier must never take its key from the token itself` })
    }
  }
  return w
}

function timeWarnings(times: TimesResult): Warning[] {
  const w: Warning[] = []
  const { exp, nbf, iat } = times.claims
  if (exp?.state === 'expired') w.push({ code: 'expired', message: `expired: ${exp.relative} (at ${exp.iso})` })
  if (nbf?.state === 'not_yet_valid') w.push({ code: 'not_yet_valid', message: `not yet valid: ${nbf.relative} (check this machine's clock)` })
  if (iat?.state === 'future') w.push({ code: 'iat_future', message: `${iat.relative}: the issuer's clock or this machine's is wrong` })
  for (const t of Object.values(times.claims)) {
    if (t.state === 'invalid') w.push({ code: 'time_invalid', message: `${t.claim} is ${t.relative}` })
  }
  return w
}

function claimWarnings(payload: JsonObject): Warning[] {
  const w: Warning[] = []
  const limit = payload.claim_type_limit_reached
  if (limit !== undefined && limit !== false && limit !== null) {
    const which = Array.isArray(limit) ? limit.map(String).join(', ') : typeof limit === 'string' ? limit : JSON.stringify(limit)
    w.push({
      code: 'claim_type_limit_reached',
      message: `claim_type_limit_reached: ${which} cut short to keep the token small; read the full values from userinfo`,
    })
  }
  const names = payload._claim_names
  if (names !== null && typeof names === 'object' && 'groups' in names) {
    w.push({ code: 'groups_overage', message: 'groups overage: too many groups for the token (_claim_names); read them from Microsoft Graph' })
  } else if (payload.hasgroups === true) {
    w.push({ code: 'groups_overage', message: 'hasgroups: too many groups for the token; read them from Microsoft Graph' })
  }
  return w
}

function providerWarnings(header: JsonObject, kind: KindInfo): Warning[] {
  const w: Warning[] = []
  if (header.nonce !== undefined) {
    w.push({
      code: 'entra_graph_token',
      message: 'nonce in the header: an Entra ID access token for Microsoft Graph; only Graph can verify it, so verify fails by design — the token is not broken',
    })
  }
  const alg = typeof header.alg === 'string' ? header.alg : ''
  if (kind.kind === 'refresh_token' && /^HS/i.test(alg)) {
    w.push({
      code: 'hmac_refresh_token',
      message: `refresh token signed with ${alg} by a server secret (Keycloak realm key): only the server can verify it; treat it as opaque`,
    })
  }
  return w
}

/** The sender constraint in `cnf`, if any (RFC 7800, 8705, 9449). */
export function bindingOf(payload: JsonObject): Binding | undefined {
  const cnf = payload.cnf
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) return undefined
  const c = cnf as JsonObject
  if (typeof c.jkt === 'string') return { method: 'dpop', detail: `DPoP-bound (RFC 9449): usable only with proofs signed by the key with thumbprint ${c.jkt}` }
  if (typeof c['x5t#S256'] === 'string') {
    return { method: 'mtls', detail: `certificate-bound (RFC 8705): usable only over mutual TLS with the certificate ${c['x5t#S256']}` }
  }
  if (c.jwk !== undefined) return { method: 'jwk', detail: 'proof-of-possession key (RFC 7800): the presenter must prove it holds this key' }
  if (c.kid !== undefined) return { method: 'kid', detail: `proof-of-possession key id ${JSON.stringify(c.kid)} (RFC 7800)` }
  if (c.jku !== undefined) return { method: 'jku', detail: `proof-of-possession key at ${JSON.stringify(c.jku)} (RFC 7800)` }
  if (c.jwe !== undefined) return { method: 'jwe', detail: 'encrypted proof-of-possession key (RFC 7800)' }
  return { method: 'unknown', detail: `cnf with ${Object.keys(c).join(', ') || 'no members'}` }
}
