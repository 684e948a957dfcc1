/**
 * A file named on the command line (a token, key, JWKS, secret, payload, CA file or request
 * body), read up to a limit: no such file is larger, and a device that never ends (`--key
 * /dev/zero`, `--jwks /dev/urandom`) must not be read until memory runs out. No imports from the program
 * (cli/deps.ts reads --cacert with it).
 * @module
 */
import type { FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import { InputError } from '../errors.js'
import { explainErrno } from '../core/errno-words.js'

/** The limit of every file and of stdin (cli/input.ts): no token, key, key set or payload is this large. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024

/** `path` relative to `cwd`, as UTF-8 text; InputError (exit 2) naming `what` when it cannot be read or is over `limit` bytes. */
export async function readNamedFile(path: string, cwd: string, what: string, limit = MAX_FILE_BYTES): Promise<string> {
  return (await readNamedBytes(path, cwd, what, { limit })).toString('utf8')
}

/**
 * `path` relative to `cwd`, as bytes, up to `limit`; over it, InputError saying `over` (by
 * default, that no such file is this large).
 */
export async function readNamedBytes(path: string, cwd: string, what: string, { limit = MAX_FILE_BYTES, over = `no ${what} is this large` }: { limit?: number; over?: string } = {}): Promise<Buffer> {
  let file: FileHandle | undefined
  try {
    // loaded only when a file is read (see input.ts's namesAFile)
    const { open } = await import('node:fs/promises')
    file = await open(resolve(cwd, path), 'r')
    const chunks: Buffer[] = []
    let size = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024)
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      size += bytesRead
      if (size > limit) throw new InputError(`cannot read ${what} ${path}: it is over ${limit / (1024 * 1024)} MiB (${over})`)
      chunks.push(chunk.subarray(0, bytesRead))
    }
    return Buffer.concat(chunks)
  } catch (e) {
    if (e instanceof InputError) throw e
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : explainErrno(e)
    throw new InputError(`cannot read ${what} ${path}: ${why}`)
  } finally {
    await file?.close()
  }
}
