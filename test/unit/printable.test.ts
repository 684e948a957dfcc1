import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { printable, printableLines, safeJson } from '../../src/core/printable.js'

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
})
