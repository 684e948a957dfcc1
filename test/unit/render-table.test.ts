import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pad, renderTable, sanitize, truncate, visibleWidth, wrap } from '../../src/render/table.js'
import { wrapText } from '../../src/render/wrap.js'

describe('table primitives', () => {
  it('measures wide characters as two columns', () => {
    expect(visibleWidth('abc')).toBe(3)
    expect(visibleWidth('日本')).toBe(4)
    expect(visibleWidth('e\u0301')).toBe(1)
  })
  it('truncates with an ellipsis and pads', () => {
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('abc', 4)).toBe('abc')
    expect(truncate('日本語', 4)).toBe('日…')
    expect(pad('ab', 4)).toBe('ab  ')
  })
  it('wraps at spaces when that keeps lines full, hard-breaks tokens', () => {
    expect(wrap('openid profile email offline_access', 16)).toEqual(['openid profile', 'email', 'offline_access'])
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl'])
    expect(wrap('a\nb', 10)).toEqual(['a', 'b'])
  })
  it('cuts long values after maxLines with an ellipsis', () => {
    const lines = wrap('x'.repeat(100), 10, 3)
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('x'.repeat(9) + '…')
  })
  it('escapes control characters so a claim cannot drive the terminal', () => {
    expect(sanitize('a\u001b[31mb')).toBe('a\\u001b[31mb')
    expect(sanitize('a\tb\r\nc')).toBe('a  b\nc')
    expect(sanitize('admin\u202egpj.exe')).toBe('admin\\u202egpj.exe') // a bidi override cannot reorder the view
  })
  it('never produces a line wider than asked (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 60 }), (s, w) => {
        for (const line of wrap(s, w, 4)) expect(visibleWidth(line)).toBeLessThanOrEqual(Math.max(w, 2))
      }),
      { numRuns: 500 },
    )
  })
})

describe('renderTable', () => {
  const rows = [
    [{ text: 'iss' }, { text: 'https://login.example.com' }, { text: 'issuer' }],
    [{ text: 'scope' }, { text: 'openid profile email' }, { text: 'granted scopes' }],
  ] as const
  it('aligns keys, values and notes', () => {
    expect(renderTable(rows.map((r) => [...r]) as never, { width: 80, indent: 2 })).toBe(
      '  iss    https://login.example.com  issuer\n  scope  openid profile email       granted scopes\n',
    )
  })
  it('fits the width: drops notes when narrow, wraps values', () => {
    const out = renderTable(rows.map((r) => [...r]) as never, { width: 30, indent: 2 })
    expect(out).not.toContain('issuer')
    for (const line of out.trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(30)
    expect(out).toContain('openid profile email')
  })
  it('drops the notes when most of them would be cut short', () => {
    const rs = [
      [{ text: 'a' }, { text: 'v'.repeat(40) }, { text: 'a note that is long enough' }],
      [{ text: 'b' }, { text: 'w' }, { text: 'another longish note here' }],
    ]
    expect(renderTable(rs as never, { width: 70 })).toBe(`a  ${'v'.repeat(40)}\nb  w\n`)
    expect(renderTable(rs as never, { width: 80 })).toContain('a note that is long enough')
  })
  it('keeps every line within the width for any content (property)', () => {
    const cell = fc.string({ maxLength: 200 }).map((text) => ({ text }))
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 8 }), fc.integer({ min: 40, max: 200 }), (rs, width) => {
        const out = renderTable(rs as never, { width, indent: 2, maxKeyWidth: 16 })
        for (const line of out.trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(width)
      }),
      { numRuns: 300 },
    )
  })
  it('styles cells without counting the colour codes as width', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`
    const out = renderTable([[{ text: 'exp' }, { text: 'expired', style: red }]], { width: 40 })
    expect(out).toBe('exp  \u001b[31mexpired\u001b[39m\n')
  })
})

describe('wrap: a value that fits as it is', () => {
  it('is the line wrapText gives, for any text and width', () => {
    const text = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '·', '\u00e9', '\u4e2d', '\u001b', '\n', '\t', '-') }), fc.string())
    fc.assert(
      fc.property(text, fc.integer({ min: -2, max: 40 }), (s, width) => {
        expect(wrap(s, width)).toEqual(wrapText(s, Math.max(1, width), { long: 'break' }))
      }),
    )
  })

  it('words one space apart (the greedy fill of plain text) wrap as wrapText wraps them', () => {
    const words = fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '·', '→', '-', '/'), minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(words, fc.integer({ min: 1, max: 30 }), (ws, width) => {
        const s = ws.join(' ')
        expect(wrap(s, width)).toEqual(wrapText(s, width, { long: 'break' }))
      }),
    )
  })
})

