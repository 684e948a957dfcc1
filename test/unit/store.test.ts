import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StoreError, UsageError } from '../../src/errors.js'
import { readJsonFile, writeFileAtomic } from '../../src/store/atomic-write.js'
import { storePaths, validateProfileName } from '../../src/store/paths.js'
import { checkConfig } from '../../src/store/profiles.js'
import { fileStore, memoryStore, type TokenStore } from '../../src/store/store.js'
import { emptyTokens, usableAccessToken, withAccessToken, withRefreshToken, type ProfileTokens } from '../../src/store/tokens.js'

const DIST = new URL('../../dist/', import.meta.url).href
const mode = (p: string) => statSync(p).mode & 0o777
const tmp = () => join(mkdtempSync(join(tmpdir(), 'tokentool-store-')), 'home')

function sampleTokens(): ProfileTokens {
  const t = withAccessToken(emptyTokens(), { accessToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig', tokenType: 'Bearer', expiresAt: 1_900_000_000, cacheKey: 'ck1-a', obtainedAt: 1_800_000_000, scope: 'openid' }, new Date('2026-01-01T00:00:00Z'))
  return withRefreshToken(t, { value: 'refresh-secret-value', obtainedAt: 1_800_000_000 })
}

function withWarnings(home: string) {
  const warnings: string[] = []
  return { store: fileStore(home, { warn: (m) => warnings.push(m), now: () => new Date('2026-11-23T04:26:00Z') }), warnings }
}

describe('profile names', () => {
  it('accepts letters, digits, dot, underscore and dash', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/).filter((s) => s !== '.' && s !== '..'), (n) => {
      expect(validateProfileName(n)).toBe(n)
    }))
  })
  it.each(['', '.', '..', '../x', 'a/b', 'a\\b', 'a b', 'é', 'x'.repeat(65), 'name\0'])('rejects %j with a usage error', (n) => {
    expect(() => validateProfileName(n)).toThrow(UsageError)
    expect(() => storePaths('/h').tokens(n)).toThrow(UsageError)
  })
})

