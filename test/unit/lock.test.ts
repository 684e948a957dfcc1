import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { withFileLock, withProfileLock } from '../../src/store/lock.js'
import { storePaths } from '../../src/store/paths.js'

// Children run the built module (npm run build first), as separate processes do for real.
const LOCK_JS = JSON.stringify(new URL('../../dist/store/lock.js', import.meta.url).href)
const tmpHome = () => join(mkdtempSync(join(tmpdir(), 'tokentool-lock-')), 'home')
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
})

function node(script: string): ChildProcess {
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(c)
  return c
}

function exited(c: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = ''
  c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) => c.once('close', (code) => resolve({ code, stderr })))
}

function printed(c: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes(word)) resolve()
    })
    c.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${word}`)))
  })
}

/** A child that increments counter.json under the profile lock, slowly enough to lose updates without it. */
function incrementer(home: string): ChildProcess {
  return node(`
    import { readFileSync, writeFileSync } from 'node:fs'
    const { withProfileLock } = await import(${LOCK_JS})
    const file = ${JSON.stringify(join(home, 'counter.json'))}
    await withProfileLock(${JSON.stringify(home)}, 'default', async () => {
      let n = 0
      try { n = JSON.parse(readFileSync(file, 'utf8')).n } catch {}
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10))
      writeFileSync(file, JSON.stringify({ n: n + 1 }))
    }, { timeoutMs: 60000 })
  `)
}

/** A child that takes the lock, says "held", and keeps it until killed (or for holdMs). */
function holder(home: string, holdMs = 1e9, opts = '{}'): ChildProcess {
  return node(`
    const { withProfileLock } = await import(${LOCK_JS})
    await withProfileLock(${JSON.stringify(home)}, 'default', async () => {
      process.stdout.write('held\\n')
      await new Promise((r) => setTimeout(r, ${holdMs}))
      process.stdout.write('releasing\\n')
    }, ${opts})
  `)
}

/** A holder SIGKILLed while it held the lock: its lock file stays behind. */
async function deadHolder(home: string): Promise<ChildProcess> {
  const h = holder(home)
  await printed(h, 'held')
  h.kill('SIGKILL')
  await exited(h)
  return h
}

const setup = () => {
  const dir = tmpHome()
  mkdirSync(dir, { recursive: true })
  return { dir, lock: join(dir, 'p.lock') }
}
const past = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000)
  utimesSync(file, t, t)
}

describe('withProfileLock across processes', () => {
  it('20 processes doing read-increment-write under the lock end with exactly 20', async () => {
    const home = tmpHome()
    mkdirSync(home, { recursive: true })
    const results = await Promise.all(Array.from({ length: 20 }, () => exited(incrementer(home))))
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0))
    expect(JSON.parse(readFileSync(join(home, 'counter.json'), 'utf8'))).toEqual({ n: 20 })
    expect(readdirSync(join(home, 'tokens'))).toEqual([]) // every lock released
  }, 60_000)

  it('a lock left by a SIGKILLed holder is broken by the next run, even with many waiters at once', async () => {
    const home = tmpHome()
    const h = await deadHolder(home)
    const lockFile = storePaths(home).lock('default')
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: h.pid, hostname: hostname() })
    mkdirSync(home, { recursive: true })
    const results = await Promise.all(Array.from({ length: 8 }, () => exited(incrementer(home))))
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0))
    expect(JSON.parse(readFileSync(join(home, 'counter.json'), 'utf8'))).toEqual({ n: 8 })
    expect(existsSync(lockFile)).toBe(false)
  }, 60_000)

  it('breaks a dead holder\'s lock in-process too, with a warning naming it', async () => {
    const home = tmpHome()
    const h = await deadHolder(home)
    const warnings: string[] = []
    const got = await withProfileLock(home, 'default', async () => 'ran', { timeoutMs: 10_000, warn: (m) => warnings.push(m) })
    expect(got).toBe('ran')
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^removed a stale lock .*default\\.lock \\(pid ${h.pid} on `))])
  })

  it('does not break the lock of a live holder that keeps it longer than the stale age (heartbeat)', async () => {
    const home = tmpHome()
    const h = holder(home, 3000, '{ staleMs: 1500 }')
    const released = new Promise<void>((resolve) => h.stdout!.on('data', (d: Buffer) => d.toString().includes('releasing') && resolve()))
    await printed(h, 'held')
    let sawRelease = false
    void released.then(() => (sawRelease = true))
    await withProfileLock(home, 'default', async () => {
      await released // ordering, not timing: the holder announced its release before we got in
      expect(sawRelease).toBe(true)
    }, { timeoutMs: 20_000, staleMs: 1500 })
  }, 30_000)

  it('gives up after the timeout with a StoreError naming the lock file and its holder', async () => {
    const home = tmpHome()
    const h = holder(home)
    await printed(h, 'held')
    const waits: string[] = []
    const err = await withProfileLock(home, 'default', async () => 'no', { timeoutMs: 300, onWait: (_info, path) => waits.push(path) }).catch((e: unknown) => e)
    const lockFile = storePaths(home).lock('default')
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).message).toContain(`waiting for lock ${lockFile} held by pid ${h.pid} on ${hostname()}`)
    expect((err as StoreError).message).toMatch(/, which is still running$/)
    expect((err as StoreError).hint).toMatch(/^wait for it to finish/)
    expect(waits).toEqual([lockFile])
  })
})

