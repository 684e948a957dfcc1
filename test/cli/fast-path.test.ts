/**
 * The start-up fast path (src/cli/start.ts) and the full commander program give the same
 * answer to the same line: stdout, stderr and exit code, byte for byte. Each line runs through
 * bin/tokentool.cjs and through an entry without the fast path (FULL_PROGRAM); the module
 * report says which path bin took, so that both kinds of line are really compared.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CompactSign, exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { machineTokenKey } from '../../src/core/token-decision.js'
import { fileStore } from '../../src/store/store.js'
import { withAccessToken } from '../../src/store/tokens.js'
import { loaderImport, ownModulesLoaded } from '../helpers/loaded-packages.js'
import { FULL_PROGRAM, runCli, tempHome, type CliOptions } from '../helpers/run-cli.js'
import { b64, tamperSignature } from '../helpers/jwt-fixtures.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')
const ISSUER = 'https://login.example.invalid'
// no time claims: the two runs, a moment apart, print the same thing
const PLAIN = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${b64({ iss: ISSUER, sub: 'alice', aud: 'api', scope: 'read' })}.${b64('sig')}`
const TIMED = `${b64({ alg: 'RS256' })}.${b64({ sub: 'bob', exp: 1767229200, iat: 1767225600 })}.${b64('sig')}`
const BAD_HEADER = `${b64('not json')}.${b64({ sub: 'x' })}.${b64('sig')}`
const tokenArgs = ['--issuer', ISSUER, '--client-id', 'ci', '--client-secret', 's3cret', '--scope', 'deploy']

async function seededHome(expiresIn: number): Promise<string> {
  const home = tempHome()
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const key = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials', scope: 'deploy' })
  await fileStore(home).saveTokens('default', withAccessToken(undefined, { accessToken: PLAIN, tokenType: 'Bearer', expiresAt: at + expiresIn, scope: 'deploy', cacheKey: key, obtainedAt: at }, now))
  return home
}

const dir = mkdtempSync(join(tmpdir(), 'tokentool-fast-'))
const tokenFile = join(dir, 't.jwt')
writeFileSync(tokenFile, `Bearer ${PLAIN}\n`)
const homes: Record<string, string> = {}

/** The two runs are a moment apart: the clock's "now" and a cached token's expires_in may differ by a second. */
const timeless = (s: string): string =>
  s
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (t) => (Math.abs(Date.parse(t) - Date.now()) < 120_000 ? '<now>' : t))
    .replace(/"expires_in": \d+/g, '"expires_in": N')

/** Runs `args` both ways; returns the path bin took. */
async function bothWays(args: string[], opts: CliOptions = {}): Promise<'fast' | 'full'> {
  const viaBin = await runCli(args, { ...opts, env: { ...opts.env, NODE_OPTIONS: `--import=${loaderImport()}` } })
  const full = await runCli(args, { ...opts, bin: FULL_PROGRAM })
  const own = ownModulesLoaded(viaBin.stderr, ROOT)
  const report = /^(LOADED|MODULE|BUILTINS) .*\n/gm
  expect({ code: viaBin.code, stdout: timeless(viaBin.stdout), stderr: viaBin.stderr.replace(report, '') }).toEqual({ code: full.code, stdout: timeless(full.stdout), stderr: full.stderr })
  // verify --batch's worker threads load their own bundle on either path
  return own.some((m) => m.startsWith('dist/bundle/') && !m.startsWith('dist/bundle/verify-worker')) ? 'full' : 'fast'
}

