/**
 * What a command receives: streams, TTY state, colour, environment, clock, HTTP and the home
 * directory. Injected, so that a test can run a command in-process with fake streams, and so
 * that nothing deep in the code reads `process` by itself.
 * @module
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface IOStreams {
  in: NodeJS.ReadableStream
  out: NodeJS.WritableStream
  err: NodeJS.WritableStream
  stdinIsTTY: boolean
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  /** Whether stdout may carry ANSI colour (decided once in cli/main from TTY, flags and env). */
  color: boolean
  /** Terminal width for tables and charts; 80 when unknown. */
  columns: number
}

/** Global options of the contract, resolved before a command runs. */
export interface GlobalOptions {
  json: boolean
  color: boolean
  verbose: boolean
  debug: boolean
  profile: string
}

export interface Deps {
  io: IOStreams
  env: NodeJS.ProcessEnv
  /** The wall clock; commands that accept `--now` use that instead. */
  now: () => Date
  /** HTTP for every network call (discovery, JWKS, token endpoint). Loaded lazily: undici is heavy. */
  fetch: () => Promise<typeof globalThis.fetch>
  /** TOKENTOOL_HOME, else $XDG_CONFIG_HOME/tokentool, else ~/.config/tokentool. */
  home: string
  cwd: string
  /** Filled by cli/main after the global options are parsed. */
  global: GlobalOptions
}

export function canPrompt(io: IOStreams): boolean {
  return io.stdinIsTTY && io.stdoutIsTTY
}

export function resolveHome(env: NodeJS.ProcessEnv): string {
  if (env.TOKENTOOL_HOME) return env.TOKENTOOL_HOME
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'tokentool')
}

/** The real process's dependencies. */
export function createProcessDeps(): Deps {
  const out = process.stdout
  const io: IOStreams = {
    in: process.stdin,
    out,
    err: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(out.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    color: false,
    columns: out.isTTY && out.columns ? out.columns : 80,
  }
  let cached: { verbose: boolean; fetch: typeof globalThis.fetch } | undefined
  const deps: Deps = {
    io,
    env: process.env,
    now: () => new Date(),
    // one client (one connection pool) per run; `-v` is known only after parsing, hence lazy
    fetch: async () => {
      const verbose = deps.global.verbose
      if (cached?.verbose !== verbose) {
        const { createFetch } = await import('../http/fetch.js')
        cached = { verbose, fetch: createFetch(verbose ? { trace: deps.io.err } : {}) }
      }
      return cached.fetch
    },
    home: resolveHome(process.env),
    cwd: process.cwd(),
    global: { json: false, color: false, verbose: false, debug: false, profile: 'default' },
  }
  return deps
}
