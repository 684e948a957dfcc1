/**
 * The fast path's writer (src/cli/fd-output.ts) on a real descriptor in non-blocking mode (a
 * FIFO opened O_NONBLOCK, as a parent may leave a pipe): the pipe takes what fits (64 KiB on
 * Linux), a write cut short goes on with the bytes that are left, and at EAGAIN the rest goes to
 * the stream, so that what the reader gets is the text, byte for byte, whether it was given as
 * a string or as bytes.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fdOutput } from '../../src/cli/fd-output.js'

function nonBlockingFifo(): { r: number; w: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'tokentool-fifo-')), 'fifo')
  execFileSync('mkfifo', [path])
  const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const w = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
  return { r, w }
}

function drain(fd: number): Buffer {
  const chunks: Buffer[] = []
  for (;;) {
    const buf = Buffer.alloc(65536)
    let n: number
    try {
      n = readSync(fd, buf, 0, buf.length, null)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break
      throw e
    }
    if (n === 0) break
    chunks.push(buf.subarray(0, n))
  }
  return Buffer.concat(chunks)
}

// multi-byte characters across the whole text: a write cut short may end inside one
const TEXT = 'token é 中 ✓ '.repeat(20_000)

describe('fdOutput on a non-blocking pipe', () => {
  for (const [what, input] of [
    ['a string', TEXT],
    ['bytes', new Uint8Array(Buffer.from(TEXT, 'utf8'))],
  ] as const) {
    it(`${what} larger than the pipe: what fits, then the rest through the stream`, () => {
      const { r, w } = nonBlockingFifo()
      const viaStream: Buffer[] = []
      const stream = { write: (b: Uint8Array) => (viaStream.push(Buffer.from(b)), true), on: () => stream } as unknown as NodeJS.WritableStream
      try {
        const writer = fdOutputOn(w, () => stream)
        expect(writer.write(input)).toBe(true)
        expect(writer.used).toBe(true)
        const inPipe = drain(r)
        expect(inPipe.length).toBeGreaterThan(0)
        expect(viaStream.length).toBeGreaterThan(0)
        expect(Buffer.concat([inPipe, ...viaStream]).equals(Buffer.from(TEXT, 'utf8'))).toBe(true)
        // once on the stream, later writes go there too, in order
        writer.write('after')
        expect(drain(r).length).toBe(0)
        expect(viaStream.at(-1)?.toString()).toBe('after')
      } finally {
        closeSync(w)
        closeSync(r)
      }
    })
  }
})

/** fdOutput for any descriptor: its type says 1 | 2 (stdout, stderr), the code takes any number. */
function fdOutputOn(fd: number, stream: () => NodeJS.WritableStream) {
  return fdOutput(fd as 1, stream)
}
