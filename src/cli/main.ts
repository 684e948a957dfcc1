/**
 * The commander program: global options, command registration (a command's module is loaded
 * only when that command runs) and the single place that writes errors and decides the exit
 * code. Only this module (through `process.ts`) ends the process.
 * @module
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, Option } from 'commander'
import { EXIT } from '../errors.js'
import { COMMANDS, type CommandEntry } from './commands/registry.js'
import { canPrompt, type Deps, type GlobalOptions } from './deps.js'
import { colorEnabled } from './color.js'
import { safeLines } from './error-text.js'
import { guardStream } from './safe-stream.js'
import { usageFromCommander } from './usage-message.js'
import { helpLayout, wrapHelpText } from './help-format.js'
import { suggest } from '../core/suggest.js'
import { applyGlobals } from './globals.js'
import { InterruptedInside, reportError } from './report-error.js'
import { interactive } from './terminal-session.js'

/** Global options that take a value: needed to find the command name in argv before parsing. */
const GLOBAL_WITH_VALUE = new Set(['--profile', '--timeout', '--cacert'])

export function findCommandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return argv[i + 1]
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++
      continue
    }
    if (!a.startsWith('-')) return a
  }
  return undefined
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

export function buildRootProgram(deps: Deps): Command {
  const program = new Command('tokentool')
  program
    .description('Inspect, verify and obtain OAuth 2.0 and OpenID Connect tokens')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void deps.io.out.write(wrapHelpText(s, deps.io.columns)),
      writeErr: (s) => void deps.io.err.write(wrapHelpText(s, deps.io.columns)),
      // help wraps at spaces to the same width as every view, not to the terminal's soft wrap
      getOutHelpWidth: () => deps.io.columns,
      getErrHelpWidth: () => deps.io.columns,
      // written by reportError, in tokentool's words (usage-message.ts), and as JSON with --json
      outputError: () => {},
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false, ...helpLayout(deps.io.columns) })
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('--no-color', 'no ANSI colour (also NO_COLOR; FORCE_COLOR forces it)')
    .option('-v, --verbose', 'trace every HTTP exchange to stderr, secrets redacted')
    .addOption(
      new Option('--profile <name>', 'named set of issuer, client and stored tokens').env(
        'TOKENTOOL_PROFILE',
      ),
    )
    .option('--debug', 'show stack traces of unexpected errors')
    .addOption(new Option('--cacert <file>', 'also trust the CA certificates in this PEM file (a private CA); added to the system CAs').env('TOKENTOOL_CACERT'))
    .version(version(), '-V, --version', 'print the version')
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExamples:\n  $ tokentool decode eyJhbGciOi...\n  $ tokentool verify --issuer https://login.example.com token.jwt\n  $ tokentool                      # interactive menu (in a terminal)\n')

  program.hook('preAction', (_this, action) => {
    // a command's own --timeout (login: how long to wait for the sign-in) is not the HTTP one
    const own = action.options.some((opt) => opt.long === '--timeout')
    applyGlobals(action.optsWithGlobals(), deps, own)
  })
  return program
}

/**
 * The HTTP `--timeout`, global, unless the command being run defines its own (login's is how
 * long to wait for the sign-in, and commander would hand a global one every `--timeout` on
 * the line). There, TOKENTOOL_TIMEOUT sets the HTTP one.
 */
function addTimeoutOption(program: Command): void {
  if (program.commands.some((c) => c.options.some((o) => o.long === '--timeout'))) return
  program.addOption(
    new Option('--timeout <duration>', 'limit for each HTTP request, connect and read (default 30s; connect at most 10s)').env('TOKENTOOL_TIMEOUT'),
  )
}

/**
 * `tokentool --timeout 2s login …`: before a command with a `--timeout` of its own (login's is
 * how long to wait for the sign-in), the global one is the HTTP limit, as before any other
 * command. It is taken out of argv and passed on as TOKENTOOL_TIMEOUT, which preAction reads.
 */
function globalTimeoutBeforeOwn(program: Command, deps: Deps, argv: readonly string[]): readonly string[] {
  const name = findCommandName(argv)
  const at = name === undefined ? -1 : argv.indexOf(name)
  const own = program.commands.find((c) => c.name() === name)?.options.some((o) => o.long === '--timeout')
  if (!own || at < 0) return argv
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (i < at && a === '--timeout' && i + 1 < at) {
      deps.env = { ...deps.env, TOKENTOOL_TIMEOUT: argv[++i]! }
    } else if (i < at && a.startsWith('--timeout=')) {
      deps.env = { ...deps.env, TOKENTOOL_TIMEOUT: a.slice('--timeout='.length) }
    } else out.push(a)
  }
  return out
}

/** Registers every command: the one being run for real, the others by name for the help. */
async function registerCommands(program: Command, deps: Deps, argv: readonly string[]): Promise<void> {
  let wanted = findCommandName(argv)
  if (wanted === 'help') {
    wanted = argv[argv.indexOf('help') + 1]
    if (wanted !== undefined && !COMMANDS.some((c) => c.name === wanted)) throw usageFromCommander(`unknown command '${wanted}'${didYouMean(wanted)}`, [])
  }
  for (const entry of COMMANDS) {
    if (entry.name === wanted) await registerFull(program, deps, entry)
    else program.command(entry.name).description(entry.summary).allowUnknownOption().allowExcessArguments()
  }
}

