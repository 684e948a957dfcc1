/**
 * Without a terminal the interactive mode never prompts: `tokentool` and `tokentool inspect`
 * print their help on stderr and exit 2 — with both pipes, and with only one side a terminal
 * (stdin from /dev/null, or stdout into a pipe) inside a real pty.
 */
import { spawn } from 'node-pty'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BIN, runCli, tempHome } from '../helpers/run-cli.js'
import { rawJws } from '../helpers/jwt-fixtures.js'

const token = rawJws({ alg: 'RS256' }, { sub: 'user-1', iss: 'https://login.example' })

/** Runs `sh -c SCRIPT` in a pty (so the other side is a terminal), BIN in $BIN; → exit code and screen. */
function inPty(script: string): Promise<{ code: number; screen: string }> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, BIN, NODE: process.execPath, TOKENTOOL_HOME: tempHome(), NO_COLOR: '1' })) if (v !== undefined) env[k] = v
  const term = spawn('/bin/sh', ['-c', script], { cols: 120, rows: 40, env })
  let out = ''
  term.onData((d) => (out += d))
  const timer = setTimeout(() => term.kill(), 20_000)
  return new Promise((resolve) =>
    term.onExit(({ exitCode }) => {
      clearTimeout(timer)
      resolve({ code: exitCode, screen: stripVTControlCharacters(out) })
    }),
  )
}

describe('no terminal, no prompt', () => {
  it('tokentool with pipes: help on stderr, exit 2, nothing on stdout', async () => {
    const r = await runCli([])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Usage: tokentool')
    expect(r.stderr).not.toMatch(/what do you want to do/)
  })

  it('tokentool inspect TOKEN with pipes: the help of inspect and exit 2, pointing at decode', async () => {
    const r = await runCli(['inspect', token])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Usage: tokentool inspect')
    expect(r.stderr).toMatch(/tokentool: inspect is interactive and needs a terminal \(use tokentool decode/)
  })

  it('stdin not a terminal (stdout is): help, exit 2, no prompt', { timeout: 30_000 }, async () => {
    const r = await inPty('"$NODE" "$BIN" < /dev/null')
    expect(r.code).toBe(2)
    expect(r.screen).toContain('Usage: tokentool')
    expect(r.screen).not.toMatch(/what do you want to do/)
  })

  it('stdout not a terminal (stdin is): help, exit 2, no prompt', { timeout: 30_000 }, async () => {
    const r = await inPty('"$NODE" "$BIN" inspect | cat')
    expect(r.screen).toContain('Usage: tokentool inspect')
    expect(r.screen).not.toMatch(/Paste the token/)
    const code = await inPty('"$NODE" "$BIN" > /dev/null; echo "exit=$?"')
    expect(code.screen).toContain('exit=2')
    expect(code.screen).toContain('Usage: tokentool') // on stderr, still the terminal
  })

  it('--json with no command is not a menu: help and exit 2 even in a terminal', { timeout: 30_000 }, async () => {
    const r = await inPty('"$NODE" "$BIN" --json; echo "exit=$?"')
    expect(r.screen).toContain('exit=2')
    expect(r.screen).not.toMatch(/what do you want to do/)
  })

  it('in a terminal, a bad --profile is a usage error before any prompt', { timeout: 30_000 }, async () => {
    const r = await inPty('"$NODE" "$BIN" --profile bad/name; echo "exit=$?"')
    expect(r.screen).toContain('tokentool: invalid profile name "bad/name"')
    expect(r.screen).toContain('exit=2')
    expect(r.screen).not.toMatch(/what do you want to do/)
  })
})
