/**
 * What bin/tokentool.js runs first. A plain `decode` or `token` line (fast-path.ts) runs here,
 * in one small bundle (dist/start/start.cjs) without commander, node:net or child_process;
 * for every other line, and a `token` that must go to the network, `start` returns undefined
 * and bin/tokentool.js runs the full commander program (process.ts). Both paths give the
 * command the same globals (globals.ts) and report errors with the same function
 * (report-error.ts).
 * @module
 */
import { createProcessDeps } from './deps.js'
import { fdOutput } from './fd-output.js'
import { parseFastArgv, type FastRun } from './fast-path.js'
import { applyGlobals } from './globals.js'
import { HandOver } from './handover.js'
import { reportError } from './report-error.js'
import { argvSecretWarning } from './argv-secrets.js'

/** The exit code of a run the fast path made, or undefined: the full program runs it. */
export async function start(argv: readonly string[] = process.argv.slice(2)): Promise<number | undefined> {
  const run = parseFastArgv(argv, process.env)
  return run === undefined ? undefined : runFast(run, argv)
}

const onSigint = (): void => {
  // as process.ts: a clean line, the cursor back, one word, exit 130
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K\x1b[?25h')
  process.stderr.write('tokentool: interrupted\n')
  process.exit(130)
}

/** The run's exit code, or undefined when it is handed over to the full program. */
async function runFast(run: FastRun, argv: readonly string[]): Promise<number | undefined> {
  const out = fdOutput(1, () => process.stdout)
  const err = fdOutput(2, () => process.stderr)
  // stderr is held until the run ends: a run handed over must not have said anything yet
  // as process.ts, first: a literal secret on the command line
  let held = argvSecretWarning(argv, process.env) ?? ''
  const heldErr = { write: (s: string) => ((held += s), true) } as unknown as NodeJS.WritableStream
  let stdinUsed = false
  const deps = createProcessDeps({
    out: out as unknown as NodeJS.WritableStream,
    err: heldErr,
    in: () => ((stdinUsed = true), process.stdin),
  })
  process.once('SIGINT', onSigint)
  let code: number
  try {
    applyGlobals(run.globals, deps)
    // each command's code loads only for it: a decode does not pay for the store and node:crypto
    if (run.command === 'decode') await (await import('./commands/decode.js')).runDecode(run.arg, run.flags, deps)
    else await (await import('./commands/token.js')).runToken(run.flags, deps)
    code = 0
  } catch (e) {
    if (e instanceof HandOver) {
      // nothing may have been read or printed that the full program would read or print again
      if (!stdinUsed && !out.used) {
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