function didYouMean(word: string): string {
  const near = suggest(word, COMMANDS.map((c) => c.name))
  return near ? `\n(Did you mean ${near}?)` : ''
}

async function registerFull(program: Command, deps: Deps, entry: CommandEntry): Promise<void> {
  const mod = await entry.load()
  // what a command may need of the program is handed to it: no command imports this module
  mod.register(program, deps, { commands: COMMANDS, rootProgram: () => buildRootProgram(deps), run: commandRunner(deps) })
}

/** Runs tokentool with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], given: Deps): Promise<number> {
  const deps = guardedDeps(given)
  // whether a command wrote its own document to stdout before failing (verify's report); the
  // deps object itself is kept (its fetch reads deps.global, set once the options are parsed)
  const stdout = deps.io.out
  const out = writeWatched(stdout)
  deps.io.out = out.stream
  try {
    const program = buildRootProgram(deps)
    await registerCommands(program, deps, argv)
    argv = globalTimeoutBeforeOwn(program, deps, argv)
    addTimeoutOption(program)
    if (findCommandName(argv) === undefined && !argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) {
      return await runWithoutCommand(program, deps, argv)
    }
    await program.parseAsync([...argv], { from: 'user' })
    return EXIT.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; help shown because a subcommand was missing (`tokentool
      // cae`) is a usage error like any other, and commander printed that help already
      if (err.exitCode === 0) return EXIT.ok
      if (err.code === 'commander.help' || err.code === 'commander.helpDisplayed') return EXIT.usage
      return reportError(usageFromCommander(err.message, argv), deps, argv, out.wrote)
    }
    return reportError(err, deps, argv, out.wrote)
  } finally {
    deps.io.out = stdout
  }
}

/** The stream, and whether anything has been written to it. */
function writeWatched(stream: NodeJS.WritableStream): { stream: NodeJS.WritableStream; wrote: () => boolean } {
  let wrote = false
  const proxy = new Proxy(stream, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown
      if (key === 'write') {
        return (...args: Parameters<NodeJS.WritableStream['write']>) => {
          wrote = true
          return (target.write as (...a: unknown[]) => boolean)(...args)
        }
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { stream: proxy, wrote: () => wrote }
}

/**
 * Output that is not a terminal gets the terminal-safety escape on every write (safe-stream.ts).
 * The streams are replaced in place: the process's fetch reads `deps.global` and `deps.io.err`
 * of this very object when it builds its tracer.
 */
function guardedDeps(deps: Deps): Deps {
  if (deps.io.stdoutIsTTY && deps.io.stderrIsTTY) return deps
  const io = { ...deps.io }
  const keepSgr = () => deps.io.color
  if (!io.stdoutIsTTY) io.out = guardStream(io.out, keepSgr)
  if (!io.stderrIsTTY) io.err = guardStream(io.err, keepSgr)
  deps.io = io
  return deps
}

/** No command: the interactive menu in a terminal, the help text and exit 2 otherwise. */
async function runWithoutCommand(program: Command, deps: Deps, argv: readonly string[]): Promise<number> {
  if (!canPrompt(deps.io) || argv.includes('--json')) {
    deps.io.err.write(program.helpInformation())
    return EXIT.usage
  }
  program.parseOptions([...argv])
  const o = program.opts<{ color?: boolean; verbose?: boolean; profile?: string; cacert?: string; timeout?: string }>()
  // what the menu's commands inherit from `tokentool --cacert ca.pem` and friends
  const globals = [
    ...(o.color === false ? ['--no-color'] : []),
    ...(o.verbose ? ['-v'] : []),
    ...(o.cacert ? ['--cacert', o.cacert] : []),
  ]
  // through the environment: a `--timeout` in front of `login` would be refused (login has its own)
  if (o.timeout) deps.env = { ...deps.env, TOKENTOOL_TIMEOUT: o.timeout }
  deps.io.color = colorEnabled({ flag: o.color !== false, isTTY: deps.io.stdoutIsTTY, env: deps.env })
  // loaded only here: inquirer and the flows cost nothing to the other commands
  const { runMenu } = await import('../interactive/menu.js')
  await interactive(deps, () => runMenu(deps, { profile: o.profile || deps.env.TOKENTOOL_PROFILE || 'default', globals, run: commandRunner(deps), commands: COMMANDS.map((c) => c.name) }))
  return EXIT.ok
}

/** Runs a command in this process as if typed, for the interactive mode; Ctrl-C inside it ends the menu too. */
export function commandRunner(deps: Deps): (argv: string[], io?: Partial<Pick<Deps['io'], 'out' | 'err'>>) => Promise<number> {
  return async (argv, io) => {
    const code = await main(argv, io ? { ...deps, io: { ...deps.io, ...io } } : deps)
    if (code === EXIT.cancelled) throw new InterruptedInside()
    return code
  }
}

