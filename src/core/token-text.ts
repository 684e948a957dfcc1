/**
 * What a person pastes as a token: surrounding whitespace, one pair of matching surrounding
 * quotes ("…" or '…', as copied from JSON or a shell line), a leading `Authorization:` header
 * name and a `Bearer ` (or `DPoP `) scheme are stripped. Pure.
 * @module
 */
export function normalizeTokenText(raw: string): string {
  // the common case, a bare token (`verify --batch` asks once per line): nothing to strip when it
  // starts with a base64url character that starts no quote, whitespace or scheme, and ends with one
  if (bareStart(raw.charCodeAt(0)) && bareEnd(raw.charCodeAt(raw.length - 1))) return raw
  let t = unquote(raw.trim())
  t = t.replace(/^authorization\s*:\s*/i, '')
  t = t.replace(/^(bearer|dpop)\s+/i, '')
  return t.trim()
}

/** Strips one pair of matching quotes around the text; a lone quote is left for decode's hint. */
function unquote(t: string): string {
  const q = t[0]
  return t.length >= 2 && (q === '"' || q === "'") && t.endsWith(q) ? t.slice(1, -1).trim() : t
}

/** A-Z a-z 0-9 - _ except a, b, d (either case: Authorization, Bearer, DPoP may start there). */
function bareStart(c: number): boolean {
  if ((c >= 48 && c <= 57) || c === 45 || c === 95) return true
  const lower = c | 32
  return lower >= 97 && lower <= 122 && (c < 91 || c > 96) && lower !== 97 && lower !== 98 && lower !== 100
}

/** A-Z a-z 0-9 - _ and the dot of an empty signature: never whitespace or a quote. */
function bareEnd(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 46
}
