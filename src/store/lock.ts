/**
 * Per-profile exclusive lock, so that concurrent `refresh`/`token` processes never spend one
 * rotating refresh token twice.
 *
 * The lock is a file that holds the owner's pid, hostname, boot id, start time and a random
 * nonce. It is written whole to a temporary file and hard-linked into place (link fails when the
 * lock exists, like O_EXCL), so a lock file is never empty or half-written, even on a full disk.
 * Whoever links it holds the lock; everyone else retries with backoff (default up to 30 s, then a
 * StoreError naming the lock file and its holder).
 *
 * A lock is stale only when its holder is gone: on this host, when its pid is dead (`kill(pid,
 * 0)` → ESRCH), the machine has rebooted since (another boot id), or the pid now belongs to a
 * process that started after the lock was taken. A live holder is never broken, however long it
 * takes: one paused by SIGSTOP or a suspended laptop would otherwise lose its lock and both would
 * spend the same rotating refresh token. A lock from another host (a home shared over NFS) cannot
 * be checked that way: it is stale when it has not been touched for `staleMs` (the holder
 * refreshes the file's mtime while it runs). A stale lock is broken under a
 * short "break" lock, after re-reading it, by rename-then-remove: two waiters never both
 * break it, and no waiter removes a lock another waiter has just taken.
 *
 * Callers do the whole read-decide-write cycle inside the lock:
 *
 * ```ts
 * await withProfileLock(home, profile, async () => {
 *   const tokens = await store.getTokens(profile)          // 1. read under the lock
 *   if (fresh(tokens)) return tokens                       // 2. decide (maybe a peer refreshed)
 *   const next = await refreshAtServer(tokens.refresh)     // 3. spend the refresh token once
 *   await store.saveTokens(profile, merge(tokens, next))   // 4. write before anyone else reads
 * })
 * ```
 * @module
 */
import { basename, dirname, join } from 'node:path'
import { fsp } from './fs-promises.js'
import { StoreError } from '../errors.js'
import { readIfExists } from './atomic-write.js'
import { bootId, processState } from './pid.js'
import { ensureDir, storePaths, type Warn } from './paths.js'
import { explainErrno } from '../core/errno-words.js'
import { randomHex } from './random-hex.js'

// node:os and node:timers/promises when a lock is taken: a read of the store takes none (fs-promises.ts)
const hostname = (): string => process.getBuiltinModule('node:os').hostname()
const sleep = (ms: number): Promise<void> => process.getBuiltinModule('node:timers/promises').setTimeout(ms)

export interface LockOptions {
  /** How long to wait for a held lock before giving up. Default 30 s. */
  timeoutMs?: number
  /** A lock from another host untouched for this long is stale. Default 5 min. */
  staleMs?: number
  /** The lock's directory is TOKENTOOL_HOME itself (which may be a link of this user's). */
  dirIsHome?: boolean
  /** Called once when the lock is busy, e.g. to print "waiting for ..." on stderr. */
  onWait?: (holder: LockInfo | undefined, lockPath: string) => void
  warn?: Warn
}

export interface LockInfo {
  pid: number
  hostname: string
  /** ISO time the lock was taken. */
  createdAt: string
  nonce: string
  /** Linux boot id of the holder's host: a lock from before a reboot has no live holder. */
  bootId?: string
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_STALE_MS = 5 * 60_000
/** A lock file still empty after this long was left by a holder that died while creating it. */
const EMPTY_GRACE_MS = 5_000
/** The break lock is held for a few milliseconds; older than this, its holder died. */
const BREAK_STALE_MS = 10_000

/**
 * Runs `fn` while holding the lock of `profile` under `home`; releases it in every case.
 * @example await withProfileLock(deps.home, 'default', () => refreshAndStore())
 */
export function withProfileLock<T>(home: string, profile: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  return withFileLock(storePaths(home).lock(profile), fn, opts)
}

/** Runs `fn` while holding the lock file `lockPath` (created with O_EXCL). */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const held = await acquire(lockPath, opts)
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS
  // Keep the mtime fresh so a long but alive holder is never judged stale by age.
  const beat = setInterval(() => void fsp().utimes(lockPath, new Date(), new Date()).catch(() => {}), Math.max(staleMs / 3, 50))
  beat.unref()
  try {
    return await fn()
  } finally {
    clearInterval(beat)
    await release(lockPath, held)
  }
}

async function acquire(lockPath: string, opts: LockOptions): Promise<LockInfo> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS
  const warn = opts.warn ?? (() => {})
  await ensureDir(dirname(lockPath), warn, { isHome: opts.dirIsHome ?? false })
  const deadline = Date.now() + timeoutMs
  let delay = 10
  let announced = false
  for (;;) {
    const mine = await tryCreate(lockPath)
    if (mine) return mine
    const seen = await inspect(lockPath)
    if (seen && isStale(seen, staleMs)) {
      if (await breakStale(lockPath, seen)) {
        warn(`removed a stale lock ${lockPath} (${describe(seen.info)})`)
        continue
      }
    }
    if (!announced) {
      announced = true
      opts.onWait?.(seen?.info, lockPath)
    }
    if (Date.now() >= deadline) {
      const live = seen?.info && seen.info.hostname === hostname() ? processState(seen.info.pid) : undefined
      const state = live?.alive ? (live.stopped ? ', which is alive but stopped' : ', which is still running') : ''
      throw new StoreError(
        `timed out after ${Math.round(timeoutMs / 1000)}s waiting for lock ${lockPath}` + (seen?.info ? ` held by ${describe(seen.info)}${state}` : ''),
        {
          hint: live?.alive
            ? live.stopped
              ? `resume it (kill -CONT ${seen!.info!.pid}) or end it, then run again; the lock is not broken under a live holder, so the refresh token is never spent twice`
              : 'wait for it to finish, then run again; the lock is not broken under a live holder, so the refresh token is never spent twice'
            : 'if no tokentool process is running, remove that file',
        },
      )
    }
    // Exponential backoff with jitter so that waiters do not retry in lockstep.
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 0)) * (0.5 + Math.random() / 2))
    delay = Math.min(delay * 2, 500)
  }
}

