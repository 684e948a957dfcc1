/** `tokentool verify` through the built binary: every key source, every check, --json, --batch. */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli, tempHome } from '../helpers/run-cli.js'

const NOW = 1_800_000_000 // fixed clock for every check: --now 1800000000
const AT = ['--now', String(NOW)]
const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'))
const fixtures = new URL('../fixtures/', import.meta.url)
const fx = (p: string) => new URL(p, fixtures).pathname
const file = (name: string, content: string) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

let es: { privateKey: jose.CryptoKey; jwk: jose.JWK }
let rotated: { privateKey: jose.CryptoKey; jwk: jose.JWK }
let jwksFile = ''
let rsaPrivate: jose.CryptoKey
let server: Server
let base = ''
const hits: Record<string, number> = {}

async function esToken(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key = es) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid!, ...header }).sign(key.privateKey)
}
const claims = (extra: Record<string, unknown> = {}) => ({ iss: 'https://issuer.test', sub: 'alice', aud: 'api', iat: NOW - 60, exp: NOW + 3600, ...extra })
const check = (stdout: string, name: string) => (JSON.parse(stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((c) => c.name === name)

beforeAll(async () => {
  const mk = async (kid: string) => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
    return { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } }
  }
  es = await mk('k1')
  rotated = await mk('k2')
  jwksFile = file('jwks.json', JSON.stringify({ keys: [es.jwk] }))
  rsaPrivate = (await jose.importPKCS8(readFileSync(fx('keys/cert-key.pem'), 'utf8'), 'RS256')) as jose.CryptoKey

  server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits[path] = (hits[path] ?? 0) + 1
    const json = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(body))
    }
    if (path === '/.well-known/openid-configuration') return json({ issuer: base, jwks_uri: `${base}/jwks`, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`, response_types_supported: ['code'] })
    if (path === '/jwks') return json({ keys: [es.jwk] })
    // the first fetch sees only k1; later ones the rotated set, and a Date 7 minutes ahead
    if (path === '/rotating') return json({ keys: hits[path] === 1 ? [es.jwk] : [es.jwk, rotated.jwk] })
    if (path === '/skewed') return json({ keys: [es.jwk] }, { date: new Date(Date.now() + 7 * 60_000).toUTCString() })
    if (path === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' })
      return res.end('<html>')
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('verify: key sources', () => {
  it.each([
    ['§4.1 RS256', '4.1-rs256.jws', 'rsa-2048-public.jwk.json'],
    ['§4.2 PS384', '4.2-ps384.jws', 'rsa-2048-public.jwk.json'],
    ['§4.3 ES512', '4.3-es512.jws', 'ec-p521-public.jwk.json'],
    ['§4.4 HS256', '4.4-hs256.jws', 'hmac-sha256.jwk.json'],
  ])('RFC 7520 %s verifies with --key JWK; claims checks are not applicable', async (_, token, key) => {
    const r = await runCli(['verify', '--json', '--key', fx(`rfc7520/${key}`), '--file', fx(`rfc7520/${token}`)])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.valid).toBe(true)
    expect(doc.payload).toMatch(/^It’s a dangerous business, Frodo/)
    expect(doc.checks.find((c: { name: string }) => c.name === 'exp')).toMatchObject({ ok: true, detail: expect.stringMatching(/not applicable/) })
  })

  it('--key PEM public key, X.509 certificate, and the private PEM (its public half)', async () => {
    const t = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(rsaPrivate)
    for (const key of ['keys/cert-public.pem', 'keys/cert.pem', 'keys/cert-key.pem']) {
      const r = await runCli(['verify', '--key', fx(key), ...AT, t])
      expect(r.code, `${key}: ${r.stdout}${r.stderr}`).toBe(0)
      expect(r.stdout).toMatch(/^VALID: every check passed/)
      expect(r.stdout).toMatch(/PASS\s+signature\s+valid RS256 signature/)
    }
  })

  it('--key JWKS file, --jwks file, and a kid that is not in the set', async () => {
    const t = await esToken(claims())
    expect((await runCli(['verify', '--key', jwksFile, ...AT, t])).code).toBe(0)
    expect((await runCli(['verify', '--jwks', jwksFile, ...AT, t])).code).toBe(0)
    const other = await esToken(claims(), {}, rotated)
    const r = await runCli(['verify', '--json', '--jwks', jwksFile, ...AT, other])
    expect(r.code).toBe(1)
    expect(check(r.stdout, 'key')).toMatchObject({ ok: false, detail: expect.stringMatching(/no key with kid "k2"/) })
  })

  it('--secret: plain, @file and env:VAR; a wrong secret fails the signature', async () => {
    const t = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('s3cret-s3cret-s3cret-s3cret-s3cr'))
    const secretFile = file('secret.txt', 's3cret-s3cret-s3cret-s3cret-s3cr\n')
    for (const s of ['s3cret-s3cret-s3cret-s3cret-s3cr', `@${secretFile}`, 'env:HMAC']) {
      const r = await runCli(['verify', '--secret', s, ...AT, t], { env: { HMAC: 's3cret-s3cret-s3cret-s3cret-s3cr' } })
      expect(r.code, s + r.stderr).toBe(0)
    }
    const bad = await runCli(['verify', '--json', '--secret', 'wrong', ...AT, t])
    expect(bad.code).toBe(1)
    expect(check(bad.stdout, 'signature')).toMatchObject({ ok: false, detail: 'the signature does not match the key' })
  })

  it('--jwks URL: fetched over HTTP', async () => {
    const r = await runCli(['verify', '--jwks', `${base}/jwks`, ...AT, await esToken(claims())])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`kid "k1" from ${base}/jwks`)
  })

  it('--jwks URL: an unknown kid refetches the set once (key rotation)', async () => {
    const before = hits['/rotating'] ?? 0
    const r = await runCli(['verify', '--json', '--jwks', `${base}/rotating`, ...AT, await esToken(claims(), {}, rotated)])
    expect(r.code).toBe(0)
    expect(hits['/rotating']! - before).toBe(2)
    expect(check(r.stdout, 'key')?.detail).toMatch(/kid "k2" .*refetching the JWKS: the keys were rotated/)
  })

  it('--jwks URL: a server clock 7 minutes ahead is reported as a warning', async () => {
    const r = await runCli(['verify', '--jwks', `${base}/skewed`, await esToken(claims({ iat: undefined, exp: undefined }))])
    expect(r.code).toBe(0)
    // the Date header has whole seconds (6m59s…7m): shown as whole minutes
    expect(r.stderr).toMatch(/^tokentool: warning: this machine's clock is 7m behind the JWKS server's \(server Date /)
  })

  it('--issuer: discovery → jwks_uri, and --iss defaults to the issuer', async () => {
    const t = await esToken(claims({ iss: base }))
    const r = await runCli(['verify', '--json', '--issuer', base, ...AT, t])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(check(r.stdout, 'iss')).toEqual({ name: 'iss', ok: true, detail: `"${base}"` })
    const wrongIss = await runCli(['verify', '--json', '--issuer', base, ...AT, await esToken(claims())])
    expect(wrongIss.code).toBe(1)
    expect(check(wrongIss.stdout, 'iss')?.ok).toBe(false)
  })

  it('network failures exit 3: unreachable, not JSON', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const t = await esToken(claims())
    const a = await runCli(['verify', '--jwks', `http://127.0.0.1:${port}/jwks`, t])
    expect(a.code).toBe(3)
    expect(a.stderr).toMatch(/^tokentool: .*127\.0\.0\.1/)
    const b = await runCli(['verify', '--jwks', `${base}/html`, t])
    expect(b.code).toBe(3)
    expect(b.stderr).toMatch(/did not return JSON/)
  })

  it('bad input and flags exit 2', async () => {
    const t = await esToken(claims())
    expect((await runCli(['verify', t])).stderr).toMatch(/no key to verify with/)
    expect((await runCli(['verify', '--key', jwksFile, '--secret', 'x', t])).code).toBe(2)
    const malformed = await runCli(['verify', '--key', jwksFile, 'not.a-token'])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toMatch(/expected 3 segments/)
    expect((await runCli(['verify', '--key', jwksFile, '--clock-skew', 'soon', t])).code).toBe(2)
    expect((await runCli(['verify', '--key', jwksFile, '--alg', 'none', t])).code).toBe(2)
    const secretAsKey = await runCli(['verify', '--secret', `@${fx('keys/cert-public.pem')}`, t])
    expect(secretAsKey.code).toBe(2)
    expect(secretAsKey.stderr).toMatch(/--secret looks like a PEM key/)
  })
})

