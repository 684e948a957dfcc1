/**
 * dist/start/decode.cjs's entry (scripts/build.js): the start-up fast path (start.ts) for a
 * `decode` line, with the command's code imported statically (start.ts's fastStart says why).
 * @module
 */
import { runDecode } from './commands/decode.js'
import { fastStart } from './start.js'

export { handedOverStdin } from './start.js'
export const start = fastStart('decode', (run, deps) => runDecode(run.arg, run.flags, deps))
