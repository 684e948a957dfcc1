/**
 * The rule for tests that need a system program, proved on the real browser test: run
 * login-chromium.test.ts with Chromium hidden (CHROMIUM_PATH naming nothing, which the helper
 * never falls back from). Outside CI the run passes and says loudly that it did not run, why
 * and how to enable it; under CI=true the same run fails.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findProgram, CHROMIUM, ZSH, underCI } from '../helpers/system-program.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))

function vitest(file: string, env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const merged: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v
    // VITEST* variables of this run would make the child think it is a worker of it
    for (const k of Object.keys(merged)) if (k.startsWith('VITEST') || k === 'TEST' || k === 'NODE_ENV') delete merged[k]
    const child = spawn(process.execPath, [VITEST, 'run', file, '--reporter=verbose', '--maxWorkers=1'], { cwd: ROOT, env: merged })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

const HIDDEN = '/nonexistent/chromium'

describe('a test whose program is missing', () => {
  it('outside CI: passes, saying loudly that it did not run, why, and the command that enables it', { timeout: 60_000 }, async () => {
    const r = await vitest('test/e2e/login-chromium.test.ts', { CHROMIUM_PATH: HIDDEN, CI: undefined })
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`DID NOT RUN: login in headless Chromium — Chromium CHROMIUM_PATH=${HIDDEN} is not an executable file. To run it: sudo apt-get install -y chromium`)
    expect(r.out).toMatch(/1 skipped/)
    expect(r.out).not.toMatch(/\d+ passed/)
  })

  it('under CI=true: fails, naming the program', { timeout: 60_000 }, async () => {
    const r = await vitest('test/e2e/login-chromium.test.ts', { CHROMIUM_PATH: HIDDEN, CI: 'true' })
    expect(r.code).toBe(1)
    expect(r.out).toContain('Chromium is required under CI=true')
    expect(r.out).toMatch(/1 failed/)
  })
})

describe('findProgram', () => {
  it('finds Chromium at a usual path or on PATH when CHROMIUM_PATH is not set, and names where it looked when it is not there', () => {
    const found = findProgram(CHROMIUM, { PATH: '/nonexistent' })
    if (found.ok) expect(found.path).toMatch(/chrom/i)
    else expect(found.why).toContain('/usr/bin/chromium')
    // this machine is set up as CI sets it up (.ci/run): the browser is there
    if (underCI()) expect(found.ok).toBe(true)
  })

  it('looks a command up on PATH, and reports it missing on an empty PATH', () => {
    expect(findProgram(ZSH, { PATH: '/nonexistent' })).toMatchObject({ ok: false, why: 'not found (looked at zsh on PATH)' })
    const sh = findProgram({ name: 'sh', commands: ['sh'], enable: 'x' }, { PATH: `/nonexistent:/bin:/usr/bin` })
    expect(sh).toMatchObject({ ok: true, path: expect.stringMatching(/\/sh$/) })
  })
})
