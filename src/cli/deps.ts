/**
 * What a command receives: streams, TTY state, colour, environment, clock, HTTP and the home
 * directory. Injected, so that a test can run a command in-process with fake streams, and so
 * that nothing deep in the code reads `process` by itself.
 * @module
 */
import { fstatSync, readlinkSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { InputError } from '../errors.js'
import { readNamedFile } from './read-file.js'

// the shapes live below every layer that receives them (src/deps.ts); built here from the process
export type { IOStreams } from '../io-streams.js'
export { canPrompt, type Deps, type GlobalOptions } from '../deps.js'
import type { IOStreams } from '../io-streams.js'
import type { Deps } from '../deps.js'

/**
 * The working directory, asked for when a path needs it. A shell can sit in a directory that was
 * deleted since (or is no longer reachable), where process.cwd() throws (ENOENT): there the
 * shell's $PWD stands in, as it does for the shell, so that an absolute path reads as ever and a
 * relative one is "not found" with its path, as curl or cat would say. Without an absolute $PWD,
 * one line saying why. A decode of an argument never asks.
 */
export function currentDirectory(env: NodeJS.ProcessEnv): string {
  try {
    return process.cwd()
  } catch (e) {
    if (env.PWD && isAbsolute(env.PWD)) return env.PWD
    const code = (e as NodeJS.ErrnoException).code ?? 'error'
    throw new InputError(`the current directory cannot be read (${code}): it was deleted or is no longer reachable`, { hint: 'cd to a directory that exists' })
  }
}

export function resolveHome(env: NodeJS.ProcessEnv): string {
  // relative: against the working directory, once, here (the store resolves it again otherwise)
  if (env.TOKENTOOL_HOME) return isAbsolute(env.TOKENTOOL_HOME) ? env.TOKENTOOL_HOME : resolve(currentDirectory(env), env.TOKENTOOL_HOME)
  // node:os asked for only here: a decode (which has no home) does not pay its start, 0.86 M instructions
  const base = env.XDG_CONFIG_HOME || join(process.getBuiltinModule('node:os').homedir(), '.config')
  return join(base, 'tokentool')
}

/** The width human views wrap to: `COLUMNS` when set, else the TTY's width, else 80 (contract 0.2). */
export function terminalColumns(env: NodeJS.ProcessEnv, ttyColumns: number | undefined): number {
  const fromEnv = Number(env.COLUMNS)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(20, Math.min(fromEnv, 1000))
  return ttyColumns && ttyColumns > 0 ? ttyColumns : 80
}

/**
 * Whether `fd` is a terminal. Only a device can be one, and the descriptor says whether it is
 * without node:tty, which loads node:net: a pipe or a file (a script, kubectl, git, the
 * benchmarks) is answered here. On Linux by the name /proc gives the descriptor (a terminal is
 * a device under /dev: /dev/pts/3; a pipe is "pipe:[…]", a file its path), which costs a start
 * 0.6 M instructions less than fstat (Node.js compiles its Stats class for that); elsewhere, or
 * without /proc, by fstat.
 */
export function isTerminal(fd: number): boolean {
  if (!mayBeTerminal(fd)) return false
  // not imported: node:tty loads node:net, and node:module (for a require) costs a start 0.75 M
  const tty = process.getBuiltinModule('node:tty')
  return tty.isatty(fd)
}

function mayBeTerminal(fd: number): boolean {
  if (process.platform === 'linux') {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('/dev/')
    } catch {
      // no /proc (a sandbox), or the descriptor is closed: fstat says which
    }
  }
  try {
    return fstatSync(fd).isCharacterDevice()
  } catch {
    return false // closed
  }
}

/** What a command that reads stdin says when it is a directory (`tokentool decode < /tmp`). */
export const STDIN_IS_DIRECTORY = 'stdin is a directory: nothing can be read from it'

