/**
 * What a person pastes as a token: surrounding whitespace, a leading `Authorization:` header
 * name and a `Bearer ` (or `DPoP `) scheme are stripped. Pure.
 * @module
 */
export function normalizeTokenText(raw: string): string {
  let t = raw.trim()
  t = t.replace(/^authorization\s*:\s*/i, '')
  t = t.replace(/^(bearer|dpop)\s+/i, '')
  return t.trim()
}
