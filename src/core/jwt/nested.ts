/**
 * Claims whose value is itself a JWT (an `act` chain carrying tokens, a `client_assertion`, an
 * RFC 9701 response's `token`, a vendor's embedded ID token), found anywhere in the payload and
 * decoded recursively — bounded in depth and count so that a hostile token cannot make us loop
 * or blow up. Pure.
 * @module
 */
import { TokentoolError } from '../../errors.js'
import { detectKind, type TokenKind } from './kind.js'
import { decodeJwt, type JsonObject } from './split.js'
import { describeTimes, type TimesResult } from './times.js'

/** How deep embedded tokens are followed (a token in a token in a token). */
export const MAX_NESTED_DEPTH = 3
/** How many embedded tokens are decoded at most, over all depths. */
export const MAX_NESTED_COUNT = 20
/** How deep into a payload's objects and arrays we look for them. */
const MAX_WALK_DEPTH = 16

export interface NestedToken {
  /** Where: `act.token`, `tokens[1]`; nested paths join with ` > `. */
  path: string
  /** 1 for a token in the top-level payload, 2 for one inside that, ... */
  depth: number
  kind: TokenKind
  format: 'jws' | 'jwe'
  header: JsonObject
  /** `null` for a JWE (encrypted). */
  payload: JsonObject | null
  signature?: { bytes: number }
  /** Its time claims, when a `now` was given. */
  times?: TimesResult
}

export interface NestedResult {
  nested: NestedToken[]
  /** True when the depth or count bound stopped the search. */
  truncated: boolean
}

// Quick shape test before decoding: 3 or 5 base64url segments, the first one a JSON object.
const COMPACT = /^eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}(\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?$/

export function looksLikeCompactJwt(s: string): boolean {
  return s.length >= 10 && COMPACT.test(s)
}

/** Every embedded JWT in `payload`, depth-first, in document order. */
export function findNested(payload: JsonObject, now?: Date, maxDepth = MAX_NESTED_DEPTH, maxCount = MAX_NESTED_COUNT): NestedResult {
  const out: NestedToken[] = []
  let truncated = false

  const visitToken = (text: string, path: string, depth: number) => {
    if (depth > maxDepth || out.length >= maxCount) {
      truncated = true
      return
    }
    let parts
    try {
      parts = decodeJwt(text)
    } catch (e) {
      if (e instanceof TokentoolError) return // shaped like a JWT, but not one: leave it as a string
      throw e
    }
    if (parts.format === 'jwe') {
      out.push({ path, depth, kind: 'jwe', format: 'jwe', header: parts.header, payload: null })
      return
    }
    out.push({
      path,
      depth,
      kind: detectKind(parts.header, parts.payload).kind,
      format: 'jws',
      header: parts.header,
      payload: parts.payload,
      signature: { bytes: parts.signature.length },
      ...(now ? { times: describeTimes(parts.payload, now) } : {}),
    })
    walk(parts.payload, `${path} > `, depth + 1, 0)
  }

  const walk = (value: unknown, path: string, depth: number, level: number) => {
    if (level > MAX_WALK_DEPTH) return
    if (typeof value === 'string') {
      if (looksLikeCompactJwt(value)) visitToken(value, path, depth)
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => mayHold(v) && walk(v, `${path}[${i}]`, depth, level + 1))
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (mayHold(v)) walk(v, joinPath(path, k), depth, level + 1)
    }
  }
  // a member's path is made only for what is or may hold a token: most claims are neither
  const mayHold = (v: unknown): boolean => (typeof v === 'string' ? looksLikeCompactJwt(v) : v !== null && typeof v === 'object')

  walk(payload, '', 1, -1)
  return { nested: out, truncated }
}

/** `a.b`, or `a["odd key"]` when the key is not a plain identifier; a token inside a token gets ` > `. */
function joinPath(base: string, key: string): string {
  const seg = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`
  if (base === '' || base.endsWith('> ')) return base + seg
  return seg.startsWith('[') ? base + seg : `${base}.${seg}`
}
