/**
 * The bad-input corpus (test/fixtures/bad-input) through every command that takes that kind
 * of input, as a user runs them: one clear `tokentool:` line on stderr, the contract's exit
 * code, never a crash (exit 70) or a stack trace, and nothing sent for input refused locally.
 */
import { readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT } from 'jose'
import { FULL_PROGRAM, runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'

const DIR = fileURLToPath(new URL('../fixtures/bad-input/', import.meta.url))
const KEYS = fileURLToPath(new URL('../fixtures/keys/', import.meta.url))
const SECRET = readFileSync(join(DIR, 'hmac-secret.txt'), 'utf8').trim()
const files = (sub: string) => readdirSync(join(DIR, sub)).filter((f) => f.endsWith('.txt')).sort()
const lines = (name: string) => readFileSync(join(DIR, name), 'utf8').replace(/\n$/, '').split('\n')

/** Runs `jobs` two at a time: the machine has 2 cores shared with everyone. */
async function pool<T>(jobs: (() => Promise<T>)[], width = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length)
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++
        out[i] = await jobs[i]!()
      }
    }),
  )
  return out
}

/** A refusal as the contract wants it: one line, no stack, no "unexpected error". */
function oneCleanLine(r: CliResult, what: string): void {
  const errLines = r.stderr.trimEnd().split('\n')
  expect(errLines, `${what}: ${r.stderr}`).toHaveLength(1)
  expect(errLines[0], what).toMatch(/^tokentool: \S/)
  expect(r.stderr, what).not.toMatch(/unexpected error|\n\s+at |TypeError|RangeError/)
}

let sink: TinyServer
beforeAll(async () => {
  sink = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"active":false}')
  })
})
afterAll(async () => {
  await sink?.close()
})

/** Payload-only faults: verify checks the signature over the payload bytes and says that fails (exit 1). */
const STDIN_TOO = new Set(['empty.txt', 'oversized.txt', 'payload-deep-nesting.txt', 'payload-invalid-utf8.txt', 'nul-and-controls.txt'])
// Deep nesting is malformed in verify as in decode (exit 2): the same limit everywhere. A payload
// that is not JSON, or not even UTF-8, is still a well-formed JWS (RFC 7515 signs any bytes): the
// signature decides, and these are not signed (exit 1).
const VERIFY_EXIT_1 = new Set(['payload-truncated-json.txt', 'payload-invalid-utf8.txt'])

describe('malformed tokens (tokens/)', () => {
  it('decode (file and stdin) and verify refuse each with one line: exit 2 (verify: 1 when only the payload is bad)', { timeout: 120_000 }, async () => {
    const names = files('tokens')
    expect(names.length).toBeGreaterThanOrEqual(18)
    const jobs = names.flatMap((name) => {
      const path = join(DIR, 'tokens', name)
      return [
        async () => ({ name, cmd: 'decode --file', r: await runCli(['decode', '--file', path]) }),
        async () => ({ name, cmd: 'verify --secret', r: await runCli(['verify', '--secret', SECRET, '--file', path]) }),
        // stdin is read the same way for every token: a few shapes are enough there
        ...(STDIN_TOO.has(name) ? [async () => ({ name, cmd: 'decode <stdin', r: await runCli(['decode', '--json'], { input: readFileSync(path) }) })] : []),
      ]
    })
    for (const { name, cmd, r } of await pool(jobs)) {
      const what = `${cmd} ${name}`
      const expected = cmd.startsWith('verify') && VERIFY_EXIT_1.has(name) ? 1 : 2
      expect(r.code, `${what}: ${r.stderr}`).toBe(expected)
      // with --json the failure is a document on stdout (contract 0.2), else stdout stays empty
      if (cmd === 'decode <stdin') expect(JSON.parse(r.stdout).error, what).toMatchObject({ code: 'ERR_INPUT', exitCode: 2 })
      else if (cmd.startsWith('decode')) expect(r.stdout, what).toBe('')
      oneCleanLine(r, what)
    }
  })

  it('introspect, revoke and exchange refuse empty and oversized tokens before any request (exit 2)', { timeout: 60_000 }, async () => {
    const endpoints = ['--token-endpoint', `${sink.url}/token`, '--introspection-endpoint', `${sink.url}/introspect`, '--revocation-endpoint', `${sink.url}/revoke`, '--client-id', 'c']
    const jobs = ['empty.txt', 'blank.txt', 'oversized.txt'].flatMap((name) => {
      const path = join(DIR, 'tokens', name)
      return [
        () => runCli(['introspect', ...endpoints, '--file', path]),
        () => runCli(['introspect', ...endpoints, '-'], { input: readFileSync(path) }),
        () => runCli(['revoke', ...endpoints, '--file', path]),
        () => runCli(['exchange', ...endpoints, '--subject-token', `@${path}`]),
        // piped with no "-": still refused before any request
        ...(name === 'oversized.txt' ? [() => runCli(['introspect', ...endpoints], { input: readFileSync(path) })] : []),
      ]
    })
    for (const r of await pool(jobs)) {
      expect(r.code, r.stderr).toBe(2)
      oneCleanLine(r, r.stderr)
      expect(r.stderr).toMatch(/empty|over the 256 KiB limit/)
    }
    expect(sink.requests).toHaveLength(0)
  })
})

