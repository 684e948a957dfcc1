import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { terminalSafe } from '../../src/cli/safe-stream.js'
import { batchErrorLine, batchLine } from '../../src/render/verify.js'
import { escapeJsonText } from '../../src/core/printable.js'

describe('verify --batch lines', () => {
  it('are one JSON document each, with terminal control and direction characters escaped', () => {
    const detail = 'token says "https://evil\u009b31m\u202e.example"'
    const line = batchLine(7, { valid: false, checks: [{ name: 'iss', ok: false, detail }], header: {}, payload: {} } as never)
    expect(line.endsWith('\n')).toBe(true)
    expect(line).not.toMatch(/[\u009b\u202e]/)
    expect(JSON.parse(line)).toEqual({ line: 7, valid: false, checks: [{ name: 'iss', ok: false, detail }] })
    const err = batchErrorLine(8, 'segment 2 \u009b')
    expect(err).not.toContain('\u009b')
    expect(JSON.parse(err)).toEqual({ line: 8, valid: false, error: 'segment 2 \u009b' })
  })

  // the pool's workers send these lines as bytes, which the pipe guard does not filter: the
  // lines must already be what the guard would make of them
  it('need nothing of the pipe guard: terminalSafe leaves every line as it is', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string(), ok: fc.boolean(), detail: fc.string({ unit: 'binary' }) })), fc.array(fc.string({ unit: 'binary' })), fc.string({ unit: 'binary' }), (checks, warnings, message) => {
        const line = batchLine(1, { valid: false, checks, warnings, header: {}, payload: {} } as never)
        expect(terminalSafe(line, false)).toBe(line)
        expect(JSON.parse(line).checks).toEqual(checks)
        const err = batchErrorLine(2, message)
        expect(terminalSafe(err, false)).toBe(err)
      }),
    )
  })

  // rows are remembered by name and detail: a line made from remembered rows is byte for byte
  // the line made whole and escaped in one pass (as before the rows were remembered)
  it('are the same bytes whether their rows are remembered or new', () => {
    const whole = (line: number, r: { valid: boolean; checks: { name: string; ok: boolean; detail: string; skipped?: true }[]; warnings: string[] }) => {
      const checks = r.checks.map((c) => `{"name":${JSON.stringify(c.name)},"ok":${c.ok},"detail":${JSON.stringify(c.detail)}${c.skipped ? ',"skipped":true' : ''}}`).join(',')
      const warnings = r.warnings.length > 0 ? `,"warnings":${JSON.stringify(r.warnings)}` : ''
      return escapeJsonText(`{"line":${line},"valid":${r.valid},"checks":[${checks}]${warnings}}\n`)
    }
    const check = fc.record({ name: fc.constantFrom('alg', 'exp', 'iss', '\u009b', 'claim:a"b'), ok: fc.boolean(), detail: fc.constantFrom('x', 'expires \u202e', 'token says "a"', ''), skipped: fc.constantFrom(true as const, undefined) }).map((c) => {
      const { skipped, ...rest } = c
      return skipped && c.ok ? { ...rest, skipped } : rest
    })
    fc.assert(
      fc.property(fc.array(fc.record({ valid: fc.boolean(), checks: fc.array(check, { maxLength: 9 }), warnings: fc.array(fc.constantFrom('short \u2028', 'w')) }), { maxLength: 20 }), (results) => {
        results.forEach((r, i) => expect(batchLine(i + 1, { ...r, header: {}, payload: {} } as never)).toBe(whole(i + 1, r)))
      }),
      { numRuns: 500 },
    )
  })
})
