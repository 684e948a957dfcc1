/**
 * Every command with random argv made of its own options (taken from the commander program
 * itself, so a new command or flag is covered without editing this file), hostile values,
 * positionals and stdin, run in process through main() as the binary runs it. Whatever a user
 * types must end in one of the documented exit codes with its reason on stderr: never exit 70
 * ("this is a bug"), a stack trace or a silent failure. This found `profiles show constructor`
 * (exit 70: the profile maps had a prototype).
 *
 * Not run: `login` (it waits for a browser) and `inspect` (it needs a terminal). Servers are
 * 127.0.0.1:9, where nothing listens; a connection anywhere else is refused here before it
 * is made, so that a random value taken for a host name never reaches the network.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { Command, type Option } from 'commander'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { COMMANDS } from '../../src/cli/commands/registry.js'
import type { Deps } from '../../src/cli/deps.js'
import { b64 } from '../helpers/jwt-fixtures.js'

interface Spec {
  path: string[]
  options: { flag: string; value: boolean }[]
}

const JWT = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'http://127.0.0.1:9', sub: 'a', exp: 2e9, aud: ['x', 'constructor'], cnf: { jkt: 'abc' }, scope: 'a b' })}.c2ln`
// values a user (or a script gone wrong) may give anywhere: empty, files that are not what is
// wanted, devices, references, numbers out of range, escapes, Object.prototype's names, URLs
// without a listener, tokens whole, wrapped and broken
const VALUES = [
  '', '-', ' ', '\n', 'a\nb', '=', 'x=', 'a=b', '%', 'x', '0', '-0', '-1', '0x10', '1e309', 'NaN', '99999999999999999999',
  '1h', '-5m', '0s', '2026-01-01T00:00:00Z', '1700000000',
  '@/dev/null', '@/etc/passwd', '/etc/passwd', '/tmp', '/dev/zero', 'env:NOPE', 'env:', 'file:', 'file:/etc/hostname',
  '\u001b[2J\u001b]8;;x\u0007', '\u202e', '\ud800', 'a'.repeat(3000), '{"a":1}', '[]', 'null', '{"__proto__":{"x":1}}',
  'constructor', '__proto__', 'toString', 'hasOwnProperty',
  'http://127.0.0.1:9', 'http://127.0.0.1:9/x?y#z', 'https://127.0.0.1:9', 'http://[::1',
  'ES256', 'RS256', 'none', 'basic', 'post', 'private_key_jwt', 'tls_client_auth', 'github', 'token-endpoint',
  'json', 'env', 'exec-credential', 'header', 'GET', 'TRACE',
  JWT, `Bearer ${JWT}`, `${JWT}.x.y`, 'eyJ.eyJ.', 'Bearer error="insufficient_claims", claims="eyJ"', 'DPoP algs="ES256"',
]
const STDIN = ['', `${JWT}\n`, 'protocol=https\nhost=x\n\n', 'garbage', '\u001b[31m', '{"keys":[]}']

/** Each command (and subcommand) with the options commander knows for it. */
async function commandSpecs(): Promise<Spec[]> {
  const specs: Spec[] = []
  const optionsOf = (c: Command) => c.options.map((o: Option) => ({ flag: o.long ?? o.short!, value: o.required || o.optional }))
  for (const entry of COMMANDS) {
    if (entry.name === 'login' || entry.name === 'inspect') continue
    const program = new Command()
    const mod = await entry.load()
    mod.register(program, {} as Deps, { commands: COMMANDS, rootProgram: () => new Command(), run: async () => 0 })
    const cmd = program.commands.find((c) => c.name() === entry.name)!
    if (cmd.commands.length === 0) specs.push({ path: [entry.name], options: optionsOf(cmd) })
    for (const sub of cmd.commands) specs.push({ path: [entry.name, sub.name()], options: optionsOf(sub) })
  }
  return specs
}

const GLOBALS = [
  { flag: '--json', value: false },
  { flag: '--no-color', value: false },
  { flag: '-v', value: false },
  { flag: '--profile', value: true },
  { flag: '--cacert', value: true },
  { flag: '--timeout', value: true },
]

/** fetch for 127.0.0.1 only; anything else is a refused connection, as undici reports one. */
const localFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (url.hostname !== '127.0.0.1') throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED ${url.host}`), { code: 'ECONNREFUSED' }) })
  return fetch(input, init)
}

async function run(argv: string[], input: string, home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = new PassThrough()
  const err = new PassThrough()
  out.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  err.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const deps: Deps = {
    io: { in: Readable.from([input]), out, err, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false, columns: 80 },
    env: { TOKENTOOL_HOME: home, TOKENTOOL_TIMEOUT: '2s' },
    now: () => new Date('2026-01-01T00:00:00Z'),
    fetch: async () => localFetch,
    home,
    cwd: home,
    global: { json: false, color: false, verbose: false, debug: false, profile: 'default' },
  }
  const code = await main(argv, deps)
  await new Promise((r) => setImmediate(r))
  return { code, stdout, stderr }
}

describe('argv fuzz: every command, its own options, hostile values', () => {
  let specs: Spec[]
  beforeAll(async () => {
    specs = await commandSpecs()
  })

  it('finds the commands and their options (the walk is not blind)', () => {
    const names = specs.map((s) => s.path.join(' '))
    expect(names).toEqual(expect.arrayContaining(['decode', 'verify', 'token', 'call', 'profiles show', 'cae decode', 'dpop proof', 'simulate']))
    expect(specs.find((s) => s.path[0] === 'verify')!.options.map((o) => o.flag)).toEqual(expect.arrayContaining(['--batch', '--jwks', '--secret']))
  })

  it('never exit 70, a stack trace or a failure without a reason', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tokentool-fuzz-'))
    const value = fc.constantFrom(...VALUES)
    const line = fc.record({
      command: fc.nat(),
      flags: fc.array(fc.tuple(fc.nat(), value), { maxLength: 3 }),
      positionals: fc.array(value, { maxLength: 2 }),
      flagsFirst: fc.boolean(),
      stdin: fc.constantFrom(...STDIN),
    })
    await fc.assert(
      fc.asyncProperty(line, async (l) => {
        const spec = specs[l.command % specs.length]!
        const options = [...spec.options, ...GLOBALS]
        const flags = l.flags.flatMap(([i, v]) => {
          const o = options[i % options.length]!
          return o.value ? [o.flag, v] : [o.flag]
        })
        const argv = l.flagsFirst ? [...flags, ...spec.path, ...l.positionals] : [...spec.path, ...l.positionals, ...flags]
        const r = await run(argv, l.stdin, home)
        const what = JSON.stringify(argv)
        expect(r.code, `${what}: ${r.stderr}`).not.toBe(70)
        expect(r.stderr, what).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
        if (r.code !== 0) expect(r.stderr.trim(), `${what} exited ${r.code} without a word`).not.toBe('')
      }),
      // FUZZ_RUNS=50000 for a deeper search by hand
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000) },
    )
  }, 300_000)
})
