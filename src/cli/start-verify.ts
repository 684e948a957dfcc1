/**
 * dist/start/verify.cjs's entry (scripts/build.js): the start-up fast path (start.ts) for a
 * `verify` line, with the command's code imported statically (start.ts's fastStart says why).
 * @module
 */
import { runVerifyBatch } from './commands/verify.js'
import { fastStart } from './start.js'

export { handedOverStdin } from './start.js'
export const start = fastStart('verify', (run, deps) => runVerifyBatch(run.flags, deps))
