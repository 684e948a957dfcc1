import { describe, expect, it } from 'vitest'
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
})