describe('hostile JOSE (jose/)', () => {
  it('decode shows each, unverified; verify refuses what must be refused and says why', { timeout: 60_000 }, async () => {
    const names = files('jose')
    const expectVerify: Record<string, [number, RegExp | null]> = {
      'alg-none.txt': [1, /alg "none" is never accepted/],
      'alg-none-uppercase.txt': [1, /alg "NONE" is never accepted/],
      'crit-unknown.txt': [1, /"crit" lists "urn:example:must-understand"/],
      'b64-false.txt': [0, null],
      // the header names a key location; the key is the one given, and the URL is never fetched
      'jku-header.txt': [0, null],
      'x5u-header.txt': [0, null],
      'key-confusion-hs256-with-public-pem.txt': [1, /signature does not match/],
      'payload-number-overflow.txt': [1, /"exp" is not a NumericDate/],
    }
    expect(names.sort()).toEqual(Object.keys(expectVerify).sort())
    const jobs = names.flatMap((name) => {
      const path = join(DIR, 'jose', name)
      return [
        async () => ({ name, cmd: 'decode', r: await runCli(['decode', '--file', path]) }),
        async () => ({ name, cmd: 'verify', r: await runCli(['verify', '--secret', SECRET, '--file', path]) }),
      ]
    })
    for (const { name, cmd, r } of await pool(jobs)) {
      if (cmd === 'decode') {
        expect(r.code, `${name}: ${r.stderr}`).toBe(0)
        expect(r.stdout).toContain('SIGNATURE NOT VERIFIED')
        continue
      }
      const [code, why] = expectVerify[name]!
      expect(r.code, `${name}: ${r.stderr}`).toBe(code)
      if (why) {
        oneCleanLine(r, name)
        expect(r.stderr).toMatch(why)
      }
    }
  })

  it('an RS256 public key never verifies an HS256 token keyed with its PEM (key confusion)', async () => {
    const r = await runCli(['verify', '--key', join(KEYS, 'cert-public.pem'), '--file', join(DIR, 'jose', 'key-confusion-hs256-with-public-pem.txt')])
    expect(r.code).toBe(1)
    oneCleanLine(r, 'key confusion')
    expect(r.stderr).toMatch(/a public key never verifies an HMAC token \(key-confusion attack\)/)
  })

  it('jku and x5u pointing at a live server are never fetched, whatever the key source', async () => {
    const key = new TextEncoder().encode(SECRET)
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256', jku: `${sink.url}/jku.json`, x5u: `${sink.url}/x5u.pem`, kid: 'k1' })
      .setExpirationTime('1h')
      .sign(key)
    const before = sink.requests.length
    const ok = await runCli(['verify', '--secret', SECRET, token])
    expect(ok.code, ok.stderr).toBe(0)
    const wrong = await runCli(['verify', '--secret', 'another-secret-of-enough-length-000', token])
    expect(wrong.code).toBe(1)
    const asKey = await runCli(['verify', '--key', join(KEYS, 'cert-public.pem'), token])
    expect(asKey.code).toBe(1)
    expect(sink.requests.slice(before)).toEqual([])
  })
})

