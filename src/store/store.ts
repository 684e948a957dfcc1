/**
 * The TokenStore: profiles' settings and tokens behind one interface, with a file
 * implementation under TOKENTOOL_HOME and an in-memory one for in-process tests.
 *
 * Files: `config.json` (settings, shareable), `secrets.json` (literal client secrets),
 * `tokens/<profile>.json` (tokens), `tokens/<profile>.lock` (the profile lock). Directories
 * 0700, files 0600, checked and repaired on every read; writes are atomic.
 *
 * Reading tokens, deciding, talking to the server and writing tokens back must all happen
 * inside `withLock(profile, ...)`: see lock.ts. `saveSettings`/`updateSettings` serialise
 * themselves on a separate config lock, so they may be called inside a profile lock (never
 * the other way round).
 * @module
 */
import { dirname } from 'node:path'
import { fsp } from './fs-promises.js'
import { StoreError, UsageError } from '../errors.js'
import { readJsonFile, writeFileAtomic } from './atomic-write.js'
import { withFileLock, type LockOptions } from './lock.js'
import { explainErrno } from '../core/errno-words.js'
import { DIR_MODE, checkMode, storePaths, validateProfileName, type Warn } from './paths.js'
import {
  byName,
  checkConfig,
  checkSecrets,
  emptyConfig,
  emptySecrets,
  splitSecret,
  type ConfigFile,
  type ProfileSettings,
  type SecretsFile,
  type StoredRegistration,
} from './profiles.js'
import { checkTokens, type ProfileTokens } from './tokens.js'
import { checkDpopKey, type StoredDpopKey } from './dpop-key.js'
import { registerSecret } from '../core/secret-values.js'

/** Every token a profile holds is a secret of the run from the moment it is read or written: redacted by value wherever it turns up. */
function registered<T extends ProfileTokens | undefined>(t: T): T {
  if (!t) return t
  registerSecret(t.refreshToken?.value)
  registerSecret(t.idToken?.value)
  for (const e of Object.values(t.accessTokens)) registerSecret(e.accessToken)
  return t
}

