/**
 * The terminal around an interactive session (the menu, `inspect`): handed back as found
 * (raw mode off, stdin paused) however the session ends.
 * @module
 */
import type { Deps } from './deps.js'

/** Runs an interactive session and hands the terminal back as found, however it ends. */
export async function interactive(deps: Deps, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } finally {
    const input = deps.io.in as NodeJS.ReadStream
    if (input.isTTY && typeof input.setRawMode === 'function') input.setRawMode(false)
    input.pause()
  }
}