describe('a live holder is never broken, however old its lock', () => {
  it('a holder paused with SIGSTOP and a lock ten minutes old: waited for, then a clear error; after SIGCONT the waiter gets in', async () => {
    const home = tmpHome()
    const h = holder(home, 1500)
    await printed(h, 'held')
    const lockFile = storePaths(home).lock('default')
    h.kill('SIGSTOP')
    try {
      // as old as a suspended laptop's: 0.1.0 broke a lock by age alone after 5 minutes
      const old = new Date(Date.now() - 10 * 60_000)
      utimesSync(lockFile, old, old)
      const before = readFileSync(lockFile, 'utf8')
      const err = await withProfileLock(home, 'default', async () => 'no', { timeoutMs: 500, staleMs: 1000 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect((err as StoreError).message).toMatch(new RegExp(`held by pid ${h.pid} on .*, which is alive but stopped$`))
      expect((err as StoreError).hint).toMatch(new RegExp(`^resume it \\(kill -CONT ${h.pid}\\)`))
      expect(readFileSync(lockFile, 'utf8')).toBe(before) // not broken
    } finally {
      h.kill('SIGCONT')
    }
    const done = exited(h)
    expect(await withProfileLock(home, 'default', async () => 'in', { timeoutMs: 20_000, staleMs: 1000 })).toBe('in')
    expect((await done).code).toBe(0)
  }, 30_000)

  it('a holder killed with -9 is gone: its lock is broken at once, whatever its age', async () => {
    const home = tmpHome()
    await deadHolder(home)
    // a stale age of an hour: only the dead pid can let the waiter in before the timeout's StoreError
    expect(await withProfileLock(home, 'default', async () => 'in', { timeoutMs: 20_000, staleMs: 3_600_000 })).toBe('in')
  })

  it('a lock whose pid now belongs to a process started after it was taken (pid reuse) is stale', async () => {
    const { lock } = setup()
    const later = node('setTimeout(() => {}, 30000)')
    await new Promise((r) => setTimeout(r, 100))
    writeFileSync(lock, JSON.stringify({ pid: later.pid, hostname: hostname(), createdAt: new Date(Date.now() - 3_600_000).toISOString(), nonce: 'n' }))
    expect(await withFileLock(lock, async () => 'in', { timeoutMs: 2000 })).toBe('in')
  })

  it('a lock taken before this machine rebooted (another boot id) is stale even if its pid is alive again', async () => {
    const { lock } = setup()
    writeFileSync(lock, JSON.stringify({ pid: 1, hostname: hostname(), createdAt: new Date().toISOString(), nonce: 'n', bootId: '00000000-0000-0000-0000-000000000000' }))
    expect(await withFileLock(lock, async () => 'in', { timeoutMs: 2000 })).toBe('in')
  })

  it('a live holder of this boot is not stale however old (pid 1 is alive, and started before the lock)', async () => {
    const { lock } = setup()
    writeFileSync(lock, JSON.stringify({ pid: 1, hostname: hostname(), createdAt: new Date().toISOString(), nonce: 'n', bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() }))
    past(lock, 3600)
    await expect(withFileLock(lock, async () => 1, { timeoutMs: 300, staleMs: 1000 })).rejects.toThrow(/held by pid 1 on .*, which is still running/)
  })
})

describe('withFileLock edge cases (in-process)', () => {

  it('an empty lock file (holder died while creating it) is broken once it is a few seconds old, not before', async () => {
    const { lock } = setup()
    writeFileSync(lock, '')
    await expect(withFileLock(lock, async () => 1, { timeoutMs: 200 })).rejects.toThrow(StoreError)
    past(lock, 60)
    expect(await withFileLock(lock, async () => 2, { timeoutMs: 2000 })).toBe(2)
  })

  it('a lock from another host is waited for while fresh and broken once older than staleMs', async () => {
    const { lock } = setup()
    writeFileSync(lock, JSON.stringify({ pid: 1, hostname: 'elsewhere.example', createdAt: '2026-01-01T00:00:00Z', nonce: 'n' }))
    await expect(withFileLock(lock, async () => 1, { timeoutMs: 200, staleMs: 60_000 })).rejects.toThrow(/held by pid 1 on elsewhere\.example/)
    past(lock, 120)
    expect(await withFileLock(lock, async () => 2, { timeoutMs: 2000, staleMs: 60_000 })).toBe(2)
  })

  it('releases in finally when fn throws, and never removes a lock that is no longer its own', async () => {
    const { lock } = setup()
    await expect(withFileLock(lock, async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect(existsSync(lock)).toBe(false)
    const successor = JSON.stringify({ pid: 99999, hostname: 'elsewhere', createdAt: 'x', nonce: 'theirs' })
    await withFileLock(lock, async () => writeFileSync(lock, successor))
    expect(readFileSync(lock, 'utf8')).toBe(successor)
  })

  it('the lock file is created exclusively and records pid, host, time and a nonce', async () => {
    const { lock } = setup()
    await withFileLock(lock, async () => {
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual({ pid: process.pid, hostname: hostname(), createdAt: expect.stringMatching(/^\d{4}-/), nonce: expect.stringMatching(/^[0-9a-f]{24}$/), bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() })
    })
  })
})
