/**
 * dist/start/git-credential.cjs's entry (scripts/build.js): the start-up fast path (start.ts) for a
 * `git-credential` line, with the command's code imported statically (start.ts's fastStart says why).
 * @module
 */
import { runGitCredential } from './commands/git-credential.js'
import { fastStart } from './start.js'

export { handedOverStdin } from './start.js'
export const start = fastStart('git-credential', (run, deps) => runGitCredential(run.action, run.flags, run.explicitProfile, deps))