describe('fast path and full program agree', () => {
  beforeAll(async () => {
    homes.cached = await seededHome(3600)
    homes.stale = await seededHome(30)
  })

  const fast: [string, string[], CliOptions?][] = [
    ['decode of an argument', ['decode', PLAIN]],
    ['--json', ['decode', '--json', PLAIN]],
    ['globals before and after, --now', ['--no-color', 'decode', TIMED, '--json', '--now', '2026-01-01T00:00:00Z']],
    ['--now=unix seconds', ['decode', `--now=1767225000`, TIMED]],
    ['-f FILE (Bearer stripped)', ['decode', '-f', tokenFile]],
    ['--file=FILE', ['--profile', 'ci', 'decode', `--file=${tokenFile}`, '--json']],
    ['a missing file: exit 2', ['decode', '--file', join(dir, 'missing.jwt')]],
    ['argument and --file: exit 2', ['decode', '--file', tokenFile, PLAIN]],
    ['a malformed header: exit 2', ['decode', BAD_HEADER]],
    ['a malformed header with --debug', ['--debug', 'decode', BAD_HEADER]],
    ['a malformed header with --json: the failure document', ['decode', '--json', BAD_HEADER]],
    ['"-" reads stdin', ['decode', '-'], { input: `${PLAIN}\n` }],
    ['piped stdin', ['decode', '--json'], { input: `Authorization: Bearer ${PLAIN}\n` }],
    ['empty stdin: exit 2', ['decode'], { input: '' }],
  ]
  it.each(fast)('decode: %s', async (_name, args, opts) => {
    expect(await bothWays(args, opts)).toBe('fast')
  })

  // bin picks a bundle by the first word naming a fast command; each bundle holds its own command
  // only, so a line whose command is another (the word was a flag's value) is the full program's
  it.each([
    ['a decode whose --profile is "token"', ['--profile', 'token', 'decode', PLAIN]],
    ['a decode whose --profile is "verify"', ['--profile', 'verify', 'decode', '--json', PLAIN]],
    ['a token whose --profile is "decode"', ['--profile', 'decode', 'token', ...tokenArgs]],
  ])('%s: the full program, with the same answer', async (_name, args) => {
    expect(await bothWays(args, { env: { TOKENTOOL_HOME: tempHome() } })).toBe('full')
  })

  // a cnf-bound token's key check opens the store (the profile's DPoP key), which the decode
  // bundle leaves to the full program (scripts/build.js): handed over, with what it read of stdin
  const BOUND = `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64({ iss: ISSUER, sub: 'alice', cnf: { jkt: 'aGVsbG8tdGh1bWJwcmludC1vZi1hLWtleS0xMjM0NTY' } })}.${b64('sig')}`
  it.each([
    ['an argument', ['decode', BOUND], {}],
    ['stdin', ['decode', '--json'], { input: `${BOUND}\n` }],
    ['"-" and a --profile that has no key', ['--profile', 'nobody', 'decode', '-'], { input: BOUND }],
  ] as [string, string[], CliOptions][])('decode of a cnf-bound token, from %s: handed over to the full program', async (_name, args, opts) => {
    expect(await bothWays(args, { ...opts, env: { TOKENTOOL_HOME: tempHome() } })).toBe('full')
  })

  it.each([
    ['the cached token', [] as string[]],
    ['--format env', ['--format', 'env']],
    ['--json', ['--json']],
    ['--format=json --min-ttl 10m', ['--format=json', '--min-ttl', '10m']],
  ])('token from the cache: %s', async (_name, extra) => {
    expect(await bothWays(['token', ...tokenArgs, ...extra], { env: { TOKENTOOL_HOME: homes.cached } })).toBe('fast')
  })

  it('token with nothing stored and no credential: the same exit 2, and --json document', async () => {
    expect(await bothWays(['token', '--issuer', ISSUER, '--client-id', 'ci'])).toBe('fast')
    expect(await bothWays(['--json', 'token', '--issuer', ISSUER, '--client-id', 'ci'])).toBe('fast')
  })

  it('a literal --client-secret: the same warning', async () => {
    expect(await bothWays(['token', ...tokenArgs], { env: { TOKENTOOL_HOME: homes.cached, TOKENTOOL_NO_ARGV_WARNING: undefined } })).toBe('fast')
  })

  it('token whose cached token is too close to expiry: handed over to the full program (network, exit 3)', async () => {
    expect(await bothWays(['token', ...tokenArgs], { env: { TOKENTOOL_HOME: homes.stale } })).toBe('full')
  })

  it.each([
    [['decode', '--help']],
    [['help', 'decode']],
    [['decode', '--bogus', PLAIN]],
    [['decode', PLAIN, 'extra']],
    [['decode', '--now', 'yesterday', PLAIN]],
    [['decode', '--file']],
    [['decode', '--', PLAIN]],
    [['token', '--format', 'yaml']],
    [['--version']],
  ])('%j: the full program answers (usage, help, version)', async (args) => {
    expect(await bothWays(args)).toBe('full')
  })

  describe('git-credential get (git\'s request on stdin)', () => {
    const ask = (host: string, protocol = 'https') => ({ input: `protocol=${protocol}\nhost=${host}\npath=team/repo.git\n\n`, env: { TOKENTOOL_HOME: homes.git } })
    beforeAll(async () => {
      homes.git = tempHome()
      const store = fileStore(homes.git)
      const now = new Date()
      const at = Math.floor(now.getTime() / 1000)
      const key = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials' })
      for (const [profile, host, expiresIn] of [['ci', 'git.example.com', 3600], ['stale', 'stale.example.com', 30]] as const) {
        await store.saveSettings(profile, { issuer: ISSUER, clientId: 'ci', clientSecret: 's3cret', gitHosts: [host] })
        await store.saveTokens(profile, withAccessToken(undefined, { accessToken: `${profile}-token`, tokenType: 'Bearer', expiresAt: at + expiresIn, cacheKey: key, obtainedAt: at }, now))
      }
    })

    it.each([
      ['the cached token of the profile that saved the host', ['git-credential', 'get'], 'git.example.com'],
      ['--profile and --username', ['--profile', 'ci', 'git-credential', 'get', '--username', 'me'], 'git.example.com'],
      ['a host no profile answers: no answer', ['git-credential', 'get'], 'elsewhere.example.com'],
      ['--host for another server: no answer', ['git-credential', 'get', '--host', 'other.example.com'], 'git.example.com'],
    ])('%s', async (_name, args, host) => {
      expect(await bothWays(args, ask(host))).toBe('fast')
    })

    it('plain http to another machine: the same refusal', async () => {
      expect(await bothWays(['git-credential', 'get'], ask('git.example.com', 'http'))).toBe('fast')
    })

    it('a cached token too close to expiry: handed over with the request it read (the full program refreshes: network, exit 3)', async () => {
      expect(await bothWays(['git-credential', 'get'], ask('stale.example.com'))).toBe('full')
    })

    it('store and erase: the full program', async () => {
      expect(await bothWays(['git-credential', 'store'], ask('git.example.com'))).toBe('full')
    })
  })

  it('TOKENTOOL_TIMEOUT=bogus: the full program refuses it for decode too', async () => {
    expect(await bothWays(['decode', PLAIN], { env: { TOKENTOOL_TIMEOUT: 'bogus' } })).toBe('full')
  })

  describe('verify --batch (tokens on stdin)', () => {
    const NOW = '2026-06-01T00:00:00Z'
    const at = Date.parse(NOW) / 1000
    const files: Record<string, string> = {}
    let input = ''
    beforeAll(async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1' }
      files.jwks = join(dir, 'jwks.json')
      writeFileSync(files.jwks, JSON.stringify({ keys: [jwk] }))
      // a set that warns: two keys share a kid
      files.twins = join(dir, 'twins.json')
      writeFileSync(files.twins, JSON.stringify({ keys: [jwk, { ...jwk }] }))
      files.pem = join(dir, 'pub.pem')
      const { createPublicKey } = await import('node:crypto')
      writeFileSync(files.pem, createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }))
      const sign = (claims: object) => new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey)
      const tokens = [
        await sign({ iss: ISSUER, aud: 'api', exp: at + 600, sub: 'a' }),
        await sign({ iss: ISSUER, aud: 'web', exp: at - 7200 }),
        'garbage',
        `Bearer ${await sign({ iss: 'https://other.invalid', scope: 'read' })}`,
        // a changed signature: node:crypto does not confirm it, jose says why (loaded lazily)
        tamperSignature(await sign({ iss: ISSUER })),
        '',
        BAD_HEADER,
      ]
      input = tokens.join('\n') + '\n'
    })

    it.each([
      ['--jwks FILE', ['verify', '--batch', '--jwks', 'JWKS', '--now', NOW]],
      ['--key FILE and every check flag', ['verify', '--batch', '--key=PEM', '--iss', ISSUER, '--aud', 'api', '--aud', 'web', '--alg', 'ES256', '--clock-skew', '5m', '--scope', 'read', '--claim', 'sub="a"', '--sub', 'a', '--typ', 'JWT', '--max-age', '1h', '--now', NOW]],
      ['globals around it', ['--json', '--no-color', 'verify', '--jwks', 'JWKS', '--batch', '--now', NOW, '-v']],
      ['a key set that warns (duplicate kid)', ['verify', '--batch', '--jwks', 'TWINS', '--now', NOW]],
      ['--secret from the environment', ['verify', '--batch', '--secret', 'env:TT_SECRET', '--now', NOW]],
      ['a literal --secret: the argv warning too', ['verify', '--batch', '--secret', 'a-secret-of-enough-length-32-byte', '--now', NOW]],
      ['a missing key file: exit 2', ['verify', '--batch', '--jwks', join(dir, 'missing.json')]],
      ['a bad --clock-skew: exit 2', ['verify', '--batch', '--jwks', 'JWKS', '--clock-skew', 'soon']],
      ['an --alg the key cannot use: exit 2', ['verify', '--batch', '--key', 'PEM', '--alg', 'RS256']],
      ['--alg none: exit 2', ['verify', '--batch', '--jwks', 'JWKS', '--alg', 'none']],
      ['two key sources: exit 2', ['verify', '--batch', '--jwks', 'JWKS', '--key', 'PEM']],
    ])('%s: on the fast path, as the full program answers', async (_name, args) => {
      const line = args.map((a) => (a === 'JWKS' ? files.jwks! : a === 'TWINS' ? files.twins! : a === 'PEM' ? files.pem! : a.replace('=PEM', `=${files.pem}`)))
      expect(await bothWays(line, { input, env: { TT_SECRET: 'a-secret-of-enough-length-32-byte', TOKENTOOL_NO_ARGV_WARNING: undefined } })).toBe('fast')
    })

    it('a reader that stops early (`| head -c 100`): exit 0 and nothing on stderr, on both paths', () => {
      // a real pipe, as a shell makes it (a Node.js parent's 'pipe' is a socket, which fails otherwise)
      const tokensFile = join(dir, 'many.txt')
      writeFileSync(tokensFile, input.repeat(400)) // ~3,000 tokens: far more than the pipe holds
      for (const bin of [join(ROOT, 'bin', 'tokentool.cjs'), FULL_PROGRAM]) {
        const line = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} verify --batch --jwks ${JSON.stringify(files.jwks!)} --now ${NOW} < ${JSON.stringify(tokensFile)} | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}"`
        const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
        expect({ bin, out: r.stdout, err: r.stderr }).toEqual({ bin, out: 'exit 0\n', err: '' })
      }
    })

    it('on one core (no worker pool, jose loaded on this thread): the same, on the fast path', async () => {
      // taskset (util-linux, in every Debian) pins the run to one CPU: availableParallelism() is 1
      for (const args of [['verify', '--batch', '--jwks', files.jwks!, '--now', NOW], ['verify', '--batch', '--secret', 'env:TT_SECRET', '--iss', ISSUER, '--now', NOW]]) {
        expect(await bothWays(args, { input, prefix: ['taskset', '-c', '0'], env: { TT_SECRET: 'a-secret-of-enough-length-32-byte' } })).toBe('fast')
      }
    })

    it.each([
      ['a JWKS URL (fetched)', ['verify', '--batch', '--jwks', 'http://127.0.0.1:1/jwks']],
      ['--issuer (discovery)', ['verify', '--batch', '--issuer', 'http://127.0.0.1:1']],
      ['a token argument', ['verify', '--batch', '--jwks', 'JWKS', 'extra']],
      ['without --batch', ['verify', '--jwks', 'JWKS']],
    ])('%s: the full program', async (_name, args) => {
      const line = args.map((a) => (a === 'JWKS' ? files.jwks! : a))
      expect(await bothWays(line, { input })).toBe('full')
    })
  })
})
