/**
 * How an error is said, in one place, for the stderr line and for any JSON error document:
 * every message and hint passes through redaction (by name and by the run's known secret
 * values, including inside a server's `error_description`) and then the terminal-safety
 * escape. Anything that writes an error for a user — the `--json` failure document, NDJSON
 * error lines — takes its text from `errorFields` so that none is written raw.
 * @module
 */
import { printable, printableLines } from '../core/printable.js'
import { TokentoolError, exitCodeFor } from '../errors.js'
import { redactText } from '../http/redact.js'

/** One line of outside text as it may be written to a terminal or a log. */
export function safeText(text: string): string {
  return printable(redactText(text))
}

/** Several lines (a stack trace, commander's help-after-error). */
export function safeLines(text: string): string {
  return printableLines(redactText(text))
}

export interface ErrorFields {
  /** The typed error's code (`ERR_USAGE`, ...); `ERR_INTERNAL` for a bug. */
  code: string
  message: string
  hint: string | null
  exitCode: number
}

/** The error as the contract's `{"error": {code, message, hint, exitCode}}` has it, already safe. */
export function errorFields(err: unknown): ErrorFields {
  const exitCode = exitCodeFor(err)
  if (err instanceof TokentoolError) {
    return { code: err.code, message: safeText(err.message), hint: err.hint ? safeText(err.hint) : null, exitCode }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'ERR_INTERNAL', message: safeText(message), hint: null, exitCode }
}
