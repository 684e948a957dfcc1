/**
 * Member names that appear twice in one JSON object (`{"alg":"HS256","alg":"none"}`). JSON.parse
 * keeps the last; other parsers keep the first or refuse, so a token with duplicates may mean one
 * thing to tokentool and another to the service that accepts it. RFC 7515 §5.2 lets a JWS parser
 * either refuse such headers or keep the last; tokentool says so instead of choosing silently.
 * Pure; reads text that JSON.parse has already accepted.
 * @module
 */
import { jsonShape } from './split.js'

/** Duplicated member names, as `sub` or `cnf.jkt` (dotted path of the object), in order found. */
export function duplicateMembers(json: string): string[] {
  const found: string[] = []
  // one frame per open object (its names so far) or array (names null), with its path
  const stack: { names: Set<string> | null; path: string }[] = []
  let pendingKey: string | undefined
  let i = 0
  const n = json.length
  while (i < n) {
    const ch = json.charCodeAt(i)
    if (ch === 0x22) {
      let j = i + 1
      let escaped = false
      while (j < n) {
        const c = json.charCodeAt(j)
        if (c === 0x22) break
        if (c === 0x5c) {
          escaped = true
          j += 2
        } else j++
      }
      const start = i
      i = j + 1
      while (i < n && isSpace(json.charCodeAt(i))) i++
      const top = stack[stack.length - 1]
      if (json.charCodeAt(i) === 0x3a && top?.names) {
        // JSON.parse only for a name with escapes in it: the others are their text
        const name = escaped ? (JSON.parse(json.slice(start, j + 1)) as string) : json.slice(start + 1, j)
        if (top.names.has(name)) found.push(top.path ? `${top.path}.${name}` : name)
        top.names.add(name)
        pendingKey = name
      }
      continue
    }
    if (ch === 0x7b || ch === 0x5b) {
      const parent = stack[stack.length - 1]
      const path = !parent ? '' : parent.names === null ? `${parent.path}[]` : pendingKey === undefined ? parent.path : parent.path ? `${parent.path}.${pendingKey}` : pendingKey
      stack.push({ names: ch === 0x7b ? new Set() : null, path })
      pendingKey = undefined
    } else if (ch === 0x7d || ch === 0x5d) {
      stack.pop()
    }
    i++
  }
  return found
}

/**
 * How many member names JSON text holds, over all its objects, counted as duplicateMembers
 * finds them but without remembering any. For text JSON.parse accepted: when it equals the
 * number of members of the parsed value (memberCount), no object repeats a name, and the
 * search for duplicates can be skipped (`verify --batch` asks once per token).
 */
export function memberNameCount(json: string): number {
  let count = 0
  const n = json.length
  let i = 0
  while (i < n) {
    if (json.charCodeAt(i) !== 0x22) {
      i++
      continue
    }
    // a string: to its closing quote, escapes skipped; a name when a colon follows
    for (i++; i < n; i++) {
      const c = json.charCodeAt(i)
      if (c === 0x22) break
      if (c === 0x5c) i++
    }
    for (i++; i < n && isSpace(json.charCodeAt(i)); i++);
    if (json.charCodeAt(i) === 0x3a) count++
  }
  return count
}

/** How many members the objects of a parsed JSON value have in all (split.ts's jsonShape). */
export function memberCount(root: unknown): number {
  return root !== null && typeof root === 'object' ? jsonShape(root).members : 0
}

/** What `/\s/` matches, without a regular expression for the common cases. */
function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true
  return c > 0x7f && /\s/.test(String.fromCharCode(c))
}
