/**
 * What bin/tokentool.cjs runs first. A plain `decode` or `token` line (fast-path.ts) runs here,
 * in one small bundle per command (dist/start/<command>.cjs, whose entry is start-<command>.ts)
 * without commander, node:net or child_process;
 * for every other line, and a `token` that must go to the network, `start` returns undefined
 * and bin/tokentool.cjs runs the full commander program (process.ts). Both paths give the
 * command the same globals (globals.ts) and report errors with the same function
 * (report-error.ts).
 * @module
 */
import { fstatSync, readSync } from 'node:fs'
import { InputError } from '../errors.js'
import { createProcessDeps, processStdin, STDIN_IS_DIRECTORY } from './deps.js'
import { fdOutput } from './fd-output.js'
import { parseFastArgv, type FastRun } from './fast-path.js'
import { applyGlobals } from './globals.js'
import { HandOver } from './handover.js'
import { reportError } from './report-error.js'
import { argvSecretWarning } from './argv-secrets.js'
import { replayStdin } from './replay-stdin.js'
import { MAX_STDIN_BYTES } from './input.js'
import type { Deps } from './deps.js'

/**
 * What the fast path read of stdin before it handed a run over (git's request to
 * `git-credential get`, the token a decode read): the full program reads it from here instead
 * (process.ts).
 */
let readStdin: Buffer | undefined
export function handedOverStdin(): Buffer | undefined {
  return readStdin
}

type FastCommand = FastRun['command']
/** What runs one fast line of `command`: that command's own run function, called with the parse. */
export type CommandRunner<C extends FastCommand> = (run: Extract<FastRun, { command: C }>, deps: Deps) => Promise<void>

/**
 * The fast path of one command: `start(argv)` gives the exit code of a run it made, or undefined
 * when the full program runs the line. Each bundle's entry (start-<command>.ts) makes its own
 * with the command's code imported statically: a module imported with import() is wrapped by
 * esbuild to start when first asked for, with its imports (some 40 wrappers for a decode, each
 * an object literal and a call at the start), and the other commands would be handed-over stubs
 * that cost their wrappers too. A line of another command (the word that chose this bundle was
 * a flag's value) goes to the full program.
 */
export function fastStart<C extends FastCommand>(command: C, runCommand: CommandRunner<C>) {
  return async function start(argv: readonly string[] = process.argv.slice(2)): Promise<number | undefined> {
    const run = parseFastArgv(argv, process.env)
    return run?.command === command ? runFast(run as Extract<FastRun, { command: C }>, argv, runCommand) : undefined
  }
}

