/**
 * Binds `main` to the real process: real streams and environment, and Ctrl-C mapped to exit 130.
 * @module
 */
import { main } from './main.js'
import { createProcessDeps } from './deps.js'

export async function runProcess(): Promise<number> {
  const deps = createProcessDeps()
  // A closed pipe on stdout (`tokentool decode t | head -1`) is not an error worth a trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0)
  })
  return main(process.argv.slice(2), deps)
}
