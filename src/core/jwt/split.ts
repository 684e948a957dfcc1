/**
 * Compact JWS/JWE serialization → segments → bytes → JSON, with an InputError that names the
 * segment and what is wrong with it ("segment 2 (payload) is not valid base64url: ...").
 * Decodes only; nothing here verifies anything. Pure.
 * @module
 */
import { isUtf8 } from 'node:buffer'
import { InputError } from '../../errors.js'
import { oversizeMessage } from './size.js'

export type JsonObject = Record<string, unknown>

/** A JWS in compact serialization (RFC 7515 §7.1), decoded. */
export interface JwsParts {
  format: 'jws'
  /** The JOSE header. */
  header: JsonObject
  /**
   * The claims. `{}` for a detached payload; for an unencoded payload (RFC 7797 `b64: false`)
   * the payload text parsed as JSON.
   */
  payload: JsonObject
  /** The payload as text (UTF-8), exactly as signed. */
  payloadText: string
  /** `base64url` normally; `unencoded` with `b64: false`; `detached` when segment 2 is empty. */
  payloadEncoding: 'base64url' | 'unencoded' | 'detached'
  /** The signature bytes (empty for `alg: none`). */
  signature: Uint8Array
  /** The three segments as given. */
  segments: [string, string, string]
  /** `segment1.segment2`: the bytes a signature is computed over (RFC 7515 §5.1). */
  signingInput: string
}

/** A JWE in compact serialization (RFC 7516 §7.1): the protected header decoded, the rest as bytes. */
export interface JweParts {
  format: 'jwe'
  header: JsonObject
  encryptedKey: Uint8Array
  iv: Uint8Array
  ciphertext: Uint8Array
  tag: Uint8Array
  segments: [string, string, string, string, string]
}

export type CompactParts = JwsParts | JweParts

const JWS_NAMES = ['header', 'payload', 'signature'] as const
const JWE_NAMES = ['protected header', 'encrypted key', 'initialization vector', 'ciphertext', 'authentication tag'] as const

/** "segment 2 (payload)" */
export function segmentLabel(index: number, format: 'jws' | 'jwe'): string {
  const names: readonly string[] = format === 'jws' ? JWS_NAMES : JWE_NAMES
  return `segment ${index + 1} (${names[index] ?? '?'})`
}

/**
 * Splits compact serialization into its segments and says which format it is.
 * Throws InputError unless there are exactly 3 (JWS) or 5 (JWE) segments.
 * @example splitCompact('eyJh.eyJz.c2ln') // { format: 'jws', segments: ['eyJh', 'eyJz', 'c2ln'] }
 */