describe('attacks/: the hostile-token corpus', () => {
  interface AttackCase {
    file: string
    key: 'secret' | 'rsa' | 'ec'
    decode: number
    verify: number
    why: string
  }
  const cases = JSON.parse(readFileSync(join(DIR, 'attacks', 'cases.json'), 'utf8')) as AttackCase[]
  const keyArgs: Record<AttackCase['key'], string[]> = {
    secret: ['--secret', SECRET],
    rsa: ['--key', join(KEYS, 'cert-public.pem')],
    ec: ['--jwks', join(DIR, 'attacks', 'ec-public.jwk.json')],
  }
  const verifyArgs = (c: AttackCase) => ['verify', '--now', '1800000000', ...keyArgs[c.key]]
  // raw ESC, BEL or a direction override from a token must never reach the terminal
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

  it('names every attack it runs: alg confusion, psychic signatures, embedded keys, kid injection, crit, b64, duplicates, huge numbers, nesting', () => {
    const names = cases.map((c) => c.file).join(' ')
    for (const family of ['confusion-', 'alg-none', 'psychic-', 'embedded-', 'kid-', 'crit-', 'b64-', 'duplicate-', 'exp-1e20', 'nested']) expect(names).toContain(family)
    expect(cases.length).toBeGreaterThanOrEqual(35)
  })

  it('decode and verify (table and --json) give each its exit code and reason, one clean line, no raw control character', { timeout: 180_000 }, async () => {
    const jobs = cases.flatMap((c) => {
      const path = join(DIR, 'attacks', c.file)
      return [
        async () => ({ c, cmd: 'decode', r: await runCli(['decode', '--file', path]) }),
        async () => ({ c, cmd: 'verify', r: await runCli([...verifyArgs(c), '--file', path]) }),
        async () => ({ c, cmd: 'verify --json', r: await runCli([...verifyArgs(c), '--json', '--file', path]) }),
      ]
    })
    for (const { c, cmd, r } of await pool(jobs)) {
      const what = `${cmd} ${c.file}`
      expect(r.code, `${what}: ${r.stderr}`).toBe(cmd === 'decode' ? c.decode : c.verify)
      expect(r.stdout + r.stderr, what).not.toMatch(RAW_CONTROL)
      expect(r.stderr, what).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
      if (r.code !== 0) expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('tokentool: warning:')), what).toHaveLength(1)
      if (cmd === 'verify') expect(r.stdout + r.stderr, what).toMatch(new RegExp(c.why))
      if (cmd === 'verify --json' && r.code !== 2) expect((JSON.parse(r.stdout) as { valid: boolean }).valid, what).toBe(c.verify === 0)
    }
  })

  it('verify --batch: every attack of a key source in one run, one result line each, in order, the run never stopped by one', { timeout: 60_000 }, async () => {
    for (const key of ['secret', 'rsa', 'ec'] as const) {
      const mine = cases.filter((c) => c.key === key)
      const input = mine.map((c) => readFileSync(join(DIR, 'attacks', c.file), 'utf8').trim()).join('\n') + '\n'
      const r = await runCli([...verifyArgs(mine[0]!), '--batch'], { input })
      expect(r.stderr, key).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
      expect(r.code, `${key}: ${r.stderr}`).toBe(mine.every((c) => c.verify === 0) ? 0 : 1)
      const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; valid: boolean })
      expect(out.map((o) => o.line), key).toEqual(mine.map((_, i) => i + 1))
      expect(out.map((o) => o.valid), key).toEqual(mine.map((c) => c.verify === 0))
      expect(r.stdout, key).not.toMatch(RAW_CONTROL)
    }
  })
})

