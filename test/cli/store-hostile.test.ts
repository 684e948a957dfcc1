/**
 * The token store against things put in its way, through the built binary: symbolic links (to a
 * file, to a directory, as TOKENTOOL_HOME owned by another user), a FIFO, a character device and a
 * 300 MB file where a store file should be, a FIFO as the lock, and a full disk (a small tmpfs):
 * one clear line, exit 2 (never 70, never a hang), the link's target untouched, no empty lock file
 * left, and a refresh token rotated by the server but not savable reported as spent.
 * Devices, tmpfs and chown need root: when not root each such test prints why it did not run.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'

const isRoot = process.getuid?.() === 0
function rootOnly(what: string): boolean {
  if (!isRoot) console.warn(`DID NOT RUN: ${what} needs root (devices, mount, chown); run the tests as root to include it`)
  return !isRoot
}

const TOKENS = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  issuer: 'https://issuer.example',
  clientId: 'cli',
  accessTokens: {},
  refreshToken: { value: 'rt-stored-1', obtainedAt: 1_700_000_000 },
  ...extra,
})

/** A home with tokens/ and a 0600 default.json. */
function homeWithTokens(content = TOKENS()): { home: string; file: string } {
  const home = tempHome()
  mkdirSync(join(home, 'tokens'), { mode: 0o700 })
  chmodSync(home, 0o700)
  const file = join(home, 'tokens', 'default.json')
  writeFileSync(file, JSON.stringify(content), { mode: 0o600 })
  return { home, file }
}

function refused(r: CliResult, what: string, pattern: RegExp): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(2)
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, `${what}: ${r.stderr}`).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
}

const show = (home: string) => runCli(['profiles', 'show', 'default'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 15_000 })

describe('symbolic links are never followed', () => {
  it('a tokens file that is a link: refused, and its target neither read, chmod-ed nor written', async () => {
    const { home, file } = homeWithTokens()
    const target = join(mkdtempSync(join(tmpdir(), 'victim-')), 'precious.json')
    writeFileSync(target, JSON.stringify(TOKENS()), { mode: 0o644 })
    const before = readFileSync(target, 'utf8')
    execFileSync('rm', [file])
    symlinkSync(target, file)
    const r = await show(home)
    refused(r, 'profiles show', /default\.json is a symbolic link: the store never follows one/)
    expect(r.stdout).not.toContain('rt-stored')
    // a write replaces the link, never what it points at
    const rm = await runCli(['profiles', 'remove', 'default'], { env: { TOKENTOOL_HOME: home } })
    expect(rm.code).not.toBe(70)
    expect(readFileSync(target, 'utf8')).toBe(before)
    expect(statSync(target).mode & 0o777).toBe(0o644)
  })

  it('a tokens/ directory that is a link: refused, its target keeps its mode', async () => {
    const home = tempHome()
    chmodSync(home, 0o700)
    const elsewhere = mkdtempSync(join(tmpdir(), 'victim-dir-'))
    chmodSync(elsewhere, 0o755)
    symlinkSync(elsewhere, join(home, 'tokens'))
    for (const args of [['profiles', 'show', 'default'], ['profiles', 'list']]) {
      const r = await runCli(args, { env: { TOKENTOOL_HOME: home } })
      refused(r, args.join(' '), /tokens is a symbolic link: the store never follows one under TOKENTOOL_HOME/)
    }
    expect(statSync(elsewhere).mode & 0o777).toBe(0o755)
    expect(readdirSync(elsewhere)).toEqual([])
  })

  it.skipIf(rootOnly('TOKENTOOL_HOME as another user\'s symlink'))('TOKENTOOL_HOME that is another user\'s link to a root-owned directory: refused, nothing chmod-ed or written there', async () => {
    const target = mkdtempSync(join(tmpdir(), 'root-owned-'))
    chmodSync(target, 0o755)
    const link = join(mkdtempSync(join(tmpdir(), 'evil-')), 'home')
    symlinkSync(target, link)
    lchownSync(link, 65534, 65534) // nobody's link, as another user would plant it
    const r = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: link } })
    refused(r, 'profiles list', /home is a symbolic link owned by another user \(uid 65534\)/)
    const w = await runCli(['token', '--client-credentials', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--client-secret', 'y'], { env: { TOKENTOOL_HOME: link } })
    expect(w.code).not.toBe(70)
    expect(statSync(target).mode & 0o777).toBe(0o755)
    expect(readdirSync(target)).toEqual([])
  })

  it('TOKENTOOL_HOME that is the user\'s own link (a dotfiles setup) is used', async () => {
    const { home } = homeWithTokens()
    const link = join(mkdtempSync(join(tmpdir(), 'dotfiles-')), 'tokentool')
    symlinkSync(home, link)
    const r = await show(link)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('refresh token')
  })
})

