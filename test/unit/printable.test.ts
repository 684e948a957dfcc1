import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPlainText, printable, printableLines, safeJson } from '../../src/core/printable.js'
import { charWidth } from '../../src/render/wrap.js'

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe('printable text', () => {
  it('escapes ESC, C1 controls and direction overrides', () => {
    expect(printable('a\u001b[31mb\u009bc\u202ed')).toBe('a\\u001b[31mb\\u009bc\\u202ed')
  })

  it('printableLines keeps newlines, turns CRLF into LF and a tab into two spaces', () => {
    expect(printableLines('a\r\nb\tc\u0007')).toBe('a\nb  c\\u0007')
  })

  it('never leaves an unsafe character, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(printable(s)).not.toMatch(UNSAFE)
        expect(printableLines(s).replace(/\n/g, '')).not.toMatch(UNSAFE)
      }),
    )
  })

  it('safeJson is the same JSON value, with nothing unsafe left raw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, s) => {
        const doc = { value, s }
        const text = safeJson(doc, 2)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(doc)))
        expect(text.replace(/\n/g, '')).not.toMatch(UNSAFE)
      }),
    )
  })

  // the edges of isPlainText's ranges and of the ranges UNSAFE and charWidth treat apart
  const EDGES = ['a', ' ', '~', '\u001f', '\u007f', '\u009f', '\u00a0', '\u00b7', '\u02ff', '\u0300', '\u036f', '\u200b', '\u200e', '\u200f', '\u2010', '\u2026', '\u2027', '\u2028', '\u202e', '\u202f', '\u2030', '\u205e', '\u205f', '\u2066', '\u2190', '\u2192', '\u21ff', '\u2500', '\u257f', '\u2700', '\u2713', '\u27bf', '\u2e80', '\u1100', '\ud83d\ude00', '\t', '\n']
  const text = fc.oneof(fc.string({ unit: fc.constantFrom(...EDGES) }), fc.string({ unit: 'binary' }), fc.string())

  it('plain text (isPlainText) is left as it is, and is one column a character', () => {
    fc.assert(
      fc.property(text, (s) => {
        if (!isPlainText(s)) return
        expect(printable(s)).toBe(s)
        expect(printableLines(s)).toBe(s)
        expect([...s].map(charWidth)).toEqual([...s].map(() => 1))
        expect([...s].length).toBe(s.length)
      }),
    )
  })

  it('isPlainText holds for what views show most: ASCII, Latin-1, the middle dot, the ellipsis, arrows, ticks', () => {
    for (const s of ['https://issuer.example', '2000000000 · 2033-05-18T03:33:20Z · in 2358d6h', 'Müller', 'cut…', 'path → kind', '✓ match', '──']) expect(isPlainText(s), s).toBe(true)
    for (const s of ['a\u001bb', 'tab\t', 'line\n', '\u202eevil', '\u0301', '\u4e2d', '\ud83d\ude00', 'zero\u200bwidth']) expect(isPlainText(s), s).toBe(false)
  })
})

