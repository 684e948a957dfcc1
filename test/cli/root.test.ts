import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

describe('tokentool (root)', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('--help lists the global options and exits 0', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--json')
    expect(r.stdout).toContain('--profile <name>')
  })

  it('without a terminal and without arguments prints the help on stderr and exits 2', async () => {
    const r = await runCli([])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Usage: tokentool')
  })

  it('an unknown command is a usage error (exit 2), one line, no stack trace', async () => {
    const r = await runCli(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tokentool: unknown command 'frobnicate'/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('a token that begins with "-"', () => {
  it('is not echoed whole in the unknown-option error, and the error says to use --', async () => {
    const token = '-Xsecret0123456789abcdefghijklmnop'
    const r = await runCli(['decode', token])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain(token)
    expect(r.stderr).toContain('put -- before it')
  })
})

describe('--json output', () => {
  it('escapes terminal control and direction characters from a token, keeping the same JSON value', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const name = 'evil\u009b31m\u202etxt.exe'
    const r = await runCli(['decode', '--json', `${b64({ alg: 'HS256' })}.${b64({ sub: name })}.c2ln`])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(/[\u009b\u202e]/)
    expect(JSON.parse(r.stdout).payload.sub).toBe(name)
  })
})