/**
 * process.stdin, or, when stdin is a directory, a stream whose first read fails with one line
 * (exit 2): Node.js gives a directory an empty stream, which a command would take for empty
 * input ("the token is empty"). The stream is what fails, not the asking, because main.ts
 * spreads io and commands take the stream before they read it.
 */
export function processStdin(): NodeJS.ReadableStream {
  let directory = false
  try {
    directory = fstatSync(0).isDirectory()
  } catch {
    // closed: process.stdin says so as it always has
  }
  if (!directory) return process.stdin
  // not imported: node:stream is a cost a start that never reads stdin would pay
  const { Readable } = process.getBuiltinModule('node:stream')
  return new Readable({
    read() {
      this.destroy(new InputError(STDIN_IS_DIRECTORY))
    },
  })
}

/**
 * The real process's dependencies. `in`/`out`/`err` replace process.stdin/stdout/stderr (the
 * start-up fast path writes to the descriptors directly). stdin is opened only when a command reads
 * it, and the TTY checks ask the descriptors: process.stdin/stdout on a pipe load node:net
 * and the stream machinery, which a `decode` of an argument never needs.
 */
export function createProcessDeps(
  streams: { in?: () => NodeJS.ReadableStream; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream } = {},
): Deps {
  const stdin = streams.in ?? processStdin
  // each asked only when a command needs it (lazy, once; settable like a plain field): see isTerminal
  const tty: Partial<Record<0 | 1 | 2, boolean>> = {}
  const isTTY = (fd: 0 | 1 | 2): boolean => (tty[fd] ??= isTerminal(fd))
  let columns: number | undefined
  const io: IOStreams = {
    get in() {
      return stdin()
    },
    out: streams.out ?? process.stdout,
    err: streams.err ?? process.stderr,
    get stdinIsTTY() {
      return isTTY(0)
    },
    set stdinIsTTY(v) {
      tty[0] = v
    },
    get stdoutIsTTY() {
      return isTTY(1)
    },
    set stdoutIsTTY(v) {
      tty[1] = v
    },
    get stderrIsTTY() {
      return isTTY(2)
    },
    set stderrIsTTY(v) {
      tty[2] = v
    },
    color: false,
    get columns() {
      return (columns ??= terminalColumns(process.env, isTTY(1) ? process.stdout.columns : undefined))
    },
    set columns(v) {
      columns = v
    },
  }
  let cached: { key: string; fetch: typeof globalThis.fetch } | undefined
  let home: string | undefined
  let cwd: string | undefined
  const deps: Deps = {
    io,
    env: process.env,
    now: () => new Date(),
    // one client (one connection pool) per run; the global options are known only after
    // parsing, hence lazy
    fetch: async (fo) => {
      const { verbose, timeoutMs, cacert } = deps.global
      const clientCert = fo?.clientCert
      const key = JSON.stringify([verbose, timeoutMs, cacert, clientCert?.cert ?? null])
      if (cached?.key !== key) {
        const { createFetch } = await import('../http/fetch.js')
        const { caCertificates } = await import('../http/ca.js')
        const ca = cacert !== undefined ? [caCertificates(await readNamedFile(cacert, deps.cwd, '--cacert'), cacert)] : undefined
        cached = {
          key,
          fetch: createFetch({
            ...(verbose ? { trace: deps.io.err } : {}),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
            ...(ca ? { ca } : {}),
            ...(clientCert ? { clientCert } : {}),
            env: deps.env,
          }),
        }
      }
      return cached.fetch
    },
    // worked out when asked (a decode never asks): node:os is loaded for it
    get home() {
      return (home ??= resolveHome(process.env))
    },
    set home(v) {
      home = v
    },
    // worked out when asked (currentDirectory says why)
    get cwd() {
      return (cwd ??= currentDirectory(deps.env))
    },
    set cwd(v) {
      cwd = v
    },
    global: { json: false, color: false, verbose: false, debug: false, profile: 'default' },
  }
  return deps
}
