import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { normalizeTokenText } from '../../src/core/token-text.js'

// the rules without the bare-token shortcut: the shortcut must never change an answer
function reference(raw: string): string {
  let t = raw.trim()
  const q = t[0]
  if (t.length >= 2 && (q === '"' || q === "'") && t.endsWith(q)) t = t.slice(1, -1).trim()
  t = t.replace(/^authorization\s*:\s*/i, '')
  t = t.replace(/^(bearer|dpop)\s+/i, '')
  return t.trim()
}

describe('normalizeTokenText', () => {
  it('strips quotes, Authorization: and the scheme', () => {
    expect(normalizeTokenText('  "Authorization: Bearer eyJ.a.b"  ')).toBe('eyJ.a.b')
    expect(normalizeTokenText('DPoP eyJ.a.b')).toBe('eyJ.a.b')
    expect(normalizeTokenText('bearer eyJ.a.b\u00a0')).toBe('eyJ.a.b')
    expect(normalizeTokenText('eyJ.a.b')).toBe('eyJ.a.b')
  })

  it('answers as the rules without its shortcut, on token-like and arbitrary text', () => {
    const pieces = fc.constantFrom('eyJ', 'a', 'b', 'd', 'A', 'B', 'D', 'x', 'Z', '0', '-', '_', '.', ' ', '\t', '\u00a0', '\ufeff', '\u2028', '"', "'", 'Bearer ', 'bearer\t', 'DPoP ', 'Authorization: ', 'authorization:', 'é')
    fc.assert(
      fc.property(fc.oneof(fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')), fc.string({ unit: 'binary', maxLength: 20 })), (raw) => {
        expect(normalizeTokenText(raw)).toBe(reference(raw))
      }),
      { numRuns: 3000 },
    )
  })
})