describe('fileStore: files and modes', () => {
  it('creates the home and tokens directories 0700 and every file 0600; nothing before the first write', async () => {
    const home = tmp()
    const { store } = withWarnings(home)
    expect(await store.listProfiles()).toEqual([])
    expect(await store.getTokens('default')).toBeUndefined()
    expect(existsSync(home)).toBe(false)
    await store.saveSettings('default', { issuer: 'https://as.example', clientId: 'cli', clientSecret: 's3cret' })
    await store.withLock('default', () => store.saveTokens('default', sampleTokens()))
    expect(mode(home)).toBe(0o700)
    expect(mode(join(home, 'tokens'))).toBe(0o700)
    for (const f of ['config.json', 'secrets.json', 'tokens/default.json']) expect(mode(join(home, f))).toBe(0o600)
    // no lock and no temporary file left behind
    expect(readdirSync(join(home, 'tokens'))).toEqual(['default.json'])
    expect(readdirSync(home).sort()).toEqual(['config.json', 'secrets.json', 'tokens'])
  })

  it('repairs wrong modes on read and says so once per file', async () => {
    const home = tmp()
    const { store, warnings } = withWarnings(home)
    await store.saveSettings('default', { issuer: 'https://as.example' })
    await store.withLock('default', () => store.saveTokens('default', sampleTokens()))
    chmodSync(home, 0o755)
    chmodSync(join(home, 'tokens'), 0o777)
    chmodSync(join(home, 'config.json'), 0o644)
    chmodSync(join(home, 'tokens/default.json'), 0o640)
    expect(await store.getSettings('default')).toEqual({ issuer: 'https://as.example' })
    expect(await store.getTokens('default')).toEqual(sampleTokens())
    expect(mode(home)).toBe(0o700)
    expect(mode(join(home, 'tokens'))).toBe(0o700)
    expect(mode(join(home, 'config.json'))).toBe(0o600)
    expect(mode(join(home, 'tokens/default.json'))).toBe(0o600)
    expect(warnings).toEqual([
      `${home} had mode 0755, others could read it; changed to 0700`,
      `${join(home, 'tokens')} had mode 0777, others could read it; changed to 0700`,
      `${join(home, 'config.json')} had mode 0644, others could read it; changed to 0600`,
      `${join(home, 'tokens/default.json')} had mode 0640, others could read it; changed to 0600`,
    ])
    warnings.length = 0
    await store.getTokens('default')
    expect(warnings).toEqual([])
  })

  it('keeps a literal client secret out of config.json, and a reference in it unresolved', async () => {
    const home = tmp()
    const { store } = withWarnings(home)
    await store.saveSettings('a', { clientId: 'a', clientSecret: 'literal-s3cret' })
    await store.saveSettings('b', { clientId: 'b', clientSecret: 'env:B_SECRET' })
    await store.saveSettings('c', { clientId: 'c', clientSecret: '@/run/secrets/c' })
    const config = readFileSync(join(home, 'config.json'), 'utf8')
    expect(config).not.toContain('literal-s3cret')
    expect(JSON.parse(config).profiles).toEqual({ a: { clientId: 'a' }, b: { clientId: 'b', clientSecret: 'env:B_SECRET' }, c: { clientId: 'c', clientSecret: '@/run/secrets/c' } })
    expect(JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')).clientSecrets).toEqual({ a: 'literal-s3cret' })
    expect(await store.getSettings('a')).toEqual({ clientId: 'a', clientSecret: 'literal-s3cret' })
    expect(await store.getSettings('b')).toEqual({ clientId: 'b', clientSecret: 'env:B_SECRET' })
    // what git-credential chooses a profile by: no secret, not even a reference
    expect(await store.allShareableSettings()).toEqual({ a: { clientId: 'a' }, b: { clientId: 'b' }, c: { clientId: 'c' } })
    // changing a literal to a reference removes the literal
    await store.updateSettings('a', (s) => ({ ...s, clientSecret: 'env:A_SECRET' }))
    expect(JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')).clientSecrets).toEqual({})
  })

  it('refuses a shared sticky directory such as /tmp as its home instead of chmodding it', async () => {
    const home = tmp()
    mkdirSync(home)
    chmodSync(home, 0o1777)
    const { store } = withWarnings(home)
    await expect(store.listProfiles()).rejects.toThrow(`${home} is a shared directory (sticky bit set), not a private store`)
    expect(statSync(home).mode & 0o7777).toBe(0o1777)
  })

  it('a reference in config.json wins over a literal left in secrets.json by an interrupted change', async () => {
    const home = tmp()
    const { store } = withWarnings(home)
    await store.saveSettings('a', { clientId: 'a', clientSecret: 'literal-s3cret' })
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))
    config.profiles.a.clientSecret = 'env:A_SECRET' // as if the process died before cleaning secrets.json
    writeFileSync(join(home, 'config.json'), JSON.stringify(config), { mode: 0o600 })
    expect(await store.getSettings('a')).toEqual({ clientId: 'a', clientSecret: 'env:A_SECRET' })
  })

  it('removing a profile that does not exist creates nothing', async () => {
    const home = tmp()
    const { store } = withWarnings(home)
    expect(await store.removeProfile('ghost')).toBe(false)
    expect(existsSync(home)).toBe(false)
  })

  it('lists profiles with settings or tokens, and removes one completely', async () => {
    const home = tmp()
    const { store } = withWarnings(home)
    await store.saveSettings('only-settings', { issuer: 'https://a' })
    await store.saveSettings('both', { clientSecret: 'x' })
    await store.withLock('both', () => store.saveTokens('both', sampleTokens()))
    await store.withLock('only-tokens', () => store.saveTokens('only-tokens', sampleTokens()))
    expect(await store.listProfiles()).toEqual(['both', 'only-settings', 'only-tokens'])
    expect(await store.removeProfile('both')).toBe(true)
    expect(await store.removeProfile('both')).toBe(false)
    expect(await store.listProfiles()).toEqual(['only-settings', 'only-tokens'])
    expect(JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')).clientSecrets).toEqual({})
    expect(existsSync(join(home, 'tokens/both.json'))).toBe(false)
  })
})

  it('readConfigOnce: plain reads answer from config.json as first read; a read-modify-write reads the file again, and a write forgets the kept copy', async () => {
    const home = tmp()
    const other = fileStore(home)
    await other.saveSettings('a', { issuer: 'https://a.example', clientId: 'a', clientSecret: 'a-s3cret', gitHosts: ['git.a.example'] })
    const once = fileStore(home, { readConfigOnce: true })
    expect(await once.allShareableSettings()).toEqual({ a: { issuer: 'https://a.example', clientId: 'a', gitHosts: ['git.a.example'] } })
    // another process changes config.json: the run that read it goes on with what it read
    await other.saveSettings('b', { issuer: 'https://b.example' })
    expect(await once.listProfiles()).toEqual(['a'])
    const a = await once.getSettings('a')
    expect(a).toEqual({ issuer: 'https://a.example', clientId: 'a', clientSecret: 'a-s3cret', gitHosts: ['git.a.example'] })
    // what a caller does with the settings it got does not change the kept copy
    a!.gitHosts!.push('changed.example')
    expect((await once.getSettings('a'))!.gitHosts).toEqual(['git.a.example'])
    // a store without the option reads the file each time
    expect(await fileStore(home).listProfiles()).toEqual(['a', 'b'])
    // an update reads the file under the config lock: the other process's profile is kept
    await once.updateSettings('a', (s) => ({ ...s, scope: 'read' }))
    expect(Object.keys(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).profiles).sort()).toEqual(['a', 'b'])
    // and after its own write, a plain read sees the file as it is now
    expect(await once.listProfiles()).toEqual(['a', 'b'])
    expect((await once.getSettings('a'))!.scope).toBe('read')
  })