function describe(info: LockInfo | undefined): string {
  return info ? `pid ${info.pid} on ${info.hostname} since ${info.createdAt}` : 'an unknown process'
}

/**
 * Takes the lock if it is free: the content goes to a temporary file first, which is then
 * hard-linked to `lockPath` (EEXIST when someone holds it). A failed write (ENOSPC) leaves no
 * lock file at all, rather than an empty one every later run must wait out.
 */
async function tryCreate(lockPath: string): Promise<LockInfo | undefined> {
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    createdAt: new Date().toISOString(),
    nonce: await randomHex(12),
  }
  const id = bootId()
  if (id) info.bootId = id
  const temp = join(dirname(lockPath), `.${basename(lockPath)}.${process.pid}.${await randomHex(6)}.tmp`)
  try {
    const fh = await fsp().open(temp, 'wx', 0o600)
    try {
      await fh.writeFile(JSON.stringify(info) + '\n', 'utf8')
    } finally {
      await fh.close()
    }
    try {
      await fsp().link(temp, lockPath)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined
      throw e
    }
    return info
  } catch (e) {
    throw new StoreError(`cannot create lock ${lockPath}: ${explainErrno(e)}`, { cause: e })
  } finally {
    await fsp().unlink(temp).catch(() => {})
  }
}

interface Seen {
  /** Raw content: the identity of this particular lock, compared before breaking it. */
  text: string
  info: LockInfo | undefined
  ageMs: number
}

/** The lock file's content and age; a link, FIFO or device in its place is refused (StoreError), never read. */
async function inspect(lockPath: string): Promise<Seen | undefined> {
  try {
    const text = await readIfExists(lockPath, MAX_LOCK_BYTES)
    if (text === undefined) return undefined
    const st = await fsp().lstat(lockPath)
    return { text, info: parseInfo(text), ageMs: Date.now() - st.mtimeMs }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

/** A lock file holds one short JSON line. */
const MAX_LOCK_BYTES = 4096

function parseInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.nonce === 'string') {
      const info: LockInfo = { pid: v.pid, hostname: v.hostname, createdAt: String(v.createdAt), nonce: v.nonce }
      if (typeof v.bootId === 'string') info.bootId = v.bootId
      return info
    }
  } catch {
    // a holder that died between create and write leaves an empty file
  }
  return undefined
}

/** Slack between a process's start time as /proc gives it (whole seconds of boot time) and a lock's createdAt. */
const START_SLACK_MS = 2000

/**
 * Whether the lock's holder is gone (see the module comment). On this host that is decided by the
 * holder's process alone, never by age; an unreadable lock (a 0.1.0 holder that died while writing
 * it) by age.
 */
export function isStale(seen: Pick<Seen, 'info' | 'ageMs'>, staleMs: number): boolean {
  const info = seen.info
  if (!info) return seen.ageMs > EMPTY_GRACE_MS
  if (info.hostname !== hostname()) return seen.ageMs > staleMs
  const id = bootId()
  if (info.bootId !== undefined && id !== undefined && info.bootId !== id) return true // rebooted since
  if (info.pid === process.pid) return false // this process: another of its own calls holds it
  const p = processState(info.pid)
  if (!p.alive) return true
  const created = Date.parse(info.createdAt)
  // the pid was reused: the process that has it now started after the lock was taken
  if (p.startedAtMs !== undefined && Number.isFinite(created) && p.startedAtMs > created + START_SLACK_MS) return true
  return false
}

/**
 * Breaks the stale lock whose content was `seen.text`, if it still is. Breakers take turns
 * through `<lock>.break`; the lock is re-read under it, so a waiter that judged an old lock
 * stale cannot remove the new lock a faster waiter has taken since. Returns whether removed.
 */
async function breakStale(lockPath: string, seen: Seen): Promise<boolean> {
  const breakPath = lockPath + '.break'
  const breaker = await tryCreate(breakPath)
  if (!breaker) {
    const other = await inspect(breakPath)
    if (other && (other.ageMs > BREAK_STALE_MS || (other.info && other.info.hostname === hostname() && !processState(other.info.pid).alive))) {
      await renameRemove(breakPath, other.text)
    }
    return false
  }
  try {
    if ((await readIfExists(lockPath)) !== seen.text) return false
    return await renameRemove(lockPath, seen.text)
  } finally {
    await fsp().unlink(breakPath).catch(() => {})
  }
}

/**
 * Renames `path` to a unique name, then removes it if it is the file we meant (same content);
 * if a different file was caught, it is linked back (link fails rather than overwrite).
 */
async function renameRemove(path: string, expected: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${await randomHex(4)}`
  try {
    await fsp().rename(path, aside)
  } catch {
    return false
  }
  const text = await readIfExists(aside)
  if (text !== expected) {
    await fsp().link(aside, path).catch(() => {})
    await fsp().unlink(aside).catch(() => {})
    return false
  }
  await fsp().unlink(aside).catch(() => {})
  return true
}

/** Removes the lock only if it is still ours: a holder that was judged stale must not remove a successor's lock. */
async function release(lockPath: string, held: LockInfo): Promise<void> {
  const text = await readIfExists(lockPath).catch(() => undefined)
  if (text === undefined || parseInfo(text)?.nonce !== held.nonce) return
  await fsp().unlink(lockPath).catch(() => {})
}
