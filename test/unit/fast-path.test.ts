/**
 * The start-up fast path's argv parser against commander's: whenever the fast path takes a
 * line, the commander program (the same decode/token definitions, the same preAction) must
 * read it as the same command, argument, flags and globals; a line commander refuses must not
 * be taken. And its flag table must agree with the commands' commander definitions.
 */
import fc from 'fast-check'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildRootProgram } from '../../src/cli/main.js'
import { fastCommandSpec, parseFastArgv } from '../../src/cli/fast-path.js'
import { applyGlobals } from '../../src/cli/globals.js'
import * as decodeCommand from '../../src/cli/commands/decode.js'
import * as tokenCommand from '../../src/cli/commands/token.js'
import * as gitCredentialCommand from '../../src/cli/commands/git-credential.js'
import * as verifyCommand from '../../src/cli/commands/verify.js'
import { testDeps } from '../helpers/test-io.js'

type Parsed = { command: string; arg?: string | undefined; flags: Record<string, unknown>; global: unknown; explicitProfile?: string | undefined }

/** What commander makes of `argv`: the action's arguments and deps.global, or 'refused'. */
async function commanderParse(argv: string[], env: NodeJS.ProcessEnv): Promise<Parsed | 'refused' | 'help'> {
  const { deps } = testDeps({ env })
  const program = buildRootProgram(deps)
  program.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
  let parsed: Parsed | undefined
  const commands: Record<string, Command> = {
    decode: decodeCommand.register(program, deps).action((arg: string | undefined, flags: Record<string, unknown>) => {
      parsed = { command: 'decode', arg, flags: { ...flags }, global: deps.global }
    }),
    token: tokenCommand.register(program, deps).action((flags: Record<string, unknown>) => {
      parsed = { command: 'token', flags: { ...flags }, global: deps.global }
    }),
    'git-credential': gitCredentialCommand.register(program, deps).action((action: string, flags: Record<string, unknown>, c: Command) => {
      // the helper's own rule (git-credential.ts): --profile on the line, not TOKENTOOL_PROFILE
      const explicitProfile = c.parent!.getOptionValueSource('profile') === 'cli' ? (c.parent!.getOptionValue('profile') as string) : undefined
      parsed = { command: 'git-credential', arg: action, flags: { ...flags }, global: deps.global, explicitProfile }
    }),
    verify: verifyCommand.register(program, deps).action((token: string | undefined, flags: Record<string, unknown>) => {
      parsed = { command: 'verify', arg: token, flags: { ...flags }, global: deps.global }
    }),
  }
  for (const c of Object.values(commands)) c.exitOverride()
  // as main.ts: the HTTP --timeout is global because neither command has its own
  const { Option } = await import('commander')
  program.addOption(new Option('--timeout <duration>', 'x').env('TOKENTOOL_TIMEOUT'))
  // commander reads option environment variables from process.env itself
  const saved = { ...process.env }
  Object.assign(process.env, env)
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 'help'
    return 'refused'
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]
    Object.assign(process.env, saved)
  }
  return parsed ?? 'refused'
}

function fastParse(argv: string[], env: NodeJS.ProcessEnv): Parsed | undefined {
  const run = parseFastArgv(argv, env)
  if (run === undefined) return undefined
  const { deps } = testDeps({ env })
  applyGlobals(run.globals, deps)
  if (run.command === 'git-credential') return { command: 'git-credential', arg: run.action, flags: { ...run.flags }, global: deps.global, explicitProfile: run.explicitProfile }
  if (run.command === 'verify') return { command: 'verify', arg: undefined, flags: { ...run.flags }, global: deps.global }
  return run.command === 'decode'
    ? { command: 'decode', arg: run.arg, flags: { ...run.flags }, global: deps.global }
    : { command: 'token', flags: { ...run.flags }, global: deps.global }
}

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'
/** Words an argv is made of: commands, known and unknown flags, values, positionals. */
const word = fc.constantFrom(
  'decode', 'token', 'git-credential', 'get', 'store', 'erase', 'configure', '--username', '--host', 'git.example.com', 'verify', 'help', JWT, '-', '--', 'x.y', 'file.txt',
  '--json', '--no-color', '-v', '--verbose', '--debug', '--profile', '--profile=ci', 'ci', '--help', '-h', '-V',
  '-f', '--file', '--file=t.jwt', '--now', '--now=2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '1700000000', 'yesterday', '--key',
  '--issuer', 'https://login.example.com', '--client-id', 'app', '--client-secret', 's3cret', '--scope', 'read write', '--audience',
  '--resource', 'https://api.example.com', '--min-ttl', '5m', '--format', 'env', 'json', 'exec', '--format=token', '--client-credentials',
  '--force', '--claims', '--timeout', '10s', '--cacert', '-fx', '-vf', '--unknown', '--json=1', '',
  '--batch', '--jwks', 'jwks.json', '--iss', '--aud', 'api', '--alg', 'ES256', '--clock-skew', '--claim', 'role=admin', '--dpop-proof', '--method',
)

