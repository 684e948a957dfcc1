/**
 * Atomic replacement of a store file and the matching careful read. A write goes to a
 * temporary file in the same directory (mode 0600 from creation, so the secret is never
 * readable by others even for a moment), is fsynced, then renamed over the target: a reader
 * sees the old file or the new one, never half of one, even if the process dies mid-write.
 * A read checks the mode (repairing it), and a file that is not JSON or has the wrong shape
 * is moved aside to `<file>.corrupt-<timestamp>` and reported, never silently overwritten.
 * @module
 */
import { basename, dirname, join } from 'node:path'
import { fsp } from './fs-promises.js'
import { StoreError } from '../errors.js'
import { pidAlive } from './pid.js'
import { FILE_MODE, ensureDir, type Warn } from './paths.js'
import { explainErrno } from '../core/errno-words.js'
import { MAX_STORE_FILE_BYTES, readStoreFile } from './safe-fs.js'
import { randomHex } from './random-hex.js'

/** Test seam: runs after the temporary file is written and synced, before the rename. */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string) => Promise<void> | void
}

/** Writes `data` to `file` atomically with mode 0600, creating its directory (0700) if needed. */
export async function writeFileAtomic(
  file: string,
  data: string,
  opts: { warn?: Warn; hooks?: AtomicWriteHooks; dirIsHome?: boolean } = {},
): Promise<void> {
  const dir = dirname(file)
  await ensureDir(dir, opts.warn ?? (() => {}), { isHome: opts.dirIsHome ?? false })
  const temp = join(dir, `.${basename(file)}.${process.pid}.${await randomHex(6)}.tmp`)
  try {
    // 'wx': never follow or reuse an existing path; mode applies from creation.
    const fh = await fsp().open(temp, 'wx', FILE_MODE)
    try {
      await fh.writeFile(data, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await opts.hooks?.beforeRename?.(temp)
    await fsp().rename(temp, file)
  } catch (e) {
    await fsp().unlink(temp).catch(() => {})
    if (e instanceof StoreError) throw e
    // the temporary file is gone and the old file untouched: say so, a full disk is not the user's mistake
    throw new StoreError(`cannot write ${file}: ${explainErrno(e)}; the previous file is unchanged`, { cause: e })
  }
  await syncDir(dir)
  await removeOrphanTemps(dir, basename(file))
}

/**
 * Removes temporary files of `name` left by writers that died before their rename (their pid
 * is gone): they are never read, but they may hold a secret, so they should not linger.
 */
async function removeOrphanTemps(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`
  let entries: string[]
  try {
    entries = await fsp().readdir(dir)
  } catch {
    return
  }
  for (const e of entries) {
    const m = e.startsWith(prefix) ? /^\.(\d+)\.[0-9a-f]+\.tmp$/.exec(e.slice(prefix.length - 1)) : null
    if (m && !pidAlive(Number(m[1]))) await fsp().unlink(join(dir, e)).catch(() => {})
  }
}

/** Makes the rename itself durable; not every platform can fsync a directory, hence best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp().open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch {
    // e.g. EISDIR/EPERM on some platforms: the data file itself is synced already
  }
}

/** `20261123T042600123Z`: sortable and safe in a file name on every platform. */
export function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '')
}

/**
 * Validates parsed JSON; returns the typed value or a short reason why the shape is wrong.
 */
export type ShapeCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; reason: string; newer?: boolean }

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The `version` check every store file starts with: 1 is ours; higher is a newer tokentool's. */
export function versionMismatch(v: Record<string, unknown>): { ok: false; reason: string; newer?: boolean } | undefined {
  if (v.version === 1) return undefined
  if (typeof v.version === 'number' && v.version > 1) {
    return { ok: false, reason: `version ${v.version} is newer than this tokentool understands`, newer: true }
  }
  return { ok: false, reason: '"version" is not 1' }
}

/**
 * Reads and validates a JSON store file. Returns undefined when it does not exist. Repairs a
 * mode other than 0600 (warning). A corrupt file is renamed to `<file>.corrupt-<timestamp>`
 * and a StoreError naming both paths is thrown: the user keeps the data for inspection, and
 * the next run starts with an empty file instead of failing forever.
 */
export async function readJsonFile<T>(
  file: string,
  check: ShapeCheck<T>,
  opts: { warn: Warn; now?: () => Date },
): Promise<T | undefined> {
  // no symlink followed, nothing but a regular file of ours read, and not more than a store file holds
  const read = await readStoreFile(file, { mode: FILE_MODE, warn: opts.warn })
  if (!read) return undefined
  const { text, ino } = read
  let parsed: unknown
  let reason: string | undefined
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    // V8 quotes the first characters of the text ("rt_secretv"... is not valid JSON): in a
    // tokens file that may be a secret, so only the position is kept
    const msg = (e as Error).message
    const at = /position (\d+)/.exec(msg)?.[1]
    reason =
      text.trim() === '' ? 'empty'
      : at !== undefined ? `not JSON (syntax error at position ${at})`
      : /end of JSON/i.test(msg) ? 'not JSON (it ends too early: cut short)'
      : 'not JSON (syntax error)'
  }
  if (reason === undefined) {
    const r = check(parsed)
    if (r.ok) return r.value
    // Written by a newer tokentool: not corrupt, and not ours to move or overwrite.
    if (r.newer) throw new StoreError(`${file}: ${r.reason}`, { hint: 'upgrade tokentool, or point TOKENTOOL_HOME elsewhere' })
    reason = r.reason
  }
  const aside = await moveAside(file, ino, (opts.now ?? (() => new Date()))())
  throw new StoreError(
    `corrupt store file ${file}: ${reason}; ` +
      (aside ? `kept as ${aside}, the next run starts with an empty one` : 'left in place'),
    { hint: aside ? 'inspect or delete the kept copy' : 'fix or remove the file' },
  )
}

/**
 * Renames the corrupt file aside unless it was replaced meanwhile (another process may
 * already have moved it and written a good one: that one must not be moved).
 */
async function moveAside(file: string, ino: number, now: Date): Promise<string | undefined> {
  const aside = `${file}.corrupt-${fileTimestamp(now)}`
  try {
    if ((await fsp().stat(file)).ino !== ino) return undefined
    await fsp().rename(file, aside)
    return aside
  } catch {
    return undefined
  }
}

/** Reads a small store file if present (e.g. a lock), with the same refusals as readJsonFile. */
export async function readIfExists(file: string, maxBytes = MAX_STORE_FILE_BYTES): Promise<string | undefined> {
  return (await readStoreFile(file, { maxBytes }))?.text
}
