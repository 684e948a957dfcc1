import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { main } from '../../src/cli/main.js'
import { testDeps } from '../helpers/test-io.js'

const CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0='

/** `tokentool cae decode` in-process: any input ends in exit 0 with a view, or exit 2 with one stderr line. */
describe('cae decode (in-process) with any input', () => {
  it('the issue example: exit 0, nothing on stderr', async () => {
    const t = testDeps()
    const code = await main(['cae', 'decode', `Bearer realm="", error="insufficient_claims", claims="${CLAIMS}"`], t.deps)
    expect(code).toBe(0)
    expect(t.stderr()).toBe('')
    expect(t.stdout()).toContain('2020-10-31T01:10:51Z')
  })

  it('shows a value holding ESC and bidi characters escaped, in the view and in the commands', async () => {
    const evil = Buffer.from(JSON.stringify({ access_token: { '\u202ex': { value: '\u009b31m' } } })).toString('base64')
    const t = testDeps()
    const code = await main(['cae', 'decode', `Bearer error_description="\u001b[2J\u001b]0;owned\u0007", claims="${evil}"`], t.deps)
    expect(code).toBe(0)
    expect(t.stdout()).toContain('error_description  \\u001b[2J\\u001b]0;owned\\u0007')
    expect(t.stdout()).toContain(`--claims '{"access_token":{"\\u202ex":{"value":"\\u009b31m"}}}'`)
    expect(t.stdout()).not.toMatch(/[\u001b\u0007\u009b\u202e]/)
  })

  it('any text ends in exit 0 or exit 2 with one line on stderr, never an unexpected error', async () => {
    const pasteish = fc.string({ unit: fc.constantFrom(...'WWW-Authenticate: HTTP/1.1 401=Bearer realm"x",\\\n\t\u201c\u201d\u001b\u009b\u202eclaims=eyJ9'), maxLength: 60 })
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), pasteish), fc.boolean(), async (text, json) => {
        const t = testDeps({}, { input: text })
        const code = await main([...(json ? ['--json'] : []), 'cae', 'decode'], t.deps)
        expect([0, 2]).toContain(code)
        // nothing from the input reaches the terminal as a control character
        expect(t.stdout() + t.stderr()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/)
        if (code === 0) {
          expect(t.stderr()).toBe('')
          if (json) expect(Array.isArray((JSON.parse(t.stdout()) as { challenges: unknown[] }).challenges)).toBe(true)
        } else {
          // --json: the error document (contract 0.2), else nothing
          if (json) expect((JSON.parse(t.stdout()) as { error: { exitCode: number } }).error.exitCode).toBe(2)
          else expect(t.stdout()).toBe('')
          expect(t.stderr()).toMatch(/^tokentool: [^\n]+\n$/)
          expect(t.stderr()).not.toContain('unexpected error')
        }
      }),
      { numRuns: 300 },
    )
  })
})