describe('challenges, durations and windows', () => {
  it('cae decode: a broken WWW-Authenticate value is read with a warning, or refused with one line (exit 2) when no challenge can be read', { timeout: 60_000 }, async () => {
    const values = lines('www-authenticate.txt')
    // a NUL cannot be an argument: that value goes through stdin twice
    const asArg = (v: string) => (v.includes('\0') ? runCli(['cae', 'decode'], { input: v }) : runCli(['cae', 'decode', v]))
    const runs = await pool(values.flatMap((v) => [() => asArg(v), () => runCli(['cae', 'decode', '--json'], { input: v })]))
    let refused = 0
    for (const [i, r] of runs.entries()) {
      const what = JSON.stringify(values[i >> 1])
      if (r.code === 2) {
        refused++
        oneCleanLine(r, what)
        // --json: the error document on stdout (contract 0.2), else nothing
        if (i % 2 === 1) expect(JSON.parse(r.stdout).error).toMatchObject({ code: expect.stringMatching(/^ERR_(INPUT|USAGE)$/), exitCode: 2 })
        else expect(r.stdout).toBe('')
        continue
      }
      // never a silent success: what was broken is said, and no control character reaches the terminal
      expect(r.code, `${what}: ${r.stderr}`).toBe(0)
      expect(r.stdout).toMatch(/warning/)
      expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
      if (i % 2 === 1) expect(JSON.parse(r.stdout).challenges.some((c: { warnings: string[] }) => c.warnings.length > 0), what).toBe(true)
    }
    expect(refused).toBeGreaterThan(0)
  })

  it('a very long header is parsed, not choked on', async () => {
    const r = await runCli(['cae', 'decode', '--json', 'Bearer ' + Array.from({ length: 2000 }, (_, i) => `p${i}=v`).join(', ')])
    expect(r.code, r.stderr).toBe(0)
    expect(Object.keys(JSON.parse(r.stdout).challenges[0].params)).toHaveLength(2000)
  })

  it('simulate refuses every bad duration and window with one line naming the flag (exit 2)', { timeout: 60_000 }, async () => {
    const durations = lines('durations.txt')
    const windows = lines('windows.txt')
    const jobs = [
      ...durations.flatMap((d, i) => [['--access-ttl', d], [['--absolute', '--horizon', '--revoke-at'][i % 3]!, d]]),
      ...windows.map((w) => ['--active', w]),
    ]
    const runs = await pool(jobs.map((args) => () => runCli(['simulate', ...args])))
    for (const [i, r] of runs.entries()) {
      const [flag, value] = jobs[i]!
      expect(r.code, `${flag} ${JSON.stringify(value)}: ${r.stderr}`).toBe(2)
      oneCleanLine(r, `${flag} ${value}`)
      expect(r.stderr).toContain(flag!)
    }
  })
})

