/** The one line-wrapper (render/wrap): never mid-word, within the width, terminal-safe. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { printableLines } from '../../src/core/printable.js'
import { commandUnits, styledWidth, visibleWidth, wrapCommand, wrapText, wrapUnits } from '../../src/render/wrap.js'

const words = (s: string) => s.split(/\s+/).filter(Boolean)
const red = (s: string) => `\u001b[31m${s}\u001b[39m`

describe('wrapText', () => {
  it('breaks at spaces only; a word wider than the line stays whole on its own line', () => {
    expect(wrapText('authorization server issuer (OpenID discovery)', 20)).toEqual(['authorization server', 'issuer (OpenID', 'discovery)'])
    const url = 'https://login.example.com/tenant/v2.0/.well-known/openid-configuration'
    expect(wrapText(`see ${url} now`, 30)).toEqual(['see', url, 'now'])
  })

  it('hangs continuation lines under the text after the prefix', () => {
    expect(wrapText('expected "https://x" but the token says otherwise', 30, { first: 'FAIL  iss  ' })).toEqual([
      'FAIL  iss  expected',
      '           "https://x" but the',
      '           token says',
      '           otherwise',
    ])
    expect(wrapText('a b c d', 5, { first: '- ', rest: '  ' })).toEqual(['- a b', '  c d'])
  })

  it('keeps newlines and a line\'s own indent', () => {
    expect(wrapText('{\n  "a": 1\n}', 40, { first: '    ' })).toEqual(['    {', '      "a": 1', '    }'])
  })

  it('does not count colour in prefixes or spans as width', () => {
    const lines = wrapText([{ text: 'PASS', style: red }, { text: ' the signature is valid' }], 14, { first: red('>') + ' ' })
    expect(lines.map(styledWidth).every((w) => w <= 14)).toBe(true)
    expect(lines[0]).toBe(`${red('>')} ${red('PASS')} the`)
  })

  it('escapes control characters before measuring (the escaped text is what is shown)', () => {
    const lines = wrapText('kid \u001b[2Jx\u202e end', 12)
    expect(lines.join('\n')).not.toMatch(/[\u001b\u202e]/)
    expect(lines).toEqual(['kid', '\\u001b[2Jx\\u202e', 'end'])
  })

  it('reserves room for a line end (help examples) but not on the last line', () => {
    expect(wrapUnits(['$ tokentool', 'verify', "--issuer 'https://a b'", 'token'], 30, { first: '  ', rest: '      ', lineEnd: ' \\' })).toEqual([
      '  $ tokentool verify \\',
      "      --issuer 'https://a b' \\",
      '      token',
    ])
  })

  it('cuts an over-wide word only when asked (table cells)', () => {
    expect(wrapText('abcdefghijkl', 5, { long: 'break' })).toEqual(['abcde', 'fghij', 'kl'])
    expect(wrapText('abcdefghijkl', 5)).toEqual(['abcdefghijkl'])
  })

  const text = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 14 }), fc.constantFrom(' ', '  ', '\n', 'https://example.com/a/very/long/path?x=1', '日本語', '\u001b[31m')), { maxLength: 30 }).map((a) => a.join(' '))

  it('property: every word whole and in order, no line too wide unless it is one over-wide word, nothing raw', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 100 }), fc.constantFrom('', '  ', '- '), (s, width, first) => {
        const lines = wrapText(s, width, { first })
        // the same words, in order, none split or lost (measured on the escaped text)
        expect(words(lines.join('\n').slice(first.length))).toEqual(words(printableLines(s)))
        for (const [i, line] of lines.entries()) {
          expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/)
          if (visibleWidth(line) <= width) continue
          // an overflowing line holds a single word (after its prefix)
          const body = line.slice((i === 0 ? first : ' '.repeat(first.length)).length).trim()
          expect(body.includes(' ') && !/^ +\S+$/.test(line.slice(first.length)), `${JSON.stringify(line)} at ${width}`).toBe(false)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('property: with long words cut, no line is ever wider than the width', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 100 }), (s, width) => {
        for (const line of wrapText(s, width, { long: 'break' })) expect(visibleWidth(line)).toBeLessThanOrEqual(width)
      }),
      { numRuns: 500 },
    )
  })
})

describe('wrapCommand', () => {
  it('breaks between arguments, outside quotes, a flag with its value, continued with a backslash', () => {
    const cmd = `tokentool refresh --profile ci --claims '{"a": {"b": 1}}' --force --json`
    expect(wrapCommand(cmd, 36, { first: '$ ', rest: '    ' })).toEqual([
      '$ tokentool refresh --profile ci \\',
      `    --claims '{"a": {"b": 1}}' \\`,
      '    --force --json',
    ])
  })

  it('a quote written as \'\\\'\' inside quotes does not end them', () => {
    expect(commandUnits(`login --claims 'it'\\''s a b' x`)).toEqual(['login', `--claims 'it'\\''s a b'`, 'x'])
  })

  it('property: the pieces give the line back, and none starts or ends inside a quoted string', () => {
    const arg = fc.oneof(fc.stringMatching(/^[a-z0-9=.:/-]{1,12}$/), fc.stringMatching(/^--[a-z]{1,8}$/), fc.string({ maxLength: 12 }).map((t) => `'${t.replace(/'/g, '')}'`))
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 12 }), (args) => {
        const line = args.join(' ')
        const units = commandUnits(line)
        expect(units.join(' ')).toBe(line)
        for (const u of units) expect((u.match(/'/g) ?? []).length % 2).toBe(0)
      }),
      { numRuns: 500 },
    )
  })
})
