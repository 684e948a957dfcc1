/**
 * stdout and stderr for the start-up fast path: writes go straight to the file descriptor.
 * process.stdout on a pipe (a script's `$(tokentool token)`, kubectl, git) builds a net.Socket
 * and loads node:net with the whole stream machinery, a cost above `node -e 0` for the few
 * hundred bytes decode or token print. Node writes pipes and files synchronously anyway, so
 * the order and completeness of the output are the same.
 * @module
 */
import { writeSync } from 'node:fs'
import { onStdoutError, stdoutFailure } from './stdout-failure.js'

export interface FdOutput {
  write(text: string | Uint8Array): boolean
  /** A stream's events, for a writer that waits for `drain` (verify --batch): those of `stream()`, once writes go there. */
  once(event: string, listener: (...args: unknown[]) => void): unknown
  on(event: string, listener: (...args: unknown[]) => void): unknown
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown
  /** Whether anything was written (the fast path may hand a run over only before that). */
  readonly used: boolean
}

/**
 * A writer for `fd` (1 or 2). A descriptor in non-blocking mode (EAGAIN: inherited from a
 * parent that set it so) gets the rest of the output through `stream()`, which queues it the
 * way process.stdout does. A closed pipe on stdout (`tokentool decode t | head -1`) ends the
 * run quietly, as process.ts does for process.stdout; one on stderr drops the text. Any other
 * failure of stdout (a full disk) fails the run, exit 2 (stdout-failure.ts); of stderr, drops the text.
 */
export function fdOutput(fd: 1 | 2, stream: () => NodeJS.WritableStream): FdOutput {
  let viaStream = false
  let used = false
  return {
    get used() {
      return used
    },
    // writes to the descriptor never wait: no drain comes but the stream's
    once: (event, listener) => (viaStream ? stream().once(event, listener) : undefined),
    on: (event, listener) => (viaStream ? stream().on(event, listener) : undefined),
    removeListener: (event, listener) => (viaStream ? stream().removeListener(event, listener) : undefined),
    write(text: string | Uint8Array): boolean {
      used = true
      if (viaStream) return stream().write(text)
      let buf: Buffer
      if (typeof text === 'string') {
        // a string is written as it is, without a Buffer made of it first (a decode writes its view
        // in one write: Node.js's string write compiles fewer of its functions); a write cut short
        // goes on with the bytes that are left
        let n: number
        try {
          n = writeSync(fd, text)
        } catch (e) {
          return failed(e, Buffer.from(text, 'utf8'))
        }
        const all = Buffer.byteLength(text, 'utf8')
        if (n === all) return true
        buf = Buffer.from(text, 'utf8').subarray(n)
      } else buf = Buffer.from(text.buffer, text.byteOffset, text.byteLength)
      while (buf.length > 0) {
        try {
          const n = writeSync(fd, buf)
          buf = buf.subarray(n)
        } catch (e) {
          return failed(e, buf)
        }
      }
      return true
    },
  }

  /** A write that failed, `rest` not written. */
  function failed(e: unknown, rest: Buffer): boolean {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EAGAIN') {
      viaStream = true
      // the same rule for the stream's own failure (it comes later, as an event)
      stream().on('error', (err: NodeJS.ErrnoException) => {
        if (fd === 1) onStdoutError(err)
      })
      return stream().write(rest)
    }
    if (code === 'EPIPE') {
      if (fd === 1) process.exit(0)
      return true
    }
    // stderr that cannot be written drops the text; stdout that cannot is the run's failure
    if (fd === 2) return true
    throw stdoutFailure(e)
  }
}