describe('verify: the attacks', () => {
  it('alg "none" is never accepted', async () => {
    const t = `${b64({ alg: 'none' })}.${b64(claims())}.`
    const r = await runCli(['verify', '--json', '--key', jwksFile, ...AT, t])
    expect(r.code).toBe(1)
    expect(check(r.stdout, 'alg')).toMatchObject({ ok: false, detail: expect.stringMatching(/"none" is never accepted/) })
    expect(check(r.stdout, 'signature')?.ok).toBe(false)
    expect(r.stderr).toMatch(/^tokentool: token is not valid: alg: /)
  })

  it('key confusion: an HS256 token "signed" with the RSA public key PEM bytes is rejected with the reason', async () => {
    const pem = readFileSync(fx('keys/cert-public.pem'))
    const forged = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(pem))
    const r = await runCli(['verify', '--key', fx('keys/cert-public.pem'), ...AT, forged])
    expect(r.code).toBe(1)
    // the detail wraps at 80 columns under itself: read it with the line breaks folded
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/FAIL\s+alg\s+HS256 is an HMAC algorithm but the key is an RSA public key: a public key never verifies an HMAC token \(key-confusion attack\)/)
    expect(r.stdout).toMatch(/^INVALID/)
  })

  it('an RS256 token against an HMAC secret is rejected (the reverse)', async () => {
    const t = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(rsaPrivate)
    const r = await runCli(['verify', '--json', '--secret', 'whatever', ...AT, t])
    expect(r.code).toBe(1)
    expect(check(r.stdout, 'alg')?.detail).toMatch(/a secret never verifies an asymmetric token/)
  })

  it('jwk/jku/x5u/x5c headers are ignored, and jku is never fetched', async () => {
    const before = hits['/jwks'] ?? 0
    const attacker = await jose.generateKeyPair('ES256', { extractable: true })
    const attackerJwk = await jose.exportJWK(attacker.publicKey)
    const t = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256', jku: `${base}/jwks`, jwk: attackerJwk, x5u: `${base}/jwks` }).sign(attacker.privateKey)
    const r = await runCli(['verify', '--json', '--jwks', jwksFile, ...AT, t])
    expect(r.code).toBe(1)
    expect(check(r.stdout, 'signature')?.ok).toBe(false)
    expect(check(r.stdout, 'header-keys')?.detail).toMatch(/ignored jwk, jku, x5u/)
    expect(hits['/jwks'] ?? 0).toBe(before)
  })

  it('a crit header that is not understood is rejected with the reason', async () => {
    const t = await new jose.SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', crit: ['urn:example:policy'], 'urn:example:policy': 1 })
      .sign(es.privateKey, { crit: { 'urn:example:policy': true } })
    const r = await runCli(['verify', '--json', '--key', jwksFile, ...AT, t])
    expect(r.code).toBe(1)
    expect(check(r.stdout, 'signature')?.ok).toBe(true)
    expect(check(r.stdout, 'crit')).toMatchObject({ ok: false, detail: expect.stringMatching(/"urn:example:policy", which tokentool does not understand/) })
  })
})