export function splitCompact(text: string): { format: 'jws'; segments: [string, string, string] } | { format: 'jwe'; segments: [string, string, string, string, string] } {
  const oversize = oversizeMessage(text)
  if (oversize) throw new InputError(oversize)
  const segments = text.split('.')
  if (segments.length === 3) return { format: 'jws', segments: segments as [string, string, string] }
  if (segments.length === 5) return { format: 'jwe', segments: segments as [string, string, string, string, string] }
  throw new InputError(`expected 3 segments (JWS) or 5 (JWE), got ${segments.length}`)
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Strict base64url (RFC 4648 §5, no padding, as RFC 7515 §2 requires). `label` names the
 * segment in the error, e.g. "segment 2 (payload)".
 */
export function decodeBase64url(text: string, label: string): Buffer {
  checkBase64url(text, label)
  return Buffer.from(text, 'base64url')
}

/**
 * Whether `text` is canonical unpadded base64url: what checkBase64url accepts, as a yes or no
 * (`verify --batch`'s lane asks once per segment; a no goes to the path that says why).
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!BASE64URL.test(text)) return false
  const tail = text.length % 4
  if (tail === 0) return true
  if (tail === 1) return false
  return (B64URL_ALPHABET.indexOf(text[text.length - 1]!) & (tail === 2 ? 0x0f : 0x03)) === 0
}

/** What decodeBase64url checks, without decoding: for a segment whose bytes are not needed here. */
export function checkBase64url(text: string, label: string): void {
  if (isCanonicalBase64url(text)) return
  if (!BASE64URL.test(text)) {
    const i = text.search(/[^A-Za-z0-9_-]/)
    const ch = text[i]!
    const what = describeChar(ch)
    const why =
      ch === '='
        ? `padding '=' at position ${i + 1} (JWTs use unpadded base64url)`
        : ch === '+' || ch === '/'
          ? `${what} at position ${i + 1} (standard base64, not base64url)`
          : ch === '\n' || ch === '\r'
            ? `a line break at position ${i + 1} (was the token wrapped when pasted?)`
            : `${what} at position ${i + 1}${HINTS[ch] ?? ''}`
    throw new InputError(`${label} is not valid base64url: ${why}`)
  }
  if (text.length % 4 === 1) {
    throw new InputError(`${label} is not valid base64url: length ${text.length} is impossible (truncated?)`)
  }
  // The last character of a 2- or 3-character tail carries 4 or 2 unused bits, which must be
  // zero (RFC 4648 §3.5): otherwise several strings decode to the same bytes, and a token
  // altered there would still verify. decode and verify both refuse it.
  const tail = text.length % 4
  if (tail !== 0) {
    const last = text[text.length - 1]!
    const value = B64URL_ALPHABET.indexOf(last)
    if ((value & (tail === 2 ? 0x0f : 0x03)) !== 0) {
      throw new InputError(`${label} is not valid base64url: the last character '${last}' has non-zero unused bits (not the canonical encoding: altered?)`)
    }
  }
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const HINTS: Record<string, string> = {
  '"': ' (remove the quotes around the token)',
  "'": ' (remove the quotes around the token)',
  '~': " (an SD-JWT? decode the part before the first '~')",
  ',': ' (a list of tokens? decode one at a time)',
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0)!
  const u = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  if (code < 0x20 || code === 0x7f) return `control character ${u}`
  if (code > 0x7e) return `non-ASCII character ${u}` // named, not echoed: it may be invisible or reorder text
  if (/\s/.test(ch)) return 'whitespace'
  return `character '${ch}'`
}

/**
 * Bytes → text; throws InputError naming `label` when they are not UTF-8. As a fatal
 * TextDecoder that keeps a BOM: node:buffer's validator (no overlong forms, no surrogates),
 * then the bytes as they are; `verify --batch` asks once per token, and this costs less.
 */
export function decodeUtf8(bytes: Uint8Array, label: string): string {
  if (!isUtf8(bytes)) throw new InputError(`${label} is not valid UTF-8`)
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8')
}

/** Text → JSON object; throws InputError naming `label` when it is not JSON or not an object. */
export function parseJsonObject(text: string, label: string): JsonObject {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    // Keep the position from the parser's message, not the echoed text (it may be long or sensitive).
    const pos = /position (\d+)/.exec(String((e as Error).message))?.[1]
    const where = pos !== undefined ? ` (syntax error at character ${Number(pos) + 1})` : text.trim() === '' ? ' (it is empty)' : ''
    throw new InputError(`${label} is not JSON${where}`)
  }
  assertJsonDepth(value, label)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
    throw new InputError(`${label} is JSON but not an object (it is ${type})`)
  }
  return value as JsonObject
}

/**
 * Deepest JSON nesting accepted. Real tokens stay far below it; deeper values would overflow the
 * stack of anything that walks them recursively (JSON.stringify included).
 */
export const MAX_JSON_DEPTH = 64

/**
 * Throws InputError naming `label` when a parsed JSON value is nested deeper than MAX_JSON_DEPTH.
 * Every JSON tokentool parses from a token, key or file and may print goes through this (or
 * parseJsonObject): JSON.parse takes any depth, JSON.stringify overflows the stack at ~5,000.
 */
export function assertJsonDepth(value: unknown, label: string): void {
  if (value !== null && typeof value === 'object' && nestingDepth(value) > MAX_JSON_DEPTH) {
    throw new InputError(`${label} is nested more than ${MAX_JSON_DEPTH} levels deep`)
  }
}

