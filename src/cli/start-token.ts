/**
 * dist/start/token.cjs's entry (scripts/build.js): the start-up fast path (start.ts) for a
 * `token` line, with the command's code imported statically (start.ts's fastStart says why).
 * @module
 */
import { runToken } from './commands/token.js'
import { fastStart } from './start.js'

export { handedOverStdin } from './start.js'
export const start = fastStart('token', (run, deps) => runToken(run.flags, deps))
