/**
 * Where the store's files live under TOKENTOOL_HOME, profile-name validation, and the
 * 0700/0600 permission check that repairs what it finds (with a warning) on every read.
 * @module
 */
import { join, resolve } from 'node:path'
import { fsp } from './fs-promises.js'
import { StoreError, UsageError } from '../errors.js'
import { explainErrno } from '../core/errno-words.js'
import { statStoreDir } from './safe-fs.js'

/** Receives one human line (no prefix, no newline) about something the store fixed by itself. */
export type Warn = (message: string) => void

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

const PROFILE_NAME = /^[A-Za-z0-9._-]+$/

/**
 * Throws a UsageError unless `name` can be a profile name: letters, digits, `.`, `_`, `-`,
 * at most 64 characters, and not `.`/`..` — it becomes part of a file name.
 */
export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name) || name === '.' || name === '..' || name.length > 64) {
    throw new UsageError(
      `invalid profile name "${name}": use letters, digits, ".", "_" and "-" (at most 64 characters)`,
    )
  }
  return name
}

export interface StorePaths {
  home: string
  /** Profiles' settings (issuer, client...): shareable, holds no tokens. */
  config: string
  /** Lock serialising read-modify-write of config.json. */
  configLock: string
  /** One JSON file (and one lock) per profile. */
  tokensDir: string
  tokens(profile: string): string
  lock(profile: string): string
  /** The profile's DPoP private key (not `.json`: it is no profile of its own in listings). */
  dpopKey(profile: string): string
}

export function storePaths(home: string): StorePaths {
  const root = resolve(home)
  const tokensDir = join(root, 'tokens')
  return {
    home: root,
    config: join(root, 'config.json'),
    configLock: join(root, 'config.lock'),
    tokensDir,
    tokens: (profile) => join(tokensDir, `${validateProfileName(profile)}.json`),
    lock: (profile) => join(tokensDir, `${validateProfileName(profile)}.lock`),
    dpopKey: (profile) => join(tokensDir, `${validateProfileName(profile)}.dpop.jwk`),
  }
}

const octal = (mode: number) => '0' + (mode & 0o777).toString(8)

/**
 * Makes sure the directory `path` (when it exists) is a real directory of this user with exactly
 * `mode`; chmods it back and warns when it had anything else. Returns false when it does not
 * exist. Refuses (StoreError) a symbolic link (except a home of this user's own, see
 * statStoreDir), another user's directory and a sticky shared directory.
 */
export async function checkMode(path: string, mode: number, warn: Warn, opts: { isHome?: boolean } = {}): Promise<boolean> {
  const st = await statStoreDir(path, { isHome: opts.isHome ?? false })
  if (!st) return false
  // Never chmod what is not ours, nor a shared directory such as /tmp (TOKENTOOL_HOME=/tmp
  // as root would otherwise lock every other user out of it).
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) {
    throw new StoreError(`${path} belongs to another user (uid ${st.uid})`, { hint: 'point TOKENTOOL_HOME at a directory of your own' })
  }
  if ((st.mode & 0o1000) !== 0) {
    throw new StoreError(`${path} is a shared directory (sticky bit set), not a private store`, { hint: 'point TOKENTOOL_HOME at a directory of your own, e.g. $HOME/.config/tokentool' })
  }
  const actual = st.mode & 0o777
  if (actual !== mode) {
    try {
      await fsp().chmod(path, mode)
    } catch (e) {
      throw new StoreError(
        `${path} has mode ${octal(actual)} and cannot be changed to ${octal(mode)}: ${explainErrno(e)}`,
        { cause: e, hint: `fix it with: chmod ${octal(mode)} ${path}` },
      )
    }
    warn(`${path} had mode ${octal(actual)}, others could read it; changed to ${octal(mode)}`)
  }
  return true
}

/** Creates `dir` (and parents) with mode 0700 when missing, else checks and repairs it (see checkMode). */
export async function ensureDir(dir: string, warn: Warn, opts: { isHome?: boolean } = {}): Promise<void> {
  try {
    await fsp().mkdir(dir, { recursive: true, mode: DIR_MODE })
  } catch (e) {
    throw new StoreError(`cannot create ${dir}: ${explainErrno(e)}`, { cause: e })
  }
  await checkMode(dir, DIR_MODE, warn, opts)
}
