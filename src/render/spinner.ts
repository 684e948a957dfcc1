/**
 * A one-line "waiting" indicator on stderr: animated with the time left on a TTY, a single
 * plain line otherwise (logs and pipes must not fill with carriage returns).
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import { formatDuration } from '../core/duration.js'
import { styleFor } from './style.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** Starts the indicator; returns a function that stops it (idempotent) and clears its line. */
export function startWaiting(io: Pick<IOStreams, 'err' | 'stderrIsTTY' | 'color'>, text: string, timeoutSec: number, now: () => number = Date.now): () => void {
  if (!io.stderrIsTTY) {
    io.err.write(`${text} (timeout ${formatDuration(timeoutSec)})\n`)
    return () => {}
  }
  const s = styleFor(io)
  const end = now() + timeoutSec * 1000
  let i = 0
  const draw = () => {
    const left = Math.max(0, Math.round((end - now()) / 1000))
    io.err.write(`\r\x1b[2K${s.cyan(FRAMES[i++ % FRAMES.length]!)} ${text} ${s.dim(`${formatDuration(left)} left, Ctrl-C to cancel`)}`)
  }
  draw()
  const timer = setInterval(draw, 100)
  timer.unref()
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    clearInterval(timer)
    io.err.write('\r\x1b[2K')
  }
}
