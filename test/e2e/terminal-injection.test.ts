/**
 * No byte from a token or a server drives the terminal. The corpus of
 * test/fixtures/terminal-injection (CSI, OSC 52, OSC 8, BEL, C1, U+202E, very long lines) is
 * placed in every field a command shows — a token's kid, crit, iss, sub and claims; a
 * server's scopes_supported, grant types, JWKS kids and error_description (which also quotes
 * the request's secrets) — and the raw bytes of stdout and stderr are searched for any
 * control, C1 or direction character. The same holds in-process on a terminal (where the
 * views escape what they show; no stream filter is involved), also as a property over any
 * string in any claim or header field. With -v and --debug, no secret of the run appears in
 * any encoding either.
 */
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { encodings, formEncode } from '../../src/core/secret-values.js'
import { runCli, type CliResult } from '../helpers/run-cli.js'
import { testDeps } from '../helpers/test-io.js'
import { HOSTILE, startFaultServers, type FaultServers } from './fault-servers.js'

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

const KEY = 'terminal-injection-test-key-0123456789abcdef'
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
function hs256(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(payload)}`
  return `${input}.${createHmac('sha256', KEY).update(input).digest('base64url')}`
}

function clean(r: { stdout: string; stderr: string }, what: string): void {
  const o = UNSAFE.exec(r.stdout)
  const e = UNSAFE.exec(r.stderr)
  expect(o ? `stdout U+${o[0].charCodeAt(0).toString(16)} at ${o.index}: ${JSON.stringify(r.stdout.slice(Math.max(0, o.index - 40), o.index + 10))}` : null, what).toBeNull()
  expect(e ? `stderr U+${e[0].charCodeAt(0).toString(16)} at ${e.index}: ${JSON.stringify(r.stderr.slice(Math.max(0, e.index - 40), e.index + 10))}` : null, what).toBeNull()
}

const NOW = Math.floor(Date.now() / 1000)
const tokenWith = (s: string) => hs256({ kid: s, crit: [s] , [s]: 1 }, { iss: s, sub: s, aud: s, name: s, exp: NOW + 3600, iat: NOW, nested: { [s]: [s] } })

describe('the corpus in a token', () => {
  it.each(HOSTILE.map((s, i) => [i, s] as const))('decode and verify show corpus string %i escaped (human and --json)', async (_i, s) => {
    const t = tokenWith(s)
    // on stdin: the very long line makes a token larger than argv may be
    for (const args of [['decode', '-'], ['--json', 'decode', '-'], ['verify', '--secret', KEY, '--alg', 'HS256', '-'], ['--json', 'verify', '--secret', KEY, '--alg', 'HS256', '-'], ['verify', '--secret', KEY, '--alg', 'HS256', '--iss', 'someone-else', '--aud', 'x', '-']]) {
      const r = await runCli(args, { input: t })
      expect(r.code, r.stderr).not.toBe(70)
      clean(r, args.slice(0, 2).join(' '))
    }
  })

  it('usage errors that echo argv escape it', async () => {
    for (const s of HOSTILE.slice(0, 6)) {
      for (const args of [[`frobnicate${s}`], ['decode', `--bogus${s}`], ['simulate', '--absolute', s], ['verify', '--alg', s, '--secret', KEY, tokenWith('x')]]) {
        const r = await runCli(args)
        expect(r.code, r.stderr).toBe(2)
        clean(r, args.join(' '))
      }
    }
  })
})

describe('the corpus from a hostile server', () => {
  let f: FaultServers
  beforeAll(async () => {
    f = await startFaultServers()
  })
  afterAll(async () => {
    await f?.close()
  })
  const SECRET = 'hostile-test-secret/+= 0123456789'
  const env = () => ({ S: SECRET })
  const secretForms = [...encodings(SECRET), Buffer.from(`ci:${formEncode(SECRET)}`).toString('base64'), Buffer.from(`ci:${SECRET}`).toString('base64')]

  const runs = (issuer: string): string[][] => [
    ['discover', '--issuer', issuer],
    ['--json', 'discover', '--issuer', issuer],
    ['token', '--client-credentials', '--issuer', issuer, '--client-id', 'ci', '--client-secret', 'env:S'],
    ['--json', 'token', '--client-credentials', '--issuer', issuer, '--client-id', 'ci', '--client-secret', 'env:S', '--client-auth', 'post'],
    ['introspect', '--issuer', issuer, '--client-id', 'ci', '--client-secret', 'env:S', 'some-opaque-token-0123456789'],
    ['revoke', '--issuer', issuer, '--client-id', 'ci', '--client-secret', 'env:S', 'some-opaque-token-0123456789'],
    ['userinfo', '--issuer', issuer, '--client-id', 'ci', 'some-opaque-token-0123456789'],
    ['verify', '--issuer', issuer, tokenWith(HOSTILE[1]!)],
  ]

  it('every command that shows server text: no escape byte, error text cut, and no secret echoed (plain, -v, --debug)', { timeout: 300_000 }, async () => {
    const issuer = f.issuer('hostile')
    const results: [string, CliResult][] = []
    for (const args of runs(issuer)) {
      for (const extra of [[], ['-v'], ['--debug']]) {
        const r = await runCli([...extra, ...args], { env: env(), timeoutMs: 30_000 })
        results.push([[...extra, ...args.slice(0, 2)].join(' '), r])
      }
    }
    for (const [what, r] of results) {
      expect(r.code, `${what}: ${r.stderr.slice(0, 300)}`).not.toBe(70)
      clean(r, what)
      for (const form of secretForms) {
        expect(r.stderr.includes(form), `${what}: stderr has the secret as ${form}`).toBe(false)
        expect(r.stdout.includes(form), `${what}: stdout has the secret as ${form}`).toBe(false)
      }
    }
    // the error line quoting the 2000 clear-screens and the long line is cut, not printed whole
    const tok = results.find(([w]) => w === 'token --client-credentials')![1]
    expect(tok.code).toBe(4)
    const line = tok.stderr.split('\n').find((l) => l.startsWith('tokentool: invalid_client'))!
    expect(line.length).toBeLessThan(2000)
    expect(line).toMatch(/more characters\)/)
    // the server did receive the secret (the test would prove nothing otherwise)
    expect(f.log.some((e) => e.body.includes(formEncode(SECRET)) || JSON.stringify(e.headers).includes(Buffer.from(`ci:${formEncode(SECRET)}`).toString('base64')))).toBe(true)
  })
})

describe('on a terminal, in-process (the views escape; no stream filter is involved)', () => {
  const tty = () => testDeps({ env: { NO_COLOR: '1' } }, { stdoutIsTTY: true, stderrIsTTY: true })
  const run = async (argv: string[]) => {
    const t = tty()
    const code = await main(argv, t.deps)
    return { code, stdout: t.stdout(), stderr: t.stderr() }
  }

  it.each(HOSTILE.map((s, i) => [i, s] as const))('corpus string %i in decode and verify', async (_i, s) => {
    const t = tokenWith(s)
    for (const argv of [['decode', t], ['verify', '--secret', KEY, '--alg', 'HS256', '--iss', 'other', t], ['--json', 'verify', '--secret', KEY, '--alg', 'HS256', t]]) clean(await run(argv), argv[0]!)
  })

  it('property: any string in any claim or header field never starts an escape in decode or verify', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('kid', 'crit', 'iss', 'sub', 'claim', 'typ'), async (s, where) => {
        const header: Record<string, unknown> = where === 'kid' ? { kid: s } : where === 'crit' ? { crit: [s] } : where === 'typ' ? { typ: s } : {}
        const payload: Record<string, unknown> = { exp: NOW + 60, ...(where === 'iss' ? { iss: s } : where === 'sub' ? { sub: s } : where === 'claim' ? { [s]: s } : {}) }
        const t = hs256(header, payload)
        for (const argv of [['decode', t], ['verify', '--secret', KEY, '--alg', 'HS256', t]]) {
          const r = await run(argv)
          expect(UNSAFE.test(r.stdout) || UNSAFE.test(r.stderr), `${argv[0]} ${where}=${JSON.stringify(s)}: ${JSON.stringify(r.stdout + r.stderr)}`).toBe(false)
        }
      }),
      { numRuns: 60 },
    )
  })
})
