/**
 * The single place that turns an error into one stderr line (and with --json a failure
 * document on stdout) and an exit code, for the commander program (main.ts, which turns
 * commander's own errors into usage errors first) and for the start-up fast path (start.ts)
 * alike. No commander here: the fast path does not load it.
 * @module
 */
import { EXIT, OutputError, TokentoolError, exitCodeFor } from '../errors.js'
import { writeJson, writeJsonLine } from '../render/json.js'
import type { Deps } from './deps.js'
import { errorFields, safeLines } from './error-text.js'

/** A command run from the menu was interrupted and said so already. */
export class InterruptedInside extends Error {}

/** `flag` given to tokentool (not after `--`, where it would be an argument). */
function flagGiven(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag)
}

const jsonRequested = (deps: Deps, argv: readonly string[]): boolean => deps.global.json || flagGiven(argv, '--json')
const batchRequested = (argv: readonly string[]): boolean => flagGiven(argv, '--batch')

/** `wroteOut`: whether the command wrote its own document to stdout before failing (verify's report). */
export function reportError(err: unknown, deps: Deps, argv: readonly string[], wroteOut: () => boolean = () => false): number {
  const debug = deps.global.debug || argv.includes('--debug')
  if (err instanceof InterruptedInside) return EXIT.cancelled // the command said so already
  const code = exitCodeFor(err)
  // --json: a failure is a document too, unless the command wrote its own (verify's report)
  // (not when stdout is what failed: the document would fail the same way)
  if (jsonRequested(deps, argv) && !wroteOut() && !(err instanceof OutputError)) {
    const f = errorFields(err)
    const doc = code === EXIT.cancelled && !(err instanceof TokentoolError) ? { ...f, code: 'ERR_CANCELLED', message: 'interrupted' } : f
    // exit_code: tokentool's snake_case rule; exitCode, the contract's 0.1 name, until 0.3 (render/json-fields.ts)
    const failure = { error: { code: doc.code, message: doc.message, hint: doc.hint, exit_code: doc.exitCode, exitCode: doc.exitCode } }
    // with --batch, stdout is NDJSON: the failure is one more line, as a reader of lines expects
    if (batchRequested(argv)) writeJsonLine(deps.io, failure)
    else writeJson(deps.io, failure)
  }
  if (err instanceof TokentoolError) {
    // one line: what was wrong, then what to do about it. The last line of defence: a
    // server's error_description or a library's message may quote a token, a secret or
    // escape bytes; errorFields redacts by name and by known value, then escapes
    const f = errorFields(err)
    deps.io.err.write(`tokentool: ${f.message}${f.hint ? ` (${f.hint})` : ''}\n`)
    if (debug && err.cause instanceof Error) deps.io.err.write(`${safeLines(String(err.cause.stack ?? err.cause))}\n`)
  } else if (code === EXIT.cancelled) {
    deps.io.err.write('tokentool: interrupted\n')
  } else {
    deps.io.err.write(`tokentool: unexpected error: ${errorFields(err).message} (this is a bug; run with --debug for details)\n`)
    if (debug && err instanceof Error) deps.io.err.write(`${safeLines(String(err.stack))}\n`)
  }
  return code
}