describe('only regular files are read', () => {
  it('a FIFO in place of the tokens file: refused at once, no hang', async () => {
    const { home, file } = homeWithTokens()
    execFileSync('rm', [file])
    execFileSync('mkfifo', ['-m', '600', file])
    const r = await show(home)
    refused(r, 'profiles show (FIFO)', /default\.json is a FIFO \(named pipe\), not a regular file/)
    const t = await runCli(['token', '--client-credentials', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--client-secret', 'y'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 15_000 })
    expect(t.code, t.stderr).toBe(2)
    expect(t.stderr).toMatch(/FIFO/)
  })

  it.skipIf(rootOnly('a character device as the tokens file'))('a character device (/dev/zero\'s numbers) in place of the tokens file: refused without reading it', async () => {
    const { home, file } = homeWithTokens()
    execFileSync('rm', [file])
    execFileSync('mknod', ['-m', '600', file, 'c', '1', '5'])
    const r = await show(home)
    refused(r, 'profiles show (char device)', /default\.json is a character device, not a regular file/)
  })

  it('a 300 MB tokens file (sparse): refused by its size, not read into memory', async () => {
    const { home, file } = homeWithTokens()
    truncateSync(file, 300 * 1024 * 1024)
    const r = await show(home)
    refused(r, 'profiles show (300 MB)', /default\.json is 307200 KiB, more than a store file can hold \(limit 4096 KiB\): not read/)
  })

  it('a config.json that is a FIFO, and a lock that is a FIFO: refused, no hang', async () => {
    const { home } = homeWithTokens()
    execFileSync('mkfifo', ['-m', '600', join(home, 'config.json')])
    refused(await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: home }, timeoutMs: 15_000 }), 'profiles list', /config\.json is a FIFO/)
    const h2 = homeWithTokens()
    execFileSync('mkfifo', ['-m', '600', join(h2.home, 'tokens', 'default.lock')])
    // remove takes the profile lock: the FIFO is named, not opened for a blocking read
    const r = await runCli(['profiles', 'remove', 'default'], { env: { TOKENTOOL_HOME: h2.home }, timeoutMs: 15_000 })
    refused(r, 'profiles remove (FIFO lock)', /default\.lock is a FIFO \(named pipe\), not a regular file/)
    expect(existsSync(h2.file)).toBe(true)
  })

  it('TOKENTOOL_HOME that is a regular file or a device: named for what it is, not a directory', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokentool-home-file-')), 'home')
    writeFileSync(file, 'not a directory\n')
    const r = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: file } })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`tokentool: ${file} is a regular file, not a directory (point TOKENTOOL_HOME at a directory)\n`)
    const dev = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: '/dev/null' } })
    expect(dev.code).toBe(2)
    expect(dev.stderr).toBe('tokentool: /dev/null is a character device, not a directory (point TOKENTOOL_HOME at a directory)\n')
  })
})

describe('a full disk', () => {
  let server: TinyServer
  let mount = ''
  let fillOnToken = false
  const fill = () => {
    // fill whatever is left; ENOSPC is the point
    try {
      writeFileSync(join(mount, `filler-${Date.now()}-${Math.random()}`), Buffer.alloc(4 * 1024 * 1024))
    } catch {
      // full
    }
    try {
      writeFileSync(join(mount, `filler-small-${Date.now()}`), Buffer.alloc(64 * 1024))
    } catch {
      // full
    }
  }
  const unmount = () => {
    if (mount) execFileSync('umount', [mount])
  }
  let why = ''
  beforeAll(async () => {
    if (!isRoot) {
      why = 'needs root to mount a tmpfs'
      return
    }
    mount = mkdtempSync(join(tmpdir(), 'tokentool-full-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mount])
    } catch (e) {
      why = `mount -t tmpfs failed: ${(e as Error).message.split('\n')[0]}`
      mount = ''
      return
    }
    server = await startHttpServer((req, res, base) => {
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.url === '/.well-known/openid-configuration') {
        return json({ issuer: base, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`, response_types_supported: ['code'], grant_types_supported: ['refresh_token', 'client_credentials'] })
      }
      if (req.url === '/token') {
        // the server has rotated the refresh token: and now the disk is full
        if (fillOnToken) fill()
        return json({ access_token: 'at-new', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-rotated-2' })
      }
      res.writeHead(404).end()
    })
  })
  afterAll(async () => {
    await server?.close()
    unmount()
  })
  const skip = () => {
    if (why) console.warn(`DID NOT RUN: disk-full tests: ${why}`)
    return why !== ''
  }

  it('a write on a full disk: exit 2 naming ENOSPC, never 70, and no lock file (empty or not) left behind', async (ctx) => {
    if (skip()) return ctx.skip()
    const home = join(mount, 'home-a')
    mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
    chmodSync(home, 0o700)
    fill()
    const r = await runCli(['token', '--client-credentials', '--issuer', server.url, '--client-id', 'svc', '--client-secret', 'shh'], { env: { TOKENTOOL_HOME: home } })
    refused(r, 'token on a full disk', /ENOSPC \(no space left on device\)/)
    expect(readdirSync(join(home, 'tokens'))).toEqual([])
    expect(readdirSync(home).filter((f) => f.includes('lock') || f.endsWith('.tmp'))).toEqual([])
  })

  it('the disk fills after the server rotated the refresh token: says it was spent, keeps the previous store byte for byte', async (ctx) => {
    if (skip()) return ctx.skip()
    execFileSync('sh', ['-c', `rm -f ${mount}/filler-*`])
    const home = join(mount, 'home-b')
    mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
    chmodSync(home, 0o700)
    const config = { version: 1, profiles: { default: { issuer: server.url, clientId: 'cli', clientAuth: 'none' } } }
    writeFileSync(join(home, 'config.json'), JSON.stringify(config), { mode: 0o600 })
    const file = join(home, 'tokens', 'default.json')
    writeFileSync(file, JSON.stringify(TOKENS({ issuer: server.url })), { mode: 0o600 })
    const before = readFileSync(file)
    fillOnToken = true
    try {
      const r = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
      refused(r, 'refresh on a disk that fills', /rotated the refresh token of profile "default" but the new one could not be saved .*ENOSPC.*the old one is spent/)
      expect(r.stderr).toMatch(/sign in again: tokentool login --profile default/)
      expect(r.stdout).not.toContain('rt-rotated-2')
    } finally {
      fillOnToken = false
    }
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(readdirSync(join(home, 'tokens'))).toEqual(['default.json'])
  })
})
