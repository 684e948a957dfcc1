/**
 * The start-up fast path's argv parser: a run that is one plain `decode`, `token`,
 * `git-credential get` or `verify --batch` command line is parsed here, without commander, so
 * that the run does not pay for building the whole program (bench/startup.js). It accepts only
 * what it is sure commander reads the same way: the flags listed below, each once (the
 * repeatable ones collected), `--flag value` or `--flag=value`, values that do not begin with
 * "-". Anything else (help, a usage error, `--`, a flag not listed, a bad value) returns
 * undefined and the commander program parses the line, so usage errors, --help and exit codes
 * stay commander's (test/cli/fast-path.test.ts runs both paths on the same lines).
 * Pure: argv and environment in, a parse out.
 * @module
 */
import { parseTime } from '../core/time.js'
import { TOKEN_FORMATS } from '../render/token.js'
import type { DecodeFlags } from './commands/decode.js'
import type { ParsedGlobals } from './globals.js'
import type { TokenFlags } from './token-request.js'
import type { GitCredentialFlags } from './commands/git-credential.js'
import type { VerifyFlags } from './commands/verify.js'

export type FastRun =
  | { command: 'decode'; globals: ParsedGlobals; arg: string | undefined; flags: DecodeFlags }
  | { command: 'token'; globals: ParsedGlobals; flags: TokenFlags }
  /** `git-credential get`; `explicitProfile` is a --profile on the line (TOKENTOOL_PROFILE does not count there). */
  | { command: 'git-credential'; globals: ParsedGlobals; action: 'get'; flags: GitCredentialFlags; explicitProfile: string | undefined }
  /** `verify --batch` with its keys from a file or a secret (a JWKS URL or an issuer goes to the full path). */
  | { command: 'verify'; globals: ParsedGlobals; flags: VerifyFlags }

type FastCommand = FastRun['command']
const FAST_NAMES: readonly string[] = ['decode', 'token', 'git-credential', 'verify'] satisfies FastCommand[]

interface FlagSpec {
  /** The key commander gives the option's value (camelCase of the long name). */
  key: string
  /** Takes a value; else a boolean switch (`negate`: `--no-x` sets x to false). */
  value?: true
  negate?: true
  /** Repeatable, collected into an array (commander's `collect`). */
  repeat?: true
  /** Turns the text into commander's value; throws for a value commander would refuse. */
  parse?: (v: string) => unknown
}

/** The program's global options the fast path knows; --timeout and --cacert are the full path's. */
const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  '--json': { key: 'json' },
  '--no-color': { key: 'color', negate: true },
  '-v': { key: 'verbose' },
  '--verbose': { key: 'verbose' },
  '--debug': { key: 'debug' },
  '--profile': { key: 'profile', value: true },
}

export interface FastCommandSpec {
  /** How many positional arguments the command takes at most. */
  positionals: number
  flags: Record<string, FlagSpec>
  /** Values commander sets when the flag is absent (its option defaults). */
  defaults: Record<string, unknown>
}

