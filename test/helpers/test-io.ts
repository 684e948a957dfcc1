/** Fake streams and deps for running a command in-process (no TTY, no colour). */
import { PassThrough, Readable } from 'node:stream'
import type { Deps, IOStreams } from '../../src/cli/deps.js'

export function testIO(over: Partial<IOStreams> & { input?: string } = {}) {
  const out = new PassThrough()
  const err = new PassThrough()
  let stdout = ''
  let stderr = ''
  out.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  err.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const { input, ...rest } = over
  const io: IOStreams = {
    in: Readable.from(input === undefined ? [] : [input]),
    out,
    err,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    color: false,
    columns: 80,
    ...rest,
  }
  return { io, stdout: () => stdout, stderr: () => stderr }
}

export function testDeps(over: Partial<Deps> = {}, ioOver: Parameters<typeof testIO>[0] = {}) {
  const t = testIO(ioOver)
  const deps: Deps = {
    io: t.io,
    env: {},
    now: () => new Date('2026-01-01T00:00:00Z'),
    fetch: async () => globalThis.fetch,
    home: '/nonexistent/tokentool-home',
    cwd: process.cwd(),
    global: { json: false, color: false, verbose: false, debug: false, profile: 'default' },
    ...over,
  }
  return { deps, stdout: t.stdout, stderr: t.stderr }
}