/**
 * Whether JSON text (valid or not) opens more than `max` arrays/objects at once, by scanning it:
 * for text from a server, before anything parses, walks or prints it.
 */
export function jsonTextTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // skip the string, escapes included
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return false
}

/**
 * Nesting depth of a parsed JSON value and how many members its objects have in all, in one
 * walk without recursion (the value may be hostile); the walk stops once deeper than
 * MAX_JSON_DEPTH (the members are then not all counted). For verify's payload, once per token.
 */
export function jsonShape(root: object): { depth: number; members: number } {
  let depth = 0
  let members = 0
  const values: unknown[] = [root]
  const depths: number[] = [1]
  while (values.length > 0) {
    const v = values.pop()
    const d = depths.pop()!
    if (v === null || typeof v !== 'object') continue
    if (d > depth) depth = d
    if (depth > MAX_JSON_DEPTH) break
    const children = Array.isArray(v) ? v : Object.values(v)
    if (!Array.isArray(v)) members += children.length
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child)
        depths.push(d + 1)
      }
    }
  }
  return { depth, members }
}

/** Nesting depth of a parsed JSON value, without recursion (the value may be hostile). */
export function nestingDepth(root: object): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[root, 1]]
  while (stack.length) {
    const [v, d] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (d > max) max = d
    if (max > MAX_JSON_DEPTH) return max
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1])
  }
  return max
}

/** base64url → UTF-8 → JSON object, each step with a precise error. */
export function decodeJsonSegment(segment: string, label: string): JsonObject {
  if (segment === '') throw new InputError(`${label} is empty`)
  return parseJsonObject(decodeUtf8(decodeBase64url(segment, label), label), label)
}

/**
 * Decodes a compact JWS or JWE without verifying it. Throws InputError with a precise reason:
 * segment count, which segment is not base64url, not UTF-8, not JSON.
 * @example decodeJwt(token).header.alg
 */
export function decodeJwt(text: string): CompactParts {
  const split = splitCompact(text)
  if (split.format === 'jwe') return decodeJweSegments(split.segments)
  return decodeJwsSegments(split.segments)
}

function decodeJwsSegments(segments: [string, string, string]): JwsParts {
  const [h, p, s] = segments
  const header = decodeJsonSegment(h, segmentLabel(0, 'jws'))
  const payloadLabel = segmentLabel(1, 'jws')
  let payload: JsonObject
  let payloadText: string
  let payloadEncoding: JwsParts['payloadEncoding']
  if (p === '') {
    // RFC 7515 Appendix F: a detached payload travels elsewhere; there is nothing to decode.
    payload = {}
    payloadText = ''
    payloadEncoding = 'detached'
  } else if (header.b64 === false) {
    // RFC 7797: the payload segment is the payload itself, not base64url.
    payloadText = p
    payload = parseJsonObject(p, payloadLabel + ' (unencoded, b64: false)')
    payloadEncoding = 'unencoded'
  } else {
    payloadText = decodeUtf8(decodeBase64url(p, payloadLabel), payloadLabel)
    payload = parseJsonObject(payloadText, payloadLabel)
    payloadEncoding = 'base64url'
  }
  const signature = decodeBase64url(s, segmentLabel(2, 'jws'))
  return { format: 'jws', header, payload, payloadText, payloadEncoding, signature, segments, signingInput: `${h}.${p}` }
}

function decodeJweSegments(segments: [string, string, string, string, string]): JweParts {
  const header = decodeJsonSegment(segments[0], segmentLabel(0, 'jwe'))
  const [encryptedKey, iv, ciphertext, tag] = ([1, 2, 3, 4] as const).map((i) =>
    decodeBase64url(segments[i], segmentLabel(i, 'jwe')),
  ) as [Buffer, Buffer, Buffer, Buffer]
  if (ciphertext.length === 0) throw new InputError(`${segmentLabel(3, 'jwe')} is empty`)
  return { format: 'jwe', header, encryptedKey, iv, ciphertext, tag, segments }
}
