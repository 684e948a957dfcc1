/**
 * Binds `main` to the real process: real streams and environment, and Ctrl-C mapped to exit 130.
 * @module
 */
import { main } from './main.js'
import { createProcessDeps } from './deps.js'
import { argvSecretWarning } from './argv-secrets.js'
import { replayStdin } from './replay-stdin.js'
import { onStdoutError } from './stdout-failure.js'

/**
 * `stdin`: what the start-up fast path already read of stdin before it handed the run over
 * (git's request to `git-credential get`, start.ts): the command reads that instead.
 */
export async function runProcess(opts: { stdin?: Buffer } = {}): Promise<number> {
  const { stdin } = opts
  const deps = createProcessDeps(stdin !== undefined ? { in: () => replayStdin(stdin) } : {})
  // A closed pipe on stdout (`tokentool decode t | head -1`) is not an error worth a trace; a
  // full disk is an error all the same (stdout-failure.ts)
  process.stdout.on('error', onStdoutError)
  // Ctrl-C outside a prompt (prompts turn it into a cancel of their own): leave a clean line and
  // the cursor visible, say so, exit 130. Store writes are atomic and a dead holder's lock is
  // broken by the next run, so stopping here loses nothing.
  process.once('SIGINT', () => {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K\x1b[?25h')
    process.stderr.write('tokentool: interrupted\n')
    process.exit(130)
  })
  const argv = process.argv.slice(2)
  const warning = argvSecretWarning(argv, process.env)
  if (warning) process.stderr.write(warning)
  return main(argv, deps)
}