describe('verify: every check passes and fails', () => {
  const cases: [string, Record<string, unknown>, string[], string, RegExp][] = [
    ['exp (expired 30s ago, inside the default 60s leeway)', { exp: NOW - 30 }, [], 'exp', /within the 1m leeway/],
    ['exp (expired 30s ago, leeway 10s)', { exp: NOW - 30 }, ['--clock-skew', '10s'], 'exp', /beyond the 10s leeway/],
    ['nbf (in 30s)', { nbf: NOW + 30 }, [], 'nbf', /within the 1m leeway/],
    ['nbf (in 5m)', { nbf: NOW + 300 }, [], 'nbf', /not valid before .*in 5m/],
    ['iss', {}, ['--iss', 'https://issuer.test'], 'iss', /"https:\/\/issuer.test"/],
    ['iss', {}, ['--iss', 'https://other.test'], 'iss', /expected "https:\/\/other.test"/],
    ['aud', {}, ['--aud', 'x', '--aud', 'api'], 'aud', /"api"/],
    ['aud', {}, ['--aud', 'web'], 'aud', /expected "web"/],
    ['typ', {}, ['--typ', 'JWT'], 'typ', /"JWT"/],
    ['typ', {}, ['--typ', 'at+jwt'], 'typ', /"JWT", expected "at\+jwt"/],
    ['sub', {}, ['--sub', 'alice'], 'sub', /"alice"/],
    ['sub', {}, ['--sub', 'bob'], 'sub', /expected "bob"/],
    ['scope', { scope: 'orders.read orders.write' }, ['--scope', 'orders.read orders.write'], 'scope', /has orders.read orders.write/],
    ['scope (scp)', { scp: ['orders.read'] }, ['--scope', 'orders.read', '--scope', 'admin'], 'scope', /missing admin/],
    ['claim', { tenant: 't1', admin: true }, ['--claim', 'tenant=t1', '--claim', 'admin=true'], 'claim:admin', /true/],
    ['claim', { level: '2' }, ['--claim', 'level=2'], 'claim:level', /"2", expected 2/],
    ['max-age', { auth_time: NOW - 600 }, ['--max-age', '15m'], 'max-age', /within --max-age 15m/],
    ['max-age', { auth_time: NOW - 7200 }, ['--max-age', '1h'], 'max-age', /more than --max-age 1h/],
  ]
  it.each(cases)('%s %j %j', async (_, extra, flags, name, detail) => {
    const t = await esToken(claims(extra), { typ: 'JWT' })
    const r = await runCli(['verify', '--json', '--key', jwksFile, ...AT, ...flags, t])
    const row = check(r.stdout, name)
    expect(row?.detail).toMatch(detail)
    const shouldPass = !/expected|beyond|not valid before|missing|more than/.test(detail.source)
    expect(row?.ok).toBe(shouldPass)
    expect(r.code).toBe(shouldPass ? 0 : 1)
  })

  it('the checklist shows the clock it used and the leeway', async () => {
    const r = await runCli(['verify', '--key', jwksFile, '--clock-skew', '2m', ...AT, await esToken(claims())])
    expect(r.stdout).toContain('clock     2027-01-15T08:00:00.000Z (from --now), leeway 2m for')
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('clock 2027-01-15T08:00:00.000Z (from --now), leeway 2m for exp/nbf/iat/max-age')
    const j = JSON.parse((await runCli(['verify', '--json', '--key', jwksFile, ...AT, await esToken(claims())])).stdout)
    expect(j.clock).toEqual({ now: '2027-01-15T08:00:00.000Z', source: '--now', leeway: 60 })
    expect(Object.keys(j).slice(0, 4)).toEqual(['valid', 'checks', 'header', 'payload'])
  })

  it('reads the token from stdin, with a Bearer prefix', async () => {
    const r = await runCli(['verify', '--key', jwksFile, ...AT], { input: `Authorization: Bearer ${await esToken(claims())}\n` })
    expect(r.code).toBe(0)
  })
})

