/**
 * How the store touches what is already on disk, so that a file or directory someone else put in
 * its way cannot turn a read into a hang or a write into damage elsewhere: files are opened with
 * O_NOFOLLOW (a symbolic link is refused, never followed) and O_NONBLOCK (a FIFO does not block
 * the open), then checked through the open descriptor — a regular file of this user, no larger
 * than a store file can be — before a byte is read; a device or FIFO is never read. Directories
 * under TOKENTOOL_HOME are checked with lstat, so a symlinked `tokens/` is refused rather than
 * chmod-ed through. Modes are repaired through the descriptor (fchmod), not the path.
 *
 * These reads are synchronous (behind the same promise-returning functions). A store file is a
 * few hundred bytes, and a refusal above never waits on anything: each asynchronous call would
 * be a round trip through libuv's thread pool (its threads started on first use, a worker woken,
 * then the event loop) that costs more than the system call itself. A cached `token` or
 * `git-credential get` made ~20 of them, the bulk of their wall time above a `decode`
 * (bench/README.md). Writes and locks stay asynchronous.
 * @module
 */
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs'
import { StoreError } from '../errors.js'
import { explainErrno } from '../core/errno-words.js'

/**
 * The largest store file read: a profile's tokens are a few KiB (tokens of 8 KiB are already
 * large); 4 MiB is hundreds of cached tokens, and refusing beyond it keeps memory bounded
 * whatever was put in the file's place.
 */
export const MAX_STORE_FILE_BYTES = 4 * 1024 * 1024

// Windows has neither flag: 0 leaves them out there (it has no FIFOs or symlink attacks of this kind).
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0
const O_NONBLOCK = constants.O_NONBLOCK ?? 0

/** "a FIFO", "a character device", ... for the message that refuses it. */
export function describeType(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link'
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  // where a directory was wanted (TOKENTOOL_HOME=/etc/passwd): "… is a regular file, not a directory"
  if (st.isFile()) return 'a regular file'
  return 'of no type tokentool knows'
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code


export interface ReadOptions {
  /** Repair a mode other than this through the descriptor (with a warning). */
  mode?: number
  warn?: (message: string) => void
  /** Refuse files larger than this many bytes. Default MAX_STORE_FILE_BYTES. */
  maxBytes?: number
}

export interface ReadResult {
  text: string
  /** The inode read, so a caller can tell whether the path still names the same file. */
  ino: number
}

const octal = (mode: number) => '0' + (mode & 0o777).toString(8)

/**
 * Reads a store file as UTF-8; undefined when it does not exist. Throws StoreError when the path
 * is a symbolic link, not a regular file, another user's, or too large — all decided on the open
 * descriptor, so the file checked is the file read.
 */
export async function readStoreFile(path: string, opts: ReadOptions = {}): Promise<ReadResult | undefined> {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined
    if (errno(e) === 'ELOOP' || errno(e) === 'EMLINK') {
      throw new StoreError(`${path} is a symbolic link: the store never follows one`, { hint: `remove the link and let tokentool write a file there: rm ${path}` })
    }
    if (errno(e) === 'ENXIO') throw notRegular(path, 'a FIFO or socket') // O_NONBLOCK on a FIFO with no writer, on some systems
    throw new StoreError(`cannot read ${path}: ${explainErrno(e)}`, { cause: e })
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw notRegular(path, describeType(st))
    const uid = process.getuid?.()
    if (uid !== undefined && st.uid !== uid) {
      throw new StoreError(`${path} belongs to another user (uid ${st.uid})`, { hint: 'point TOKENTOOL_HOME at a directory of your own' })
    }
    const max = opts.maxBytes ?? MAX_STORE_FILE_BYTES
    if (st.size > max) throw tooLarge(path, st.size, max)
    if (opts.mode !== undefined && (st.mode & 0o777) !== opts.mode) {
      try {
        fchmodSync(fd, opts.mode)
      } catch (e) {
        throw new StoreError(`${path} has mode ${octal(st.mode)} and cannot be changed to ${octal(opts.mode)}: ${explainErrno(e)}`, {
          cause: e,
          hint: `fix it with: chmod ${octal(opts.mode)} ${path}`,
        })
      }
      opts.warn?.(`${path} had mode ${octal(st.mode)}, others could read it; changed to ${octal(opts.mode)}`)
    }
    // read at most max+1 bytes, whatever fstat said: a file that grows while read is still bounded
    const chunks: Buffer[] = []
    let len = 0
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, max + 1 - len))
      const bytesRead = readSync(fd, buf, 0, buf.length, null)
      if (bytesRead === 0) break
      chunks.push(buf.subarray(0, bytesRead))
      len += bytesRead
      if (len > max) throw tooLarge(path, len, max)
    }
    return { text: Buffer.concat(chunks, len).toString('utf8'), ino: st.ino }
  } catch (e) {
    if (e instanceof StoreError) throw e
    throw new StoreError(`cannot read ${path}: ${explainErrno(e)}`, { cause: e })
  } finally {
    try {
      closeSync(fd)
    } catch {
      // nothing was written through it
    }
  }
}

function notRegular(path: string, what: string): StoreError {
  return new StoreError(`${path} is ${what}, not a regular file: the store reads only its own files`, { hint: `remove it and run again: rm ${path}` })
}

function tooLarge(path: string, size: number, max: number): StoreError {
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`
  const what = size > max + 1 ? `is ${kib(size)}` : `is over ${kib(max)}`
  return new StoreError(`${path} ${what}, more than a store file can hold (limit ${kib(max)}): not read`, { hint: `move it away: mv ${path} ${path}.big` })
}

/**
 * lstat of a directory of the store. A symbolic link is refused — except TOKENTOOL_HOME itself
 * when the link belongs to this user (a config directory kept in a dotfiles repository is a
 * common, deliberate setup); another user's link there is exactly the attack to stop. Returns
 * the Stats of the directory itself (the target, for an allowed home link), or undefined when
 * the path does not exist.
 */
export async function statStoreDir(path: string, opts: { isHome: boolean }): Promise<Stats | undefined> {
  let st: Stats
  try {
    st = lstatSync(path)
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined
    throw new StoreError(`cannot read ${path}: ${explainErrno(e)}`, { cause: e })
  }
  if (st.isSymbolicLink()) {
    const uid = process.getuid?.()
    if (!opts.isHome || (uid !== undefined && st.uid !== uid)) {
      const whose = uid !== undefined && st.uid !== uid ? ` owned by another user (uid ${st.uid})` : ''
      throw new StoreError(`${path} is a symbolic link${whose}: the store never follows one ${opts.isHome ? 'it does not own' : 'under TOKENTOOL_HOME'}`, {
        hint: opts.isHome ? 'point TOKENTOOL_HOME at a directory of your own' : `remove the link: rm ${path}`,
      })
    }
    try {
      st = statSync(path)
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new StoreError(`${path} is a symbolic link to nothing`, { hint: 'point TOKENTOOL_HOME at a directory of your own' })
      throw new StoreError(`cannot read ${path}: ${explainErrno(e)}`, { cause: e })
    }
  }
  if (!st.isDirectory()) {
    throw new StoreError(`${path} is ${describeType(st)}, not a directory`, { hint: opts.isHome ? 'point TOKENTOOL_HOME at a directory' : `remove it: rm ${path}` })
  }
  return st
}