describe('files that never end (a device named where a file was meant)', () => {
  // read until memory ran out before (~600 MB, then "RangeError: Invalid string length"): now
  // read up to the input limit and refused in one line
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
  for (const [args, what] of [
    [['decode', '--file', '/dev/zero'], 'token file'],
    [['verify', jwt, '--jwks', '/dev/zero'], 'JWKS file'],
    [['verify', jwt, '--key', '/dev/urandom'], 'key file'],
    [['verify', jwt, '--secret', '@/dev/zero'], '--secret file'],
    [['sign', '--key', '/dev/zero', '--sub', 'x'], 'key file'],
    [['discover', '--issuer', 'https://127.0.0.1:9', '--cacert', '/dev/zero'], '--cacert'],
  ] as const) {
    it(`${args.join(' ')}: exit 2, "over 4 MiB"`, async () => {
      const r = await runCli([...args])
      expect(r.code).toBe(2)
      const path = args[args.length - 1] === 'x' ? '/dev/zero' : args[args.length - 1]!.replace(/^@/, '')
      expect(r.stderr).toBe(`tokentool: cannot read ${what} ${path}: it is over 4 MiB (no ${what} is this large)\n`)
    })
  }

  // the issuer of a server without discovery is its token endpoint's origin: taken apart before
  // the OAuth client checked it, `--token-endpoint null` was exit 70 (found by test/unit/argv-fuzz)
  it('an endpoint flag that is not an http(s) URL, or a profile whose saved endpoint is not: one line, exit 2, for every command that takes one', async () => {
    for (const command of ['token', 'refresh', 'exchange', 'introspect', 'revoke', 'userinfo', 'login']) {
      for (const [value, why] of [['null', 'is not a URL'], ['ftp://127.0.0.1/t', 'is not an http(s) URL'], ['http://example.com/t', 'must use https (http only for loopback)']] as const) {
        const r = await runCli([command, '--client-id', 'c', '--token-endpoint', value], { env: { TOKENTOOL_HOME: tempHome() } })
        expect(r.code, `${command} ${value}: ${r.stderr}`).toBe(2)
        expect(r.stderr).toBe(`tokentool: --token-endpoint ${why}: ${value}\n`)
      }
    }
    const home = tempHome()
    const { fileStore } = await import('../../src/store/store.js')
    await fileStore(home).saveSettings('default', { clientId: 'c', endpoints: { token_endpoint: 'null' } })
    for (const command of ['token', 'refresh', 'introspect']) {
      const r = await runCli([command, ...(command === 'introspect' ? ['x'] : [])], { env: { TOKENTOOL_HOME: home } })
      expect(r.code, `${command}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toBe('tokentool: the token_endpoint of profile "default" is not a URL: null\n')
    }
  })

  // a path that cannot be opened for a reason other than the usual three: the code and the
  // system's words (core/errno-words.ts), the same in the fast path, the full program and the store
  it('a file that cannot be opened (a link loop, a file as a directory, a name too long): the code and its words, exit 2', async () => {
    const dir = tempHome()
    symlinkSync(join(dir, 'b'), join(dir, 'a'))
    symlinkSync(join(dir, 'a'), join(dir, 'b'))
    const cases: [string, string][] = [
      [join(dir, 'a'), 'ELOOP (too many levels of symbolic links)'],
      ['/etc/passwd/x', 'ENOTDIR (a path component is not a directory)'],
      [join(dir, 'n'.repeat(300)), 'ENAMETOOLONG (the name is too long)'],
    ]
    for (const [path, why] of cases) {
      for (const bin of [undefined, FULL_PROGRAM]) {
        const r = await runCli(['decode', '--file', path], { bin })
        expect(r.code, r.stderr).toBe(2)
        expect(r.stderr).toBe(`tokentool: cannot read token file ${path}: ${why}\n`)
      }
      const k = await runCli(['verify', jwt, '--jwks', path])
      expect(k.code, k.stderr).toBe(2)
      expect(k.stderr).toBe(`tokentool: cannot read JWKS file ${path}: ${why}\n`)
    }
    // the store: TOKENTOOL_HOME itself a link loop
    const r = await runCli(['profiles'], { env: { TOKENTOOL_HOME: join(dir, 'a') } })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain(`: ELOOP (too many levels of symbolic links)`)
    oneCleanLine(r, 'store')
  })

  // the fast path (decode, verify --batch) and the full program (--timeout sends a decode there;
  // the other commands run nowhere else) both say it, whichever way the command reads stdin
  it('every command that reads stdin, with stdin a directory: exit 2, "stdin is a directory" (Node.js reads one as empty)', async () => {
    const key = join(KEYS, 'cert-public.pem')
    const runs = [
      ['decode'],
      ['decode', '-'],
      ['--timeout', '5', 'decode'],
      ['--timeout', '5', 'decode', '-'],
      ['verify', '--batch', '--key', key],
      ['--timeout', '5', 'verify', '--batch', '--key', key],
      ['explain'],
      ['cae', 'decode'],
      ['git-credential', 'get'],
      ['introspect', '--issuer', 'http://127.0.0.1:9', '--client-id', 'c', '-'],
      ['sign', '--payload', '-', '--key', join(KEYS, 'cert-key.pem')],
      ['verify', '-', '--key', key],
      ['call', '--data-binary', '@-', 'http://127.0.0.1:9/x'],
    ]
    for (const args of runs) {
      const r = await runCli(args, { prefix: ['sh', '-c', 'exec "$0" "$@" < /'] })
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toBe('tokentool: stdin is a directory: nothing can be read from it\n')
      expect(r.stdout).toBe('')
    }
  })

  // a request body may be larger than any token or key: its limit is call's own (32 MiB)
  it('call -d @/dev/zero and --data-binary @- from /dev/zero: exit 2, "over 32 MiB", before any request', async () => {
    for (const args of [['-d', '@/dev/zero'], ['--data-binary', '@/dev/zero']]) {
      const r = await runCli(['call', ...args, 'http://127.0.0.1:9/x'])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toBe('tokentool: cannot read the request body file /dev/zero: it is over 32 MiB (call sends request bodies up to 32 MiB)\n')
    }
    // stdin itself /dev/zero: the shell opens it, then runs node in its place
    const r = await runCli(['call', '--data-binary', '@-', 'http://127.0.0.1:9/x'], { prefix: ['sh', '-c', 'exec "$0" "$@" < /dev/zero'] })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toBe('tokentool: cannot read the request body from stdin: it is over 32 MiB (call sends request bodies up to 32 MiB)\n')
  }, 60_000)
})
