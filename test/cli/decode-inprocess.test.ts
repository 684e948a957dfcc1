/** `decode` run in-process with injected deps: the clock, the terminal width and colour come from deps. */
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { testDeps } from '../helpers/test-io.js'
import { NOW_S, rawJws } from '../helpers/jwt-fixtures.js'

describe('decode with injected deps', () => {
  const token = rawJws({ alg: 'RS256', typ: 'at+jwt' }, { sub: 'alice', exp: NOW_S + 90 * 60, scope: 'a b' })

  it('evaluates times on deps.now() when --now is absent', async () => {
    const t = testDeps({ now: () => new Date((NOW_S + 30 * 60) * 1000) })
    expect(await main(['decode', token], t.deps)).toBe(0)
    expect(t.stdout()).toMatch(/Status\s+valid, expires in 1h \(at 2026-01-01T00:30:00Z\)/)
    expect(t.stderr()).toBe('')
  })
  it('reads piped stdin when no argument is given', async () => {
    const t = testDeps({}, { input: `Bearer ${token}\n` })
    expect(await main(['decode', '--json'], t.deps)).toBe(0)
    expect(JSON.parse(t.stdout()).payload.sub).toBe('alice')
  })
  it('with a terminal on stdin and no argument, says how to give a token (exit 2)', async () => {
    const t = testDeps({}, { stdinIsTTY: true })
    expect(await main(['decode'], t.deps)).toBe(2)
    expect(t.stdout()).toBe('')
    expect(t.stderr()).toBe('tokentool: no token given: pass it as an argument, pipe it on stdin, or use --file\n')
  })
  it('colours only when deps say so, and fits deps.io.columns', async () => {
    const t = testDeps({ env: { FORCE_COLOR: '1' } }, { columns: 50 })
    expect(await main(['decode', token], t.deps)).toBe(0)
    expect(t.stdout()).toContain('\u001b[41m')
    for (const line of t.stdout().replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(50)
    const plain = testDeps({ env: { FORCE_COLOR: '1', NO_COLOR: '1' } })
    await main(['decode', token], plain.deps)
    expect(plain.stdout()).not.toContain('\u001b[')
  })
})
