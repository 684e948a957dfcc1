/**
 * stdout that refuses the output (a full disk: /dev/full answers every write with ENOSPC) fails
 * the run with one line on stderr and exit 2, on the start-up fast path and in the full program
 * alike: never a success whose output was lost (`keygen > key.json` leaving an empty file and
 * exit 0, as 0.2's first builds did), never "unexpected error … this is a bug" (exit 70).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

// bash points the run's stdout at /dev/full, then execs node
const TO_FULL_DISK = ['bash', '-c', 'exec "$@" > /dev/full', 'bash']
const LINE = 'tokentool: cannot write to stdout: ENOSPC (no space left on device)'

let jwt = ''
let jwksFile = ''
beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const exp = Math.floor(Date.now() / 1000) + 3600
  jwt = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('https://issuer.test').setExpirationTime(exp).sign(privateKey)
  jwksFile = join(mkdtempSync(join(tmpdir(), 'tokentool-full-')), 'jwks.json')
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] }))
})

describe('a full disk on stdout', () => {
  it('decode (the start-up fast path): one line, exit 2', async () => {
    const r = await runCli(['decode', jwt], { prefix: TO_FULL_DISK })
    expect(r.stderr).toBe(`${LINE}\n`)
    expect(r.code).toBe(2)
  })

  it('decode --json: the same line, and no failure document tried on the stdout that failed', async () => {
    const r = await runCli(['decode', '--json', jwt], { prefix: TO_FULL_DISK })
    expect(r.stderr).toBe(`${LINE}\n`)
    expect(r.code).toBe(2)
  })

  it('keygen (the full program, whose stdout reports the failure after the write): exit 2, not a silent success', async () => {
    const r = await runCli(['keygen', '--alg', 'ES256'], { prefix: TO_FULL_DISK })
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(LINE)
    expect(r.stderr).not.toMatch(/unexpected error|this is a bug|at .*\.js:\d+/)
    expect(r.code).toBe(2)
  })

  it('--help: exit 2', async () => {
    const r = await runCli(['--help'], { prefix: TO_FULL_DISK })
    expect(r.stderr).toBe(`${LINE}\n`)
    expect(r.code).toBe(2)
  })

  it('verify --batch on its worker pool: exit 2 (not 0, not 1 for tokens that all verify)', async () => {
    const r = await runCli(['verify', '--batch', '--jwks', jwksFile], { prefix: TO_FULL_DISK, input: `${jwt}\n`.repeat(600) })
    expect(r.stderr).toBe(`${LINE}\n`)
    expect(r.code).toBe(2)
  })

  it('the same runs with a writable stdout succeed (the failure above is the disk, not the command)', async () => {
    for (const args of [['decode', jwt], ['keygen', '--alg', 'ES256'], ['--help']]) {
      const r = await runCli(args)
      expect(r.code).toBe(0)
      expect(r.stdout.length).toBeGreaterThan(0)
    }
    const batch = await runCli(['verify', '--batch', '--jwks', jwksFile], { input: `${jwt}\n`.repeat(600) })
    expect(batch.code).toBe(0)
    expect(batch.stdout.trimEnd().split('\n')).toHaveLength(600)
  })
})