/** A JWKS location that is a file: a URL is fetched, which the full program does. */
const notUrl = (v: string) => {
  if (/^https?:\/\//i.test(v)) throw new Error('a URL')
  return v
}

const choice = (allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new Error('not a choice')
  return v
}

/**
 * The commands with a fast path and the flags it knows: what a script's loop or a helper
 * sends. `decode --key` (decryption loads jose anyway) and the rarer token flags take the
 * full path. test/unit/fast-path.test.ts checks these tables against the commands' commander
 * definitions (names, values, defaults), so a flag added there cannot silently differ here.
 * Each is made when first asked for: a decode makes decode's alone (the four together are some
 * sixty object literals, which a start pays for one by one).
 */
export function fastCommandSpec(command: FastCommand): FastCommandSpec {
  return (specs[command] ??= makeSpec(command))
}

const specs: Partial<Record<FastCommand, FastCommandSpec>> = {}

function makeSpec(command: FastCommand): FastCommandSpec {
  switch (command) {
    case 'decode':
      return {
        positionals: 1,
        flags: {
          '-f': { key: 'file', value: true },
          '--file': { key: 'file', value: true },
          '--now': { key: 'now', value: true, parse: parseTime },
        },
        defaults: {},
      }
    case 'token':
      return {
        positionals: 0,
        flags: {
          '--issuer': { key: 'issuer', value: true },
          '--client-id': { key: 'clientId', value: true },
          '--client-secret': { key: 'clientSecret', value: true },
          '--scope': { key: 'scope', value: true },
          '--audience': { key: 'audience', value: true },
          '--resource': { key: 'resource', value: true, repeat: true },
          '--min-ttl': { key: 'minTtl', value: true },
          '--format': { key: 'format', value: true, parse: choice(TOKEN_FORMATS) },
          '--client-credentials': { key: 'clientCredentials' },
        },
        defaults: { minTtl: '60s' },
      }
    // git runs its helper for every fetch and push; only `get` (the cached answer) is taken here
    case 'git-credential':
      return {
        positionals: 1,
        flags: {
          '--username': { key: 'username', value: true },
          '--min-ttl': { key: 'minTtl', value: true },
          '--host': { key: 'host', value: true },
        },
        defaults: { minTtl: '60s' },
      }
    // `verify --batch` over a log of tokens: taken only with --batch (a single token's checklist
    // loads its renderer anyway), keys from a file or --secret
    case 'verify':
      return {
        positionals: 0,
        flags: {
          '--batch': { key: 'batch' },
          '--jwks': { key: 'jwks', value: true, parse: notUrl },
          '--key': { key: 'key', value: true },
          '--secret': { key: 'secret', value: true },
          '--alg': { key: 'alg', value: true, repeat: true },
          '--clock-skew': { key: 'clockSkew', value: true },
          '--iss': { key: 'iss', value: true },
          '--aud': { key: 'aud', value: true, repeat: true },
          '--typ': { key: 'typ', value: true },
          '--sub': { key: 'sub', value: true },
          '--scope': { key: 'scope', value: true, repeat: true },
          '--claim': { key: 'claim', value: true, repeat: true },
          '--max-age': { key: 'maxAge', value: true },
          '--now': { key: 'now', value: true },
        },
        defaults: { clockSkew: '60s' },
      }
  }
}

/** Environment variables the full path reads as global options: their runs go there. */
const FULL_PATH_ENV = ['TOKENTOOL_TIMEOUT', 'TOKENTOOL_CACERT']

/** The fast path's parse of `argv` (without node and script), or undefined: the full path parses it. */
export function parseFastArgv(argv: readonly string[], env: NodeJS.ProcessEnv): FastRun | undefined {
  if (FULL_PATH_ENV.some((name) => env[name] !== undefined)) return undefined
  const globals: Record<string, unknown> = {}
  const flags: Record<string, unknown> = {}
  const seen = new Set<string>()
  const positionals: string[] = []
  let command: FastCommand | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (command === undefined) {
      if (FAST_NAMES.includes(a)) {
        command = a as FastCommand
        continue
      }
      if (!a.startsWith('-')) return undefined // another command
    } else if (!a.startsWith('-') || a === '-') {
      positionals.push(a)
      continue
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1
    const name = eq === -1 ? a : a.slice(0, eq)
    const own = command !== undefined ? fastCommandSpec(command).flags[name] : undefined
    const spec = own ?? GLOBAL_FLAGS[name]
    if (spec === undefined) return undefined
    const target = own ? flags : globals
    if (!spec.value) {
      if (eq !== -1 || seen.has(spec.key)) return undefined
      seen.add(spec.key)
      target[spec.key] = !spec.negate
      continue
    }
    const value = eq !== -1 ? a.slice(eq + 1) : argv[++i]
    if (value === undefined || value.startsWith('-') || value === '') return undefined
    if (spec.repeat) {
      target[spec.key] = [...((target[spec.key] as string[] | undefined) ?? []), value]
      continue
    }
    if (seen.has(spec.key)) return undefined
    seen.add(spec.key)
    try {
      target[spec.key] = spec.parse ? spec.parse(value) : value
    } catch {
      return undefined // commander says what is wrong with it
    }
  }
  if (command === undefined) return undefined
  const spec = fastCommandSpec(command)
  if (positionals.length > spec.positionals) return undefined
  if (command === 'git-credential' && positionals[0] !== 'get') return undefined
  if (command === 'verify' && flags.batch !== true) return undefined
  for (const [key, value] of Object.entries(spec.defaults)) if (!(key in flags)) flags[key] = value
  const explicitProfile = globals.profile as string | undefined
  // commander reads --profile from TOKENTOOL_PROFILE when it is not on the line
  if (globals.profile === undefined && env.TOKENTOOL_PROFILE !== undefined) globals.profile = env.TOKENTOOL_PROFILE
  if (command === 'decode') return { command, globals, arg: positionals[0], flags: flags as DecodeFlags }
  if (command === 'git-credential') return { command, globals, action: 'get', flags: flags as unknown as GitCredentialFlags, explicitProfile }
  if (command === 'verify') return { command, globals, flags: flags as unknown as VerifyFlags }
  return { command, globals, flags: flags as unknown as TokenFlags }
}