/** Lines shaped like the fast path's: globals, a command, its flags (both spellings) and values, some noise. */
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('ci', 'https://login.example.com', 't.jwt', '1700000000', '2026-01-01T00:00:00Z', 'env', 'json', 'token', '5m', 'read write', JWT, 'jwks.json', 'ES256', 'role=admin', 'http://127.0.0.1/jwks') },
  { weight: 1, arbitrary: fc.constantFrom('yesterday', '-x', '', '-', '--') },
)
const GLOBALS = ['--json', '--no-color', '-v', '--verbose', '--debug', '--profile']
const piece = (flags: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => [f, v]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => [`${f}=${v}`]) },
    { weight: 2, arbitrary: fc.constantFrom(...flags).map((f) => [f]) },
    { weight: 1, arbitrary: value.map((v) => [v]) },
    { weight: 1, arbitrary: word.map((w) => [w]) },
  )
const shapedLine = fc.constantFrom('decode' as const, 'token' as const, 'git-credential' as const, 'verify' as const).chain((cmd) =>
  fc
    .tuple(
      fc.array(piece(GLOBALS), { maxLength: 2 }),
      // git-credential's action first, mostly `get`
      cmd === 'git-credential' ? fc.constantFrom([['get']], [['get']], [['get']], [['store']], [['configure']], []) : cmd === 'verify' ? fc.constantFrom([['--batch']], [['--batch']], [['--batch']], []) : fc.constant([]),
      fc.array(piece([...Object.keys(fastCommandSpec(cmd).flags), ...GLOBALS]), { maxLength: 4 }),
    )
    .map(([before, action, after]) => [...before.flat(), cmd, ...action.flat(), ...after.flat()]),
)
const envs = fc.constantFrom<NodeJS.ProcessEnv>({}, { TOKENTOOL_PROFILE: 'envprof' }, { TOKENTOOL_TIMEOUT: '5s' })