export interface TokenStore {
  /** Where the store lives (the home directory), for messages. */
  readonly location: string
  /** Every profile with settings or tokens, sorted. */
  listProfiles(): Promise<string[]>
  /** Settings with the client secret (literal or reference) merged in; undefined when none. */
  getSettings(profile: string): Promise<ProfileSettings | undefined>
  /** Every profile's settings without its client secret, literal or reference (config.json alone, read once): to choose a profile by what they say. */
  allShareableSettings(): Promise<Record<string, ProfileSettings>>
  /** Replaces a profile's settings (creating the profile). */
  saveSettings(profile: string, settings: ProfileSettings): Promise<void>
  /** Read-modify-write of a profile's settings under the config lock; returns what was saved. */
  updateSettings(profile: string, fn: (current: ProfileSettings | undefined) => ProfileSettings): Promise<ProfileSettings>
  /** The profile's tokens, undefined when none are stored. Call inside `withLock` when you will write. */
  getTokens(profile: string): Promise<ProfileTokens | undefined>
  /** Replaces the profile's tokens atomically. Call inside `withLock`. */
  saveTokens(profile: string, tokens: ProfileTokens): Promise<void>
  /** Removes the tokens only (settings stay); false when there were none. Call inside `withLock`. */
  removeTokens(profile: string): Promise<boolean>
  /** Removes settings, secret and tokens (takes the profile lock itself); false when none existed. */
  removeProfile(profile: string): Promise<boolean>
  /** The client `login --resource` registered for the profile (RFC 7591), if any. */
  getRegistration(profile: string): Promise<StoredRegistration | undefined>
  /** Keeps (or with undefined forgets) the profile's registered client, in secrets.json (0600). */
  saveRegistration(profile: string, registration: StoredRegistration | undefined): Promise<void>
  /** Runs `fn` holding the profile's exclusive lock (across processes for the file store). */
  withLock<T>(profile: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T>
  /** The file that holds the profile's tokens (or a label for the memory store), for messages. */
  tokensLocation(profile: string): string
  /** The profile's DPoP key, undefined when it has none. */
  getDpopKey(profile: string): Promise<StoredDpopKey | undefined>
  /** Replaces the profile's DPoP key (0600, atomic). Call inside `withLock`. */
  saveDpopKey(profile: string, key: StoredDpopKey): Promise<void>
  /** Where the DPoP key lives, for messages. */
  dpopKeyLocation(profile: string): string
}

export interface FileStoreOptions {
  /** Receives one line for each permission the store repaired. Default: ignore. */
  warn?: Warn
  /** Clock for the `.corrupt-<timestamp>` names. */
  now?: () => Date
  /** Defaults for `withLock` (timeout, stale age). */
  lock?: LockOptions
  /**
   * Read config.json once: the settings reads that follow the first (listProfiles,
   * allShareableSettings, getSettings outside the config lock) answer from it, for a short run
   * that reads settings more than once (git-credential get: the host's profile, then its
   * settings). Only for a store that lives one command: another process's change is not seen.
   * Read-modify-writes under the config lock still read the file, and a write forgets what was
   * kept. secrets.json and tokens are read as before, each time.
   */
  readConfigOnce?: boolean
}

/** A malformed value handed to saveTokens is a bug in the caller, not the user's doing. */
function assertTokens(t: ProfileTokens): void {
  const r = checkTokens(t)
  if (!r.ok) throw new TypeError(`saveTokens: ${r.reason}`)
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n'

/** The store under `home` (TOKENTOOL_HOME). Nothing is created until something is written. */
export function fileStore(home: string, opts: FileStoreOptions = {}): TokenStore {
  const paths = storePaths(home)
  const warn = opts.warn ?? (() => {})
  const readOpts = { warn, now: opts.now }

  /** The home (a link only if it is this user's) and tokens/ (never a link), before anything is read or made in them. */
  async function checkDirs(): Promise<void> {
    await checkMode(paths.home, DIR_MODE, warn, { isHome: true })
    await checkMode(paths.tokensDir, DIR_MODE, warn)
  }
  /** config.json from the disk (always, under the config lock). */
  const readConfig = async (): Promise<ConfigFile> => {
    await checkDirs()
    const config = (await readJsonFile(paths.config, checkConfig, readOpts)) ?? emptyConfig()
    if (opts.readConfigOnce) kept = structuredClone(config)
    return config
  }
  /** What readConfigOnce keeps: config.json as last read; undefined again after a write. */
  let kept: ConfigFile | undefined
  /** config.json for a plain read: the kept copy when there is one (a copy: callers may change what they get). */
  const readConfigForReading = async (): Promise<ConfigFile> => (kept !== undefined ? structuredClone(kept) : readConfig())
  const secretsPath = `${paths.home}/secrets.json`
  const readSecrets = async (): Promise<SecretsFile> => (await readJsonFile(secretsPath, checkSecrets, readOpts)) ?? emptySecrets()
  const write = async (file: string, value: unknown) => {
    if (file === paths.config) kept = undefined
    await checkDirs()
    await writeFileAtomic(file, json(value), { warn, dirIsHome: dirname(file) === paths.home })
  }
  const configLock = async <T>(fn: () => Promise<T>) => {
    await checkDirs()
    return withFileLock(paths.configLock, fn, { warn, ...opts.lock, dirIsHome: true })
  }

  /** Writes settings + secret; caller holds the config lock. `settings` undefined removes the profile. */
  async function storeSettings(profile: string, settings: ProfileSettings | undefined): Promise<void> {
    const config = await readConfig()
    const secrets = await readSecrets()
    const { [profile]: _oldSettings, ...otherProfiles } = config.profiles
    const { [profile]: oldSecret, ...otherSecrets } = secrets.clientSecrets
    const split = settings ? splitSecret(settings) : undefined
    const writeConfig = () => write(paths.config, { ...config, profiles: split ? { ...otherProfiles, [profile]: split.shareable } : otherProfiles })
    const writeSecrets = async () => {
      if (split?.secret === oldSecret) return
      await write(secretsPath, { ...secrets, clientSecrets: split?.secret !== undefined ? { ...otherSecrets, [profile]: split.secret } : otherSecrets })
    }
    // Two files cannot change in one step: order the writes so that a crash between them
    // leaves the old setting or the new one in effect (a reference in config.json wins over
    // a leftover literal, see getSettings), never a lost secret.
    if (split?.secret !== undefined) {
      await writeSecrets()
      await writeConfig()
    } else {
      await writeConfig()
      await writeSecrets()
    }
  }

  /** Writes the profile's registration into secrets.json; caller holds the config lock. */
  async function storeRegistration(profile: string, registration: StoredRegistration | undefined): Promise<boolean> {
    const secrets = await readSecrets()
    const { [profile]: old, ...others } = secrets.registrations ?? {}
    if (old === undefined && registration === undefined) return false
    await write(secretsPath, { ...secrets, registrations: registration ? { ...others, [profile]: registration } : others })
    return old !== undefined
  }

  /** The profile's settings in `config` (the name checked), with its literal client secret from secrets.json. */
  async function settingsOf(profile: string, config: ConfigFile): Promise<ProfileSettings | undefined> {
    const settings = config.profiles[profile]
    const secret = (await readSecrets()).clientSecrets[profile]
    if (!settings) return undefined
    registerSecret(secret)
    // a reference in config.json is the setting; a literal lives only in secrets.json
    return secret !== undefined && settings.clientSecret === undefined ? { ...settings, clientSecret: secret } : settings
  }

  const store: TokenStore = {
    location: paths.home,
    tokensLocation: (profile) => paths.tokens(profile),

    async listProfiles() {
      const names = new Set(Object.keys((await readConfigForReading()).profiles))
      let files: string[] = []
      try {
        files = await fsp().readdir(paths.tokensDir)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`cannot read ${paths.tokensDir}: ${explainErrno(e)}`)
      }
      for (const f of files) {
        const m = /^([A-Za-z0-9._-]+)\.json$/.exec(f)
        if (m && !f.startsWith('.')) names.add(m[1]!)
      }
      return [...names].sort()
    },

    async allShareableSettings() {
      const out = byName<ProfileSettings>({})
      for (const [name, { clientSecret: _reference, ...shareable }] of Object.entries((await readConfigForReading()).profiles)) out[name] = shareable
      return out
    },

    async getSettings(profile) {
      validateProfileName(profile)
      return settingsOf(profile, await readConfigForReading())
    },

    async saveSettings(profile, settings) {
      validateProfileName(profile)
      await configLock(() => storeSettings(profile, settings))
    },

    async updateSettings(profile, fn) {
      validateProfileName(profile)
      return configLock(async () => {
        // read-modify-write: from the disk, never from a kept copy
        const next = fn(await settingsOf(profile, await readConfig()))
        await storeSettings(profile, next)
        return next
      })
    },

    async getTokens(profile) {
      const file = paths.tokens(profile)
      await checkDirs()
      return registered(await readJsonFile(file, checkTokens, readOpts))
    },

    async saveTokens(profile, tokens) {
      assertTokens(tokens)
      await write(paths.tokens(profile), registered(tokens))
    },

    async getDpopKey(profile) {
      await checkDirs()
      return readJsonFile(paths.dpopKey(profile), checkDpopKey, readOpts)
    },

    async saveDpopKey(profile, key) {
      const r = checkDpopKey(key)
      if (!r.ok) throw new TypeError(`saveDpopKey: ${r.reason}`)
      await write(paths.dpopKey(profile), key)
    },

    dpopKeyLocation: (profile) => paths.dpopKey(profile),

    async removeTokens(profile) {
      try {
        await fsp().unlink(paths.tokens(profile))
        return true
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
        throw new StoreError(`cannot remove ${paths.tokens(profile)}: ${explainErrno(e)}`)
      }
    },

    async removeProfile(profile) {
      validateProfileName(profile)
      // nothing to remove: answer without creating the directories a lock needs
      const secrets = await readSecrets()
      if (!(await store.getSettings(profile)) && !(await store.getTokens(profile)) && !(profile in secrets.clientSecrets) && !secrets.registrations?.[profile]) return false
      return store.withLock(profile, async () => {
        const hadTokens = await store.removeTokens(profile)
        // the DPoP key goes with the tokens it binds
        await fsp().unlink(paths.dpopKey(profile)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw new StoreError(`cannot remove ${paths.dpopKey(profile)}: ${explainErrno(e)}`)
        })
        const hadSettings = await configLock(async () => {
          const config = await readConfig()
          const secrets = await readSecrets()
          const had = profile in config.profiles || profile in secrets.clientSecrets
          if (had) await storeSettings(profile, undefined)
          return (await storeRegistration(profile, undefined)) || had
        })
        return hadTokens || hadSettings
      })
    },

    async getRegistration(profile) {
      validateProfileName(profile)
      const r = (await readSecrets()).registrations?.[profile]
      registerSecret(r?.registrationAccessToken)
      return r
    },

    async saveRegistration(profile, registration) {
      validateProfileName(profile)
      registerSecret(registration?.registrationAccessToken)
      await configLock(() => storeRegistration(profile, registration))
    },

    async withLock(profile, fn, lockOpts) {
      await checkDirs()
      return withFileLock(paths.lock(profile), fn, { warn, ...opts.lock, ...lockOpts })
    },
  }
  return store
}

