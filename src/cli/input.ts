/**
 * Reads the token a command works on: positional argument, `-` or piped stdin, or `--file`.
 * @module
 */
import { resolve } from 'node:path'
import { InputError, UsageError } from '../errors.js'
import { normalizeTokenText } from '../core/token-text.js'
import { oversizeMessage } from '../core/jwt/size.js'
import type { Deps } from './deps.js'
import { MAX_FILE_BYTES, readNamedFile } from './read-file.js'

/** Stdin larger than this is refused, not buffered: no token, header or payload is this large. */
export const MAX_STDIN_BYTES = MAX_FILE_BYTES

export async function readStream(stream: NodeJS.ReadableStream, limit = MAX_STDIN_BYTES): Promise<string> {
  return (await readStreamBytes(stream, limit, `the input on stdin is over ${limit / (1024 * 1024)} MiB: not a token`)).toString('utf8')
}

/** A stream to its end, as bytes; InputError `tooLarge` once it is over `limit` bytes (the rest is not read). */
export async function readStreamBytes(stream: NodeJS.ReadableStream, limit: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer)
    size += b.byteLength
    if (size > limit) throw new InputError(tooLarge)
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}

/** A file named on the command line, read up to the input limit (read-file.ts). */
export function readFileArg(path: string, deps: Pick<Deps, 'cwd'>, what = 'file'): Promise<string> {
  return readNamedFile(path, deps.cwd, what)
}

/**
 * The token text from the argument, stdin (`-`, or no argument with stdin not a TTY) or `--file`,
 * normalized. Throws UsageError when there is none.
 */
export async function readTokenInput(
  arg: string | undefined,
  file: string | undefined,
  deps: Pick<Deps, 'io' | 'cwd'>,
  what = 'token',
): Promise<string> {
  let raw: string
  if (file !== undefined) {
    if (arg !== undefined && arg !== '-') throw new UsageError(`give the ${what} either as an argument or with --file, not both`)
    raw = await readFileArg(file, deps, what + ' file')
  } else if (arg === '-' || (arg === undefined && !deps.io.stdinIsTTY)) {
    raw = await readStream(deps.io.in)
  } else if (arg === undefined) {
    throw new UsageError(`no ${what} given: pass it as an argument, pipe it on stdin, or use --file`)
  } else if (arg.startsWith('@') && arg.length > 1) {
    raw = await readFileArg(arg.slice(1), deps, what + ' file')
  } else if (await namesAFile(arg, deps)) {
    // `decode token.txt`: a file name is not a token; reading the file is what was meant
    raw = await readFileArg(arg, deps, what + ' file')
  } else {
    raw = arg
  }
  const token = tokenFromText(raw, what)
  if (token === '') throw new InputError(`the ${what} is empty`)
  return token
}

/** Three or five base64url segments: a JWT or JWE, never taken for a file name. */
const JOSE_SHAPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2}((\.[A-Za-z0-9_-]*){2})?$/

/**
 * Whether a positional that is not token-shaped names a regular file (contract 0.2). A file
 * over the input limit is refused here rather than read whole.
 */
async function namesAFile(arg: string, deps: Pick<Deps, 'cwd'>): Promise<boolean> {
  if (JOSE_SHAPE.test(arg.trim()) || arg.length > 4096 || arg.includes('\n')) return false
  let info
  try {
    // node:fs/promises loads only here: it costs a decode of a token-shaped argument 5 M
    // instructions of its start (6% of `node -e 0`), and that decode never asks it
    const { stat } = await import('node:fs/promises')
    info = await stat(resolve(deps.cwd, arg))
  } catch {
    return false
  }
  if (!info.isFile()) return false
  if (info.size > MAX_STDIN_BYTES) throw new InputError(`the file ${arg} is over ${MAX_STDIN_BYTES / (1024 * 1024)} MiB: not a token`)
  return true
}

/** Pasted text as a token: refused over the size limit (exit 2), else normalized (may be ''). */
export function tokenFromText(raw: string, what = 'token'): string {
  const oversize = oversizeMessage(raw, what)
  if (oversize) throw new InputError(oversize)
  return normalizeTokenText(raw)
}