describe('fileStore: corrupt files', () => {
  it.each([
    ['not JSON', '{"version":1,', /not JSON/],
    ['wrong shape', '{"version":1,"accessTokens":[]}', /"accessTokens" is not an object/],
    ['a bad entry', '{"version":1,"accessTokens":{"k":{"accessToken":"x","tokenType":"Bearer","cacheKey":"other","obtainedAt":1}}}', /"cacheKey" does not match/],
  ])('a tokens file that is %s is reported, kept aside and not overwritten', async (_what, text, reason) => {
    const home = tmp()
    const { store } = withWarnings(home)
    mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
    const file = join(home, 'tokens/default.json')
    writeFileSync(file, text, { mode: 0o600 })
    const err = await store.getTokens('default').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    const message = (err as StoreError).message
    expect(message).toContain(file)
    expect(message).toMatch(reason)
    const aside = `${file}.corrupt-20261123T042600000Z`
    expect(message).toContain(aside)
    expect(readFileSync(aside, 'utf8')).toBe(text)
    // the next run starts fresh, and the kept copy is not mistaken for a profile
    expect(await store.getTokens('default')).toBeUndefined()
    expect(await store.listProfiles()).toEqual([])
  })

  it('a config.json of a newer version is refused rather than rewritten', async () => {
    const home = tmp()
    mkdirSync(home, { recursive: true, mode: 0o700 })
    writeFileSync(join(home, 'config.json'), '{"version":2,"profiles":{}}', { mode: 0o600 })
    const { store } = withWarnings(home)
    await expect(store.saveSettings('x', {})).rejects.toThrow(`${join(home, 'config.json')}: version 2 is newer than this tokentool understands`)
    expect(readFileSync(join(home, 'config.json'), 'utf8')).toBe('{"version":2,"profiles":{}}')
    expect(readdirSync(home)).toEqual(['config.json'])
  })

  it('config shape errors name the profile and field', () => {
    expect(checkConfig({ version: 1, profiles: { p: { redirect: { port: 70000 } } } })).toEqual({ ok: false, reason: 'profile "p" "redirect.port" is not a port number' })
    expect(checkConfig({ version: 1, profiles: { p: { clientAuth: 'magic' } } })).toMatchObject({ ok: false })
    expect(checkConfig({ version: 1, profiles: { p: { clientAuth: 'basic', audience: ['a'], params: { k: 'v' }, future: 1 } } })).toMatchObject({ ok: true })
  })
})