/** An in-memory TokenStore for in-process tests; its lock serialises callers in this process. */
export function memoryStore(seed: { settings?: Record<string, ProfileSettings>; tokens?: Record<string, ProfileTokens> } = {}): TokenStore {
  const settings = new Map(Object.entries(structuredClone(seed.settings ?? {})))
  const tokens = new Map(Object.entries(structuredClone(seed.tokens ?? {})))
  const registrations = new Map<string, StoredRegistration>()
  const dpopKeys = new Map<string, StoredDpopKey>()
  const locks = new Map<string, Promise<unknown>>()
  const copy = <T>(v: T | undefined) => (v === undefined ? undefined : structuredClone(v))
  const store: TokenStore = {
    location: 'memory',
    tokensLocation: (profile) => `memory:tokens/${validateProfileName(profile)}`,
    async listProfiles() {
      return [...new Set([...settings.keys(), ...tokens.keys()])].sort()
    },
    async getSettings(profile) {
      return copy(settings.get(validateProfileName(profile)))
    },
    async allShareableSettings() {
      const out: Record<string, ProfileSettings> = {}
      for (const [name, s] of settings) {
        const { clientSecret: _secret, ...shareable } = structuredClone(s)
        out[name] = shareable
      }
      return out
    },
    async saveSettings(profile, s) {
      settings.set(validateProfileName(profile), structuredClone(s))
    },
    async updateSettings(profile, fn) {
      const next = fn(copy(settings.get(validateProfileName(profile))))
      settings.set(profile, structuredClone(next))
      return next
    },
    async getTokens(profile) {
      return registered(copy(tokens.get(validateProfileName(profile))))
    },
    async saveTokens(profile, t) {
      assertTokens(t)
      tokens.set(validateProfileName(profile), structuredClone(registered(t)))
    },
    async removeTokens(profile) {
      return tokens.delete(validateProfileName(profile))
    },
    async getRegistration(profile) {
      return copy(registrations.get(validateProfileName(profile)))
    },
    async saveRegistration(profile, r) {
      if (r) registrations.set(validateProfileName(profile), structuredClone(r))
      else registrations.delete(validateProfileName(profile))
    },
    async getDpopKey(profile) {
      return copy(dpopKeys.get(validateProfileName(profile)))
    },
    async saveDpopKey(profile, key) {
      dpopKeys.set(validateProfileName(profile), structuredClone(key))
    },
    dpopKeyLocation: (profile) => `memory:tokens/${validateProfileName(profile)}.dpop.jwk`,
    async removeProfile(profile) {
      return store.withLock(profile, async () => {
        const a = settings.delete(profile)
        const b = tokens.delete(profile)
        dpopKeys.delete(profile)
        const c = registrations.delete(profile)
        return a || b || c
      })
    },
    async withLock(profile, fn) {
      validateProfileName(profile)
      const prev = locks.get(profile) ?? Promise.resolve()
      const run = prev.then(fn, fn)
      locks.set(profile, run.catch(() => {}))
      return run
    },
  }
  return store
}

/** The store a command uses: `deps.store` when a test injected one, else the files under `deps.home`. */
export function openStore(
  deps: {
    home: string
    io: { err: NodeJS.WritableStream }
    now?: () => Date
    store?: TokenStore
  },
  opts: Pick<FileStoreOptions, 'readConfigOnce'> = {},
): TokenStore {
  if (deps.store) return deps.store
  return fileStore(deps.home, {
    warn: (m) => void deps.io.err.write(`tokentool: warning: ${m}\n`),
    ...(deps.now ? { now: deps.now } : {}),
    ...opts,
  })
}

/** A UsageError for a profile that does not exist, with the way out. */
export function noSuchProfile(profile: string): UsageError {
  return new UsageError(`no profile "${profile}"`, { hint: 'tokentool profiles list shows the stored ones' })
}
