/**
 * A write to stdout that failed for a reason other than a closed pipe (`| head` ends the run
 * quietly, exit 0): a full disk, a quota, an I/O error. Node reports such a failure on a file as
 * an 'error' event after the write returned, so without this a command whose output was lost
 * would still end in success (`tokentool keygen > key.json` on a full disk: an empty file and
 * exit 0). Said in one line on stderr, exit 2 (errors.ts OutputError).
 * @module
 */
import { EXIT, OutputError } from '../errors.js'
import { explainErrno } from '../core/errno-words.js'

export function stdoutFailure(e: unknown): OutputError {
  return new OutputError(`cannot write to stdout: ${explainErrno(e)}`, { cause: e })
}

/**
 * stdout's 'error' event (process.stdout, or the fast path's stream fallback): a closed pipe ends
 * the run quietly, anything else fails it.
 */
export function onStdoutError(e: NodeJS.ErrnoException): never {
  if (e.code === 'EPIPE') process.exit(0)
  return exitOnStdoutFailure(e)
}

/** For a failure that comes as an event, after the command may have moved on: says so and ends the run. */
function exitOnStdoutFailure(e: unknown): never {
  try {
    process.stderr.write(`tokentool: ${stdoutFailure(e).message}\n`)
  } catch {
    // stderr refused too: the exit code still says it
  }
  process.exit(EXIT.usage)
}
