/**
 * Times no clock can show and JSON nested deeper than the limit, through every command that
 * reads them, as a user runs them: never exit 70, never a stack trace. A time claim of 1e20,
 * -1e20 or 9007199254740993 fails its check in `verify` (exit 1) and is named in `decode`
 * (exit 0, a warning); `--batch` reports each line and goes on; `--now` beyond the Date range is
 * a usage error; a server's `expires_in: 1e20` is stored clamped, and a store file that already
 * holds such a time (tokentool 0.1.0 kept it) still lists and shows.
 */
import { createHmac } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'

const SECRET = 'hostile-times-hmac-secret-0123456789abcdef'
const NOW = 1_800_000_000
const b64 = (v: string) => Buffer.from(v).toString('base64url')
/** An HS256 token over the payload text exactly as given (so `1e20` stays `1e20`). */
const hs = (payloadText: string, header = '{"alg":"HS256","typ":"JWT"}') => {
  const input = `${b64(header)}.${b64(payloadText)}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}
const VALUES = ['1e20', '-1e20', '9007199254740993']
const CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const
const verify = (args: string[], input?: string) => runCli(['verify', '--secret', SECRET, '--now', String(NOW), ...args], input === undefined ? {} : { input })

function noCrash(r: CliResult, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).not.toBe(70)
  expect(r.stderr, what).not.toMatch(/unexpected error|this is a bug|\n\s+at |RangeError|Invalid time value/)
}

describe('time claims outside the Date range', () => {
  for (const claim of CLAIMS) {
    for (const value of VALUES) {
      const token = hs(`{"sub":"alice","${claim}":${value}}`)
      const extra = claim === 'auth_time' ? ['--max-age', '1h'] : []
      const row = claim === 'auth_time' ? 'max-age' : claim

      it(`verify: ${claim} ${value} is a failed check (exit 1), in the checklist and in --json`, async () => {
        const human = await verify([...extra, token])
        noCrash(human, `verify ${claim}=${value}`)
        expect(human.code).toBe(1)
        expect(human.stdout).toMatch(new RegExp(`FAIL\\s+${row}\\s+"${claim}" is -?\\d+: not a time`))
        expect(human.stderr.trim().split('\n')).toHaveLength(1)

        const json = await verify([...extra, '--json', token])
        noCrash(json, `verify --json ${claim}=${value}`)
        expect(json.code).toBe(1)
        const doc = JSON.parse(json.stdout) as { valid: boolean; checks: { name: string; ok: boolean; detail: string }[] }
        expect(doc.valid).toBe(false)
        const c = doc.checks.find((x) => x.name === row)!
        expect(c.ok).toBe(false)
        expect(c.detail).toMatch(/not a time/)
        // the signature itself was fine: only the time is at fault
        expect(doc.checks.find((x) => x.name === 'signature')!.ok).toBe(true)
      })

      it(`decode: ${claim} ${value} is shown and named out of range (exit 0)`, async () => {
        const r = await runCli(['decode', '--json', '--now', String(NOW), token])
        noCrash(r, `decode ${claim}=${value}`)
        expect(r.code).toBe(0)
        const doc = JSON.parse(r.stdout) as { times: { claims: Record<string, { state: string }> }; warnings: { code: string }[] }
        expect(doc.times.claims[claim]!.state).toBe('invalid')
        expect(doc.warnings.map((w) => w.code)).toContain('time_invalid')
        const human = await runCli(['decode', '--now', String(NOW), token])
        noCrash(human, `decode (table) ${claim}=${value}`)
        expect(human.code).toBe(0)
        expect(human.stdout).toMatch(/out of range/)
      })
    }
  }

  it('verify --batch: a line with an impossible time is a failed result, the lines around it still verify', async () => {
    const good = hs('{"sub":"alice","exp":1900000000}')
    const lines = [good, hs('{"sub":"b","exp":1e20}'), good, hs('{"sub":"c","iat":-1e20}'), hs('{"sub":"d","nbf":9007199254740993}'), good]
    const r = await verify(['--batch'], lines.join('\n') + '\n')
    noCrash(r, 'verify --batch')
    expect(r.code).toBe(1)
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; valid: boolean; checks?: { name: string; ok: boolean; detail: string }[] })
    expect(out.map((o) => [o.line, o.valid])).toEqual([[1, true], [2, false], [3, true], [4, false], [5, false], [6, true]])
    expect(out[1]!.checks!.find((c) => c.name === 'exp')!.detail).toMatch(/not a time/)
    expect(r.stderr).toMatch(/^tokentool: 3 of 6 tokens failed verification\n$/)
  })

  it('--now beyond the Date range is a usage error (exit 2) in verify, decode and sign', async () => {
    const token = hs('{"sub":"alice"}')
    for (const args of [
      ['verify', '--secret', SECRET, '--now', '99999999999999999999', token],
      ['decode', '--now', '99999999999999999999', token],
      ['sign', '--secret', SECRET, '--alg', 'HS256', '--now', '99999999999999999999'],
    ]) {
      const r = await runCli(args)
      noCrash(r, args.join(' '))
      expect(r.code, args[0]).toBe(2)
      expect(r.stderr).toMatch(/^tokentool: --now: 99999999999999999999 seconds is beyond any date/)
    }
  })
})

describe('nesting: the limit decode applies holds in verify too', () => {
  const deep = (n: number) => `{"sub":"alice","a":${'['.repeat(n)}${']'.repeat(n)}}`

  it('verify and verify --json on a validly signed claim nested 5,000 deep: malformed (exit 2), one line, no stack overflow', async () => {
    const token = hs(deep(5000))
    for (const args of [[token], ['--json', token]]) {
      const r = await verify(args)
      noCrash(r, `verify ${args.length > 1 ? '--json' : ''}`)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^tokentool: segment 2 \(payload\) is nested more than 64 levels deep\n/)
      const d = await runCli(['decode', token])
      expect(d.code).toBe(2)
      expect(d.stderr).toMatch(/nested more than 64 levels deep/)
    }
  })

  it('63 levels still verify (the limit is a bound, not a ban on nesting)', async () => {
    const r = await verify(['--json', hs(deep(63))])
    noCrash(r, 'verify 63 deep')
    expect(r.code).toBe(0)
  })

  it('verify --batch: a deep line is an error line, the run goes on', async () => {
    const good = hs('{"sub":"alice"}')
    const r = await verify(['--batch'], [good, hs(deep(5000)), good].join('\n'))
    noCrash(r, 'batch deep')
    expect(r.code).toBe(1)
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; valid: boolean; error?: string })
    expect(out.map((o) => o.valid)).toEqual([true, false, true])
    expect(out[1]!.error).toMatch(/nested more than 64 levels/)
  })
})

describe('nesting: JSON from a server is held to the same limit', () => {
  let server: TinyServer
  const deep = (n: number) => `{"active":true,"a":${'['.repeat(n)}${']'.repeat(n)}}`
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      if (req.url === '/jwks') return res.end(`{"keys":${'['.repeat(5000)}${']'.repeat(5000)}}`)
      res.end(req.url === '/shallow' ? deep(10) : deep(5000))
    })
  })
  afterAll(async () => {
    await server?.close()
  })
  const introspect = (path: string, json: boolean) =>
    runCli(['introspect', ...(json ? ['--json'] : []), '--introspection-endpoint', `${server.url}${path}`, '--token-endpoint', `${server.url}/token`, '--client-id', 'c', '--client-secret', 'env:S', 'opaque-token-1'], { env: { S: 's' } })

  it('introspect (table and --json) and verify --jwks: a response nested 5,000 deep is a malformed server response (exit 3), one line', async () => {
    for (const r of [await introspect('/introspect', false), await introspect('/introspect', true), await runCli(['verify', '--jwks', `${server.url}/jwks`, hs('{"sub":"a"}')])]) {
      noCrash(r, 'deep server JSON')
      expect(r.code, r.stderr).toBe(3)
      expect(r.stderr).toMatch(/sent JSON nested more than 64 levels deep: not a response tokentool reads\n$/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('a response nested 12 deep is read as usual', async () => {
    const r = await introspect('/shallow', true)
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).active).toBe(true)
  })
})

describe('a server that says expires_in: 1e20', () => {
  let server: TinyServer
  beforeAll(async () => {
    server = await startHttpServer((req, res, base) => {
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(typeof body === 'string' ? body : JSON.stringify(body))
      }
      if (req.url === '/.well-known/openid-configuration') {
        return json({ issuer: base, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`, response_types_supported: ['code'], grant_types_supported: ['client_credentials'] })
      }
      if (req.url === '/token') return json('{"access_token":"opaque-at-1","token_type":"Bearer","expires_in":1e20}')
      res.writeHead(404).end()
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('is stored clamped to ten years; token, profiles list and show keep working', async () => {
    const home = tempHome()
    const env = { TOKENTOOL_HOME: home }
    const got = await runCli(['token', '--client-credentials', '--issuer', server.url, '--client-id', 'svc', '--client-secret', 'shh'], { env })
    noCrash(got, 'token')
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout).toBe('opaque-at-1\n')
    const stored = JSON.parse(readFileSync(join(home, 'tokens', 'default.json'), 'utf8')) as { accessTokens: Record<string, { expiresAt: number; obtainedAt: number }> }
    const entry = Object.values(stored.accessTokens)[0]!
    expect(entry.expiresAt - entry.obtainedAt).toBeGreaterThan(3640 * 86400)
    expect(entry.expiresAt - entry.obtainedAt).toBeLessThanOrEqual(3650 * 86400 + 1)
    for (const args of [['profiles', 'list'], ['profiles', 'list', '--json'], ['profiles', 'show', 'default'], ['profiles', 'show', 'default', '--json']]) {
      const r = await runCli(args, { env })
      noCrash(r, args.join(' '))
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    }
    // served from the cache, not asked again
    const before = server.requests.filter((q) => q.url === '/token').length
    const again = await runCli(['token', '--client-credentials', '--issuer', server.url, '--client-id', 'svc', '--client-secret', 'shh'], { env })
    expect(again.stdout).toBe('opaque-at-1\n')
    expect(server.requests.filter((q) => q.url === '/token').length).toBe(before)
  })

  it('a store file that already holds expiresAt 1e20 (as 0.1.0 wrote it) lists and shows, keeping its refresh token', async () => {
    const home = tempHome()
    mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
    const file = join(home, 'tokens', 'default.json')
    const tokens = {
      version: 1,
      issuer: 'https://issuer.example',
      clientId: 'cli',
      accessTokens: { k: { accessToken: 'at-x', tokenType: 'Bearer', cacheKey: 'k', expiresAt: 1e20, obtainedAt: 1_700_000_000 } },
      refreshToken: { value: 'rt-keep-me', obtainedAt: -1e20, expiresAt: 9007199254740993 },
      idToken: { value: 'a.b.c', obtainedAt: 1_700_000_000, expiresAt: -1e20 },
    }
    writeFileSync(file, JSON.stringify(tokens), { mode: 0o600 })
    const env = { TOKENTOOL_HOME: home }
    for (const args of [['profiles', 'list'], ['profiles', 'list', '--json'], ['profiles', 'show', 'default'], ['profiles', 'show', 'default', '--json']]) {
      const r = await runCli(args, { env })
      noCrash(r, args.join(' '))
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    }
    const show = JSON.parse((await runCli(['profiles', 'show', 'default', '--json'], { env })).stdout) as { tokens: { accessTokens: { expiresAt: string | null }[]; refreshToken: { expiresAt: string | null } } }
    expect(show.tokens.accessTokens[0]!.expiresAt).toBeNull()
    expect(show.tokens.refreshToken.expiresAt).toBeNull()
    // nothing was moved aside as corrupt: the refresh token is still there
    expect(JSON.parse(readFileSync(file, 'utf8')).refreshToken.value).toBe('rt-keep-me')
  })
})
