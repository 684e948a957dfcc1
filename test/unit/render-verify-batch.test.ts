import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { terminalSafe } from '../../src/cli/safe-stream.js'
import { batchErrorLine, batchLine } from '../../src/render/verify.js'

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
})
