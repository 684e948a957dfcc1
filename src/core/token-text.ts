/**
 * What a person pastes as a token: surrounding whitespace, one pair of matching surrounding
 * quotes ("…" or '…', as copied from JSON or a shell line), a leading `Authorization:` header
 * name and a `Bearer ` (or `DPoP `) scheme are stripped. Pure.
 * @module
 */
export function normalizeTokenText(raw: string): string {
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