describe('verify --batch', () => {
  it('one NDJSON line per token, in order, streaming; exit 1 when any failed', async () => {
    const good = await esToken(claims())
    const expired = await esToken(claims({ exp: NOW - 3600 }))
    const input = [good, expired, 'garbage', '', `Bearer ${good}`, `${b64({ alg: 'none' })}.${b64(claims())}.`].join('\n') + '\n'
    const r = await runCli(['verify', '--batch', '--jwks', jwksFile, ...AT], { input })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('tokentool: 3 of 5 tokens failed verification\n')
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.line, l.valid])).toEqual([[1, true], [2, false], [3, false], [5, true], [6, false]])
    expect(lines[1].checks.find((c: { name: string }) => c.name === 'exp').ok).toBe(false)
    expect(lines[2].error).toMatch(/expected 3 segments/)
    expect(lines[4].checks[0]).toMatchObject({ name: 'alg', ok: false })
  })

  it('exit 0 when every line is valid, also without a trailing newline', async () => {
    const t = await esToken(claims())
    const r = await runCli(['verify', '--batch', '--key', jwksFile, ...AT], { input: `${t}\r\n${t}` })
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2)
  })

  it('no token at all (empty input, blank lines only, stdin a directory) is not a success: one line, exit 2', async () => {
    for (const input of ['', '\n\n  \n']) {
      const r = await runCli(['verify', '--batch', '--jwks', jwksFile, ...AT], { input })
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^tokentool: no token on stdin: verify --batch reads one token per line \(pipe the tokens in, e\.g\. .*\)\n$/)
    }
    // Node.js reads a directory on stdin as an empty stream: tokentool says what it is
    const dir = await runCli(['verify', '--batch', '--jwks', jwksFile, ...AT], { prefix: ['bash', '-c', 'exec "$@" < /', 'bash'] })
    expect(dir.code).toBe(2)
    expect(dir.stdout).toBe('')
    expect(dir.stderr).toBe('tokentool: stdin is a directory: nothing can be read from it\n')
  })

  it('with --json, a failure of the whole run is one more NDJSON line, not a pretty-printed document', async () => {
    for (const [args, input, code] of [
      [['--jwks', join(dir, 'no-such-jwks.json')], 'x\n', 'ERR_INPUT'],
      [['--jwks', jwksFile], '', 'ERR_INPUT'],
    ] as const) {
      const r = await runCli(['verify', '--batch', '--json', ...args, ...AT], { input })
      expect(r.code).toBe(2)
      const lines = r.stdout.split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[1]).toBe('')
      expect(JSON.parse(lines[0]!).error).toMatchObject({ code, exit_code: 2 })
    }
  })

  it('a line too long to be a token is reported and skipped, not buffered', async () => {
    const t = await esToken(claims())
    const r = await runCli(['verify', '--batch', '--key', jwksFile, ...AT], { input: `${t}\n${'A'.repeat(3 * 1024 * 1024)}\n${t}\n` })
    expect(r.code).toBe(1)
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.line, l.valid])).toEqual([[1, true], [2, false], [3, true]])
    expect(lines[1].error).toMatch(/longer than 1048576 bytes/)
  })

  it('streams: the result of a line comes out before stdin is closed', async () => {
    const t = await esToken(claims())
    const child = spawn(process.execPath, [BIN, 'verify', '--batch', '--key', jwksFile, ...AT], {
      env: { ...process.env, NO_COLOR: '1', TOKENTOOL_HOME: tempHome() },
    })
    let out = ''
    const nextLine = () =>
      new Promise<string>((resolve) => {
        const onData = (d: Buffer) => {
          out += d.toString()
          const nl = out.indexOf('\n')
          if (nl !== -1) {
            child.stdout.off('data', onData)
            const line = out.slice(0, nl)
            out = out.slice(nl + 1)
            resolve(line)
          }
        }
        child.stdout.on('data', onData)
      })
    child.stdin.write(t + '\n')
    expect(JSON.parse(await nextLine())).toMatchObject({ line: 1, valid: true })
    child.stdin.write('not-a-token\n')
    expect(JSON.parse(await nextLine())).toMatchObject({ line: 2, valid: false })
    child.stdin.end()
    const code = await new Promise<number | null>((r) => child.on('close', r))
    expect(code).toBe(1)
  })
})
