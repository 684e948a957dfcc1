/**
 * One `verify --batch` line: the NDJSON result and whether it failed. The same function runs
 * on the main thread and in the worker pool (verify-pool.ts), so both give the same lines.
 * @module
 */
import { NetworkError, TokentoolError } from '../../errors.js'
import { normalizeTokenText } from '../../core/token-text.js'
import type { Verifier } from '../../core/jwt/verify.js'
import { batchErrorLine, batchLine } from '../../render/verify.js'

export async function verifyBatchLine(verifier: Verifier, lineNo: number, text: string, now: Date): Promise<BatchLine> {
  try {
    const r = await verifier(normalizeTokenText(text), now)
    return { line: batchLine(lineNo, r), failed: !r.valid }
  } catch (e) {
    return failedLine(lineNo, e)
  }
}

/** The same line without waiting, or undefined when the verifier must wait (verify.ts `atHand`). */
export function verifyBatchLineAtHand(verifier: Verifier, lineNo: number, text: string, now: Date): BatchLine | undefined {
  try {
    const r = verifier.atHand(normalizeTokenText(text), now)
    return r === undefined ? undefined : { line: batchLine(lineNo, r), failed: !r.valid }
  } catch (e) {
    return failedLine(lineNo, e)
  }
}

export interface BatchLine {
  line: string
  failed: boolean
}

function failedLine(lineNo: number, e: unknown): BatchLine {
  // a network failure (the JWKS went away) ends the run with exit 3; anything else is this
  // line's problem: a failed result, and the run goes on
  if (e instanceof NetworkError) throw e
  return { line: batchErrorLine(lineNo, e instanceof TokentoolError ? e.message : `cannot verify this line: ${e instanceof Error ? e.message : String(e)}`), failed: true }
}