const onSigint = (): void => {
  // as process.ts: a clean line, the cursor back, one word, exit 130
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K\x1b[?25h')
  process.stderr.write('tokentool: interrupted\n')
  process.exit(130)
}

/** The run's exit code, or undefined when it is handed over to the full program. */
async function runFast<C extends FastCommand>(run: Extract<FastRun, { command: C }>, argv: readonly string[], runCommand: CommandRunner<C>): Promise<number | undefined> {
  const out = fdOutput(1, () => process.stdout)
  const err = fdOutput(2, () => process.stderr)
  // stderr is held until the run ends: a run handed over must not have said anything yet
  // as process.ts, first: a literal secret on the command line
  let held = argvSecretWarning(argv, process.env) ?? ''
  let holding = true
  const heldErr = { write: (s: string) => (holding ? (held += s) : err.write(s), true) } as unknown as NodeJS.WritableStream
  let stdinUsed = false
  // git's request is read whole here, first (as the command itself does): a run handed over
  // gives it to the full program, which reads it as if from stdin
  let request: Buffer | undefined
  const deps = createProcessDeps({
    out: out as unknown as NodeJS.WritableStream,
    err: heldErr,
    // decode reads stdin whole (`pbpaste | tokentool decode`): from the descriptor, as git's
    // request, sparing node:net and the stream machinery process.stdin loads on a pipe; a batch
    // streams it through process.stdin (its input may come slowly, its output must not wait)
    in: () => (request !== undefined ? replayStdin(request) : run.command === 'decode' ? wholeStdin((bytes) => (request = bytes)) : ((stdinUsed = true), processStdin())),
  })
  // on, not once: the listener exits, and once's wrapper is two more of Node.js's functions to compile
  process.on('SIGINT', onSigint)
  let code: number
  try {
    applyGlobals(run.globals, deps)
    if (run.command === 'verify') {
      // a batch is never handed over (its keys are a file or a secret): its warnings go out
      // as they come, before the results, as in the full program
      if (held !== '') err.write(held)
      held = ''
      holding = false
    } else if (run.command === 'git-credential') {
      request = await readWholeStdin()
    }
    await runCommand(run, deps)
    code = 0
  } catch (e) {
    if (e instanceof HandOver) {
      // nothing may have been read or printed that the full program would read or print again
      // (git's request, or a decode's stdin, was read whole, and is handed over with the run)
      if (!stdinUsed && !out.used) {
        readStdin = request
        process.removeListener('SIGINT', onSigint)
        return undefined
      }
      code = reportError(new Error(`cannot hand over after reading stdin or writing stdout: ${e.message}`), deps, argv)
    } else {
      code = reportError(e, deps, argv, () => out.used)
    }
  }
  if (held !== '') err.write(held)
  return code
}

/**
 * stdin read whole (readWholeStdin) when the command first reads it, as a stream of one chunk.
 * `read` keeps the bytes: a decode handed over after reading them (a cnf-bound token, whose key
 * check opens the store: the full program's) gives them to the full program, as git's request.
 */
function wholeStdin(read: (bytes: Buffer) => void): NodeJS.ReadableStream {
  return {
    async *[Symbol.asyncIterator]() {
      const bytes = await readWholeStdin()
      read(bytes)
      yield* replayStdin(bytes) as unknown as AsyncIterable<Buffer>
    },
  } as unknown as NodeJS.ReadableStream
}

/**
 * stdin to its end, as bytes; over the stdin limit is the same error as the command's own read
 * (it reads the replay). A pipe, socket or file is read from the descriptor (git's request: a
 * few lines), which spares loading the socket and stream machinery process.stdin needs on a
 * pipe; a terminal, or a pipe that will not block, through process.stdin. A socket is what a
 * Node.js parent's `stdio: 'pipe'` gives (libuv makes a socketpair), as bench/token-cache.js does.
 *
 * The descriptor is read synchronously: git writes its whole request and closes the pipe
 * before it reads the answer, so the read does not wait, and an asynchronous one cost a round
 * trip through libuv's thread pool per read (its four threads started for it). A Ctrl-C that
 * comes while a read waits is acted on (exit 130) after it, before anything is answered: one
 * turn of the event loop, where Node.js runs the SIGINT listener.
 */
async function readWholeStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  const st = fstatSync(0)
  // `tokentool decode < somedir`: Node.js would read it as an empty stream ("the token is empty")
  if (st.isDirectory()) throw new InputError(STDIN_IS_DIRECTORY)
  if (st.isFIFO() || st.isFile() || st.isSocket()) {
    let whole = false
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(65536)
        const n = readSync(0, buf, 0, buf.length, null)
        if (n === 0) break
        chunks.push(buf.subarray(0, n))
        size += n
        if (size > MAX_STDIN_BYTES) break
      }
      whole = true
    } catch (e) {
      // a socket read(2) refuses (one that is not connected): the stream, as before, says what is wrong
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' && !(st.isSocket() && size === 0)) throw e
      // a non-blocking pipe: what was read so far, then the rest through the stream
    }
    if (whole) {
      if (!st.isFile()) await new Promise((resolve) => setImmediate(resolve))
      return Buffer.concat(chunks)
    }
  }
  for await (const c of process.stdin) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer)
    size += b.length
    chunks.push(b)
    // more than the command reads: it says so itself, reading the replay
    if (size > MAX_STDIN_BYTES) break
  }
  return Buffer.concat(chunks)
}