describe('writeFileAtomic', () => {
  it('writes a 0600 temporary file next to the target and renames it into place', async () => {
    const dir = tmp()
    const file = join(dir, 'f.json')
    await writeFileAtomic(file, '"old"')
    let seen: { temp: string; tempMode: number; tempText: string; targetText: string } | undefined
    await writeFileAtomic(file, '"new"', {
      hooks: {
        beforeRename: (temp) => {
          seen = { temp, tempMode: mode(temp), tempText: readFileSync(temp, 'utf8'), targetText: readFileSync(file, 'utf8') }
        },
      },
    })
    expect(seen).toMatchObject({ tempMode: 0o600, tempText: '"new"', targetText: '"old"' })
    expect(seen!.temp.startsWith(dir + '/.f.json.')).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe('"new"')
    expect(readdirSync(dir)).toEqual(['f.json'])
  })

  it('a process killed between write and rename leaves the old file whole; its temporary file is cleaned up later', async () => {
    const dir = tmp()
    const file = join(dir, 'f.json')
    await writeFileAtomic(file, JSON.stringify({ n: 1 }))
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      const { writeFileAtomic } = await import(${JSON.stringify(DIST + 'store/atomic-write.js')})
      await writeFileAtomic(${JSON.stringify(file)}, JSON.stringify({ n: 2, pad: 'x'.repeat(100000) }), {
        hooks: { beforeRename: () => { process.stdout.write('ready\\n'); return new Promise(() => setInterval(() => {}, 1000)) } },
      })`], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 1 })
    const temps = readdirSync(dir).filter((f) => f !== 'f.json')
    expect(temps).toHaveLength(1)
    expect(temps[0]).toMatch(new RegExp(`^\\.f\\.json\\.${child.pid}\\.[0-9a-f]+\\.tmp$`))
    expect(await readJsonFile(file, (v) => ({ ok: true, value: v }), { warn: () => {} })).toEqual({ n: 1 })
    await writeFileAtomic(file, JSON.stringify({ n: 3 }))
    expect(readdirSync(dir)).toEqual(['f.json'])
  })
})

describe('tokens helpers', () => {
  it('a cached access token is usable only with more than min-ttl left, and only with a known expiry', () => {
    const now = new Date(1_899_999_900_000)
    const t = sampleTokens()
    expect(usableAccessToken(t, 'ck1-a', now, 60)?.accessToken).toBe('eyJhbGciOiJSUzI1NiJ9.e30.sig')
    expect(usableAccessToken(t, 'ck1-a', now, 100)).toBeUndefined()
    expect(usableAccessToken(t, 'ck1-other', now, 0)).toBeUndefined()
    const noExp = withAccessToken(t, { accessToken: 'x', tokenType: 'Bearer', cacheKey: 'ck1-b', obtainedAt: 1 }, now)
    expect(usableAccessToken(noExp, 'ck1-b', now, 0)).toBeUndefined()
  })
  it('storing an access token drops expired ones and keeps others', () => {
    const t = withAccessToken(sampleTokens(), { accessToken: 'y', tokenType: 'Bearer', cacheKey: 'ck1-b', expiresAt: 2_000_000_000, obtainedAt: 1 }, new Date(1_950_000_000_000))
    expect(Object.keys(t.accessTokens)).toEqual(['ck1-b'])
    expect(withRefreshToken(t, undefined).refreshToken).toBeUndefined()
  })
})

describe('memoryStore', () => {
  it('behaves like the file store for settings, tokens and removal, and returns copies', async () => {
    const store: TokenStore = memoryStore({ settings: { a: { issuer: 'https://a' } } })
    await store.withLock('b', () => store.saveTokens('b', sampleTokens()))
    expect(await store.listProfiles()).toEqual(['a', 'b'])
    const t = (await store.getTokens('b'))!
    t.accessTokens = {}
    expect(Object.keys((await store.getTokens('b'))!.accessTokens)).toEqual(['ck1-a'])
    expect(await store.removeProfile('a')).toBe(true)
    expect(await store.removeProfile('a')).toBe(false)
    await expect(store.getSettings('../x')).rejects.toThrow(UsageError)
  })
  it('serialises withLock callers for one profile', async () => {
    const store = memoryStore()
    const order: string[] = []
    const step = (name: string, ms: number) => store.withLock('p', async () => {
      order.push(`${name}:start`)
      await new Promise((r) => setTimeout(r, ms))
      order.push(`${name}:end`)
    })
    await Promise.all([step('a', 20), step('b', 0), step('c', 5)])
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end'])
  })
})
