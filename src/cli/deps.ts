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
  /** `--timeout`: each HTTP request's limit in ms (connect at most 10 s of it); default 30 s. */
  timeoutMs?: number | undefined
  /** `--cacert FILE`: extra trusted CA certificates (PEM), on top of the system's. */
  cacert?: string | undefined
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

/** The width human views wrap to: `COLUMNS` when set, else the TTY's width, else 80 (contract 0.2). */
export function terminalColumns(env: NodeJS.ProcessEnv, ttyColumns: number | undefined): number {
  const fromEnv = Number(env.COLUMNS)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(20, Math.min(fromEnv, 1000))
  return ttyColumns && ttyColumns > 0 ? ttyColumns : 80
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
    columns: terminalColumns(process.env, out.isTTY ? out.columns : undefined),
  }
  let cached: { key: string; fetch: typeof globalThis.fetch } | undefined
  const deps: Deps = {
    io,
    env: process.env,
    now: () => new Date(),
    // one client (one connection pool) per run; the global options are known only after
    // parsing, hence lazy
    fetch: async () => {
      const { verbose, timeoutMs, cacert } = deps.global
      const key = JSON.stringify([verbose, timeoutMs, cacert])
      if (cached?.key !== key) {
        const { createFetch } = await import('../http/fetch.js')
        const { readCaFile } = await import('../http/ca.js')
        const ca = cacert !== undefined ? [await readCaFile(cacert, deps.cwd)] : undefined
        cached = {
          key,
          fetch: createFetch({
            ...(verbose ? { trace: deps.io.err } : {}),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
            ...(ca ? { ca } : {}),
            env: deps.env,
          }),
        }
      }
      return cached.fetch
    },
    home: resolveHome(process.env),
    cwd: process.cwd(),
    global: { json: false, color: false, verbose: false, debug: false, profile: 'default' },
  }
  return deps
}