describe('fast path parser', () => {
  it('takes a line only when commander reads it the same way (command, argument, flags, globals)', async () => {
    let taken = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: shapedLine }, { weight: 1, arbitrary: fc.array(word, { maxLength: 7 }) }), envs, async (argv, env) => {
        const fast = fastParse(argv, env)
        if (fast === undefined) return // the full program parses it: nothing to compare
        taken++
        expect(await commanderParse(argv, env)).toEqual(fast)
      }),
      { numRuns: 2000 },
    )
    // the property compared something: a good share of the lines were the fast path's
    expect(taken).toBeGreaterThan(100)
  })

  it.each([
    [['decode', JWT]],
    [['decode', '--json', JWT]],
    [['--json', '--no-color', 'decode', JWT, '--now', '1700000000']],
    [['decode', '--file=t.jwt', '--profile', 'ci']],
    [['decode', '-f', 't.jwt']],
    [['decode', '-']],
    [['decode']],
    [['token', '--issuer', 'https://login.example.com', '--client-id', 'app', '--client-secret', 's3cret', '--scope', 'deploy']],
    [['--profile=ci', 'token', '--format', 'env', '--resource', 'https://a', '--resource', 'https://b', '--min-ttl', '5m']],
    [['token', '--json', '--client-credentials']],
    [['git-credential', 'get']],
    [['git-credential', '--profile', 'ci', 'get', '--host', 'git.example.com', '--username=me', '--min-ttl', '5m']],
    [['--profile=ci', 'git-credential', 'get']],
    [['verify', '--batch', '--jwks', 'jwks.json']],
    [['verify', '--batch', '--key=pub.pem', '--iss', 'https://login.example.com', '--aud', 'api', '--aud', 'web', '--alg', 'ES256', '--clock-skew', '5m']],
    [['--json', 'verify', '--secret', 'env:S', '--batch', '--scope', 'read write', '--claim', 'role=admin', '--max-age', '1h', '--typ', 'at+jwt', '--sub', 'a', '--now', '1700000000']],
  ])('takes %j, as commander reads it', async (argv) => {
    const fast = fastParse(argv, {})
    expect(fast).toBeDefined()
    expect(await commanderParse(argv, {})).toEqual(fast)
  })

  it.each([
    [['decode', '--help']],
    [['help', 'decode']],
    [['decode', '--bogus', JWT]],
    [['decode', '--', '-abc']],
    [['decode', JWT, 'extra']],
    [['decode', '--now', 'yesterday', JWT]],
    [['decode', '--key', 'k.pem', JWT]],
    [['decode', '--file']],
    [['token', '--format', 'exec']],
    [['token', '--force']],
    [['token', 'extra']],
    [['--timeout', '5s', 'decode', JWT]],
    [['-V']],
    [['git-credential', 'store']],
    [['git-credential', 'erase']],
    [['git-credential', 'configure', '--host', 'git.example.com']],
    [['git-credential']],
    [['git-credential', 'get', 'extra']],
    [['verify', '--jwks', 'jwks.json', JWT]],
    [['verify', '--batch', '--jwks', 'https://login.example.com/jwks']],
    [['verify', '--batch', '--issuer', 'https://login.example.com']],
    [['verify', '--batch', '--jwks', 'jwks.json', '-']],
    [['verify', '--batch', '--file', 't.jwt']],
    [['verify', '--batch', '--dpop-proof', 'p']],
    [[]],
  ])('leaves %j to the full program', (argv) => {
    expect(parseFastArgv(argv, {})).toBeUndefined()
  })

  it('leaves a run with TOKENTOOL_TIMEOUT or TOKENTOOL_CACERT to the full program (it validates them)', () => {
    expect(parseFastArgv(['decode', JWT], { TOKENTOOL_TIMEOUT: 'bogus' })).toBeUndefined()
    expect(parseFastArgv(['decode', JWT], { TOKENTOOL_CACERT: 'ca.pem' })).toBeUndefined()
  })
})

describe('fast path flag table', () => {
  const { deps } = testDeps()
  const program = buildRootProgram(deps)
  const defined = {
    decode: decodeCommand.register(program, deps),
    token: tokenCommand.register(program, deps),
    'git-credential': gitCredentialCommand.register(program, deps),
    verify: verifyCommand.register(program, deps),
  }

  for (const [name, cmd] of Object.entries(defined) as [Parameters<typeof fastCommandSpec>[0], Command][]) {
    const spec = fastCommandSpec(name)
    it(`${name}: every flag it knows is the command's, with the same value key and kind`, () => {
      for (const [flag, f] of Object.entries(spec.flags)) {
        const opt = cmd.options.find((o) => o.long === flag || o.short === flag)
        expect(opt, flag).toBeDefined()
        expect(opt!.attributeName(), flag).toBe(f.key)
        expect(opt!.required, flag).toBe(Boolean(f.value))
        expect(Boolean(opt!.negate), flag).toBe(false)
      }
    })
    it(`${name}: every default or environment variable of the command is the fast path's too`, () => {
      // a flag absent from the line still has a value in commander's parse: the fast path must give the same
      for (const opt of cmd.options) {
        if (opt.defaultValue !== undefined) expect(spec.defaults[opt.attributeName()], opt.long).toEqual(opt.defaultValue)
        expect(opt.envVar, `${opt.long} reads an environment variable the fast path does not`).toBeUndefined()
      }
      for (const key of Object.keys(spec.defaults)) expect(cmd.options.some((o) => o.attributeName() === key && o.defaultValue !== undefined), key).toBe(true)
    })
  }
})
