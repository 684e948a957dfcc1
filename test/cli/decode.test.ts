import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import { NOW_S, b64, encrypt, rawJws, sign } from '../helpers/jwt-fixtures.js'

const NOW = '2026-01-01T00:00:00Z'
let token: string
let dir: string

beforeAll(async () => {
  token = await sign(
    { iss: 'https://login.example.com', sub: 'alice', aud: 'api', scope: 'openid profile', iat: NOW_S - 600, exp: NOW_S + 2520 },
    { typ: 'at+jwt', kid: 'k1' },
  )
  dir = mkdtempSync(join(tmpdir(), 'tokentool-decode-'))
})

/** Output with line wrapping undone, for sentences the view may wrap. */
const flat = (s: string) => s.replace(/\s+/g, ' ')

const expectClean = (r: { code: number | null; stderr: string }) => {
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
}

describe('tokentool decode: where the token comes from', () => {
  it('from the argument', async () => {
    const r = await runCli(['decode', token, '--now', NOW])
    expectClean(r)
    expect(r.stdout).toContain('SIGNATURE NOT VERIFIED')
    expect(r.stdout).toMatch(/Kind\s+access token \(RFC 9068, at\+jwt\)/)
    expect(r.stdout).toMatch(/Status\s+valid, expires in 42m/)
  })
  it('from stdin, piped, with or without "-"', async () => {
    for (const args of [['decode', '-'], ['decode']]) {
      const r = await runCli([...args, '--json'], { input: `  ${token}\n` })
      expectClean(r)
      expect(JSON.parse(r.stdout).payload.sub).toBe('alice')
    }
  })
  it('from --file', async () => {
    const f = join(dir, 'token.txt')
    writeFileSync(f, token + '\n')
    const r = await runCli(['decode', '--file', f, '--json'])
    expectClean(r)
    expect(JSON.parse(r.stdout).header.kid).toBe('k1')
    const missing = await runCli(['decode', '--file', join(dir, 'nope.txt')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^tokentool: cannot read token file .*nope\.txt: no such file\n$/)
  })
  it('strips "Bearer " and "Authorization:" prefixes', async () => {
    for (const input of [`Bearer ${token}`, `Authorization: Bearer ${token}`, `authorization:bearer   ${token}\r\n`]) {
      const r = await runCli(['decode', '--json'], { input })
      expectClean(r)
      expect(JSON.parse(r.stdout).kind).toBe('access_token')
    }
    const arg = await runCli(['decode', `Bearer ${token}`, '--json'])
    expect(JSON.parse(arg.stdout).kind).toBe('access_token')
  })
  it('an empty input is exit 2 with a reason', async () => {
    const r = await runCli(['decode', '-'], { input: '  \n' })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('tokentool: the token is empty\n')
  })
})

describe('tokentool decode --json', () => {
  it('has the contract fields', async () => {
    const r = await runCli(['--json', 'decode', token, '--now', NOW])
    expectClean(r)
    const j = JSON.parse(r.stdout)
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['kind', 'header', 'payload', 'signature', 'size', 'times', 'warnings', 'nested']))
    expect(j.kind).toBe('access_token')
    expect(j.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })
    expect(j.signature).toEqual({ bytes: 256, alg: 'RS256' })
    expect(j.size.bytes).toBe(token.length)
    expect(j.times.now).toBe(NOW)
    expect(j.times.state).toBe('valid')
    expect(j.times.claims.exp).toMatchObject({ value: NOW_S + 2520, iso: '2026-01-01T00:42:00Z', inSeconds: 2520, relative: 'expires in 42m', state: 'valid' })
    expect(j.warnings).toEqual([])
    expect(j.nested).toEqual([])
    expect(j.verified).toBe(false)
  })
  it('--json after the command works too and writes exactly one document', async () => {
    const r = await runCli(['decode', token, '--json'])
    expect(() => JSON.parse(r.stdout)).not.toThrow()
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('}')
  })
})

describe('tokentool decode: times', () => {
  it('an expired token shows when, relative to --now, and still exits 0', async () => {
    const expired = await sign({ sub: 'x', iat: NOW_S - 4 * 3600, exp: NOW_S - 3 * 3600 })
    const r = await runCli(['decode', expired, '--now', NOW])
    expectClean(r)
    expect(r.stdout).toMatch(/Status\s+EXPIRED 3h ago · lifetime 1h \(at 2026-01-01T00:00:00Z\)/)
    expect(r.stdout).toMatch(/exp\s+1767214800 · 2025-12-31T21:00:00Z · expired 3h ago/)
    expect(r.stdout).toContain('! expired: expired 3h ago (at 2025-12-31T21:00:00Z)')
    const j = JSON.parse((await runCli(['decode', expired, '--now', String(NOW_S), '--json'])).stdout)
    expect(j.times.claims.exp.relative).toBe('expired 3h ago')
    expect(j.warnings.map((w: { code: string }) => w.code)).toEqual(['expired'])
  })
  it('a bad --now is a usage error', async () => {
    const r = await runCli(['decode', token, '--now', 'yesterday'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/--now: cannot read "yesterday" as a time/)
  })
})

describe('tokentool decode: malformed input → exit 2, one precise line, nothing on stdout', () => {
  const h = b64({ alg: 'RS256' })
  const p = b64({ sub: 'x' })
  it.each([
    [`${h}.${p}`, 'expected 3 segments (JWS) or 5 (JWE), got 2'],
    [`${h}.${p}.sig.x`, 'expected 3 segments (JWS) or 5 (JWE), got 4'],
    [`${h}.${p}*.sig`, "segment 2 (payload) is not valid base64url: character '*' at position " + (p.length + 1)],
    [`${h}.${b64('not json')}.sig`, 'segment 2 (payload) is not JSON'],
    [`${h}.${b64('{"a":1,}')}.sig`, 'segment 2 (payload) is not JSON'],
    [`${b64('{"alg":')}.${p}.sig`, 'segment 1 (header) is not JSON'],
    [`${h}.${p}.c2ln=`, "segment 3 (signature) is not valid base64url: padding '=' at position 5 (JWTs use unpadded base64url)"],
    [`${h}.${b64([1, 2])}.sig`, 'segment 2 (payload) is JSON but not an object (it is an array)'],
    ['not a token', 'not a token: whitespace at position 4'],
    [`${h}.${p.slice(0, 5)}\n${p.slice(5)}.sig`, 'segment 2 (payload) is not valid base64url: a line break at position 6 (was the token wrapped when pasted?)'],
    [`${h}.${b64('{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}')}.sig`, 'segment 2 (payload) is nested more than 64 levels deep'],
  ])('%s', async (input, reason) => {
    const r = await runCli(['decode', input])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n')).toHaveLength(2) // one line, then the final newline
    expect(r.stderr).toMatch(new RegExp(`^tokentool: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
  })
  it('with --json as well: the error document on stdout, nothing else (contract 0.2)', async () => {
    const r = await runCli(['decode', `${h}.${p}`, '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'ERR_INPUT', message: 'expected 3 segments (JWS) or 5 (JWE), got 2', hint: null, exit_code: 2, exitCode: 2 } })
  })
})

describe('tokentool decode: kinds', () => {
  it('decodes an embedded token recursively', async () => {
    const inner = await sign({ sub: 'gateway', scope: 'read', exp: NOW_S - 60 }, { typ: 'at+jwt' })
    const outer = await sign({ sub: 'alice', act: { sub: 'gateway', token: inner }, exp: NOW_S + 60 })
    const r = await runCli(['decode', outer, '--now', NOW])
    expectClean(r)
    expect(r.stdout).toContain('Embedded tokens (1)')
    expect(r.stdout).toMatch(/act\.token → access token\n\s+EXPIRED 1m ago/)
    expect(r.stdout).toContain('(JWT, ') // the long value is abbreviated in the payload table
    const j = JSON.parse((await runCli(['decode', outer, '--json', '--now', NOW])).stdout)
    expect(j.nested).toHaveLength(1)
    expect(j.nested[0]).toMatchObject({ path: 'act.token', depth: 1, kind: 'access_token', header: { typ: 'at+jwt' }, payload: { sub: 'gateway' } })
  })
  it('shows a JWE protected header, and decrypts it with --key', async () => {
    const inner = await sign({ sub: 'alice', nonce: 'n-1', exp: NOW_S + 600 })
    const { jwe, pem, jwk } = await encrypt(inner, { cty: 'JWT', kid: 'enc-1' })
    const closed = await runCli(['decode', jwe])
    expectClean(closed)
    expect(closed.stdout).toMatch(/Kind\s+encrypted JWT \(JWE\)/)
    expect(closed.stdout).toContain('JWE protected header')
    expect(closed.stdout).toMatch(/enc\s+A256GCM/)
    expect(flat(closed.stdout)).toContain('decrypt them with --key <private key file>')
    expect(closed.stdout).not.toContain('SIGNATURE NOT VERIFIED')
    const pemFile = join(dir, 'enc.pem')
    writeFileSync(pemFile, pem)
    const open = await runCli(['decode', '--key', pemFile, jwe, '--json', '--now', NOW])
    expectClean(open)
    const j = JSON.parse(open.stdout)
    expect(j).toMatchObject({ kind: 'id_token', format: 'jwe', payload: { sub: 'alice' }, jwe: { decrypted: true, header: { kid: 'enc-1' } } })
    const jwkFile = join(dir, 'enc.jwk.json')
    writeFileSync(jwkFile, JSON.stringify(jwk))
    const human = await runCli(['decode', '--key', jwkFile, jwe, '--now', NOW])
    expectClean(human)
    expect(human.stdout).toMatch(/Kind\s+ID token \(encrypted, decrypted with --key\)/)
    expect(human.stdout).toMatch(/sub\s+alice/)
  })
  it('a wrong --key is exit 2 with the reason', async () => {
    const { jwe } = await encrypt('{"a":1}')
    const other = await encrypt('{}')
    const f = join(dir, 'other.pem')
    writeFileSync(f, other.pem)
    const r = await runCli(['decode', '--key', f, jwe])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`tokentool: cannot decrypt the JWE with --key ${f}: the key does not match (or the token was altered)\n`)
  })
  it('names an opaque token and points to introspect', async () => {
    const r = await runCli(['decode', 'Bearer 2YotnFZFEjr1zCsicMWpAA'])
    expectClean(r)
    expect(r.stdout).toMatch(/Kind\s+opaque \(reference\) token/)
    expect(r.stdout).toContain('tokentool introspect')
    expect(r.stdout).not.toContain('SIGNATURE NOT VERIFIED')
    const j = JSON.parse((await runCli(['decode', '2YotnFZFEjr1zCsicMWpAA', '--json'])).stdout)
    expect(j).toMatchObject({ kind: 'opaque', header: null, payload: null, signature: null, size: { bytes: 22 } })
  })
  it('warns loudly about alg none, b64:false and crit', async () => {
    const none = await runCli(['decode', rawJws({ alg: 'none' }, { sub: 'x' }, '')])
    expectClean(none)
    expect(none.stdout).toContain('! alg is "none": the token is unsigned')
    const b64false = await runCli(['decode', `${b64({ alg: 'HS256', b64: false, crit: ['b64'] })}.{"sub":"x"}.c2ln`])
    expectClean(b64false)
    expect(b64false.stdout).toContain('! b64: false')
    expect(b64false.stdout).toContain('! crit header: a verifier must understand b64')
  })
  it('tells a Graph token and a Keycloak refresh token for what they are', async () => {
    const graph = await runCli(['decode', rawJws({ typ: 'JWT', nonce: 'AQAB', alg: 'RS256', kid: 'x' }, { aud: '00000003-0000-0000-c000-000000000000', scp: 'User.Read' })])
    expect(flat(graph.stdout)).toContain('only Graph can verify it, so verify fails by design')
    const kc = await runCli(['decode', rawJws({ alg: 'HS512', typ: 'JWT' }, { typ: 'Refresh', iss: 'https://kc/realms/acme' })])
    expect(kc.stdout).toMatch(/Kind\s+refresh token\n/)
    expect(kc.stdout).toMatch(/Why\s+typ claim is "Refresh" \(Keycloak\)/)
  })
  it('shows the size against the header budgets', async () => {
    const big = await sign({ sub: 'x', groups: Array.from({ length: 300 }, (_, i) => `group-${i}-${'x'.repeat(10)}`) })
    const r = await runCli(['decode', big])
    expectClean(r)
    expect(r.stdout).toMatch(/Size\s+\d+ bytes · header line \d+ bytes: OVER 4 KiB and 8 KiB/)
    expect(flat(r.stdout)).toMatch(/! the Authorization header is \d+ bytes, over 8 KiB/)
  })
})

describe('tokentool decode: the kinds a user meets', () => {
  it.each([
    [{ alg: 'RS256', typ: 'JWT' }, { iss: 'https://op', sub: 'u', aud: 'rp', nonce: 'n', exp: NOW_S + 60 }, 'id_token', /Kind\s+ID token\nWhy\s+has nonce/],
    [{ alg: 'RS256', typ: 'logout+jwt' }, { iss: 'https://op', aud: 'rp', sid: 's', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }, 'logout_token', /Kind\s+logout token/],
    [{ alg: 'RS256', typ: 'JWT' }, { iss: 'https://op', aud: 'rp', sid: 's', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }, 'logout_token', /Why\s+events claim holds the back-channel logout event/],
    [{ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }, { htm: 'POST', htu: 'https://as/token', jti: 'j', iat: NOW_S }, 'dpop_proof', /Kind\s+DPoP proof \(RFC 9449\)/],
    [{ alg: 'RS256', typ: 'token-introspection+jwt' }, { iss: 'https://as', aud: 'rs', token_introspection: { active: true } }, 'introspection_response', /Kind\s+token introspection response \(RFC 9701\)/],
    [{ alg: 'RS256', typ: 'secevent+jwt' }, { iss: 'https://tx', events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } }, 'security_event', /Kind\s+security event token/],
    [{ alg: 'PS256' }, { iss: 'client-1', sub: 'client-1', aud: 'https://as/token', jti: 'j', exp: NOW_S + 60 }, 'client_assertion', /Kind\s+client assertion \(RFC 7523\)/],
    [{ alg: 'RS256', typ: 'JWT' }, { iss: 'https://x', sub: 'y' }, 'jwt', /Kind\s+JWT \(kind not recognised\)/],
  ])('%j %j → %s', async (header, payload, kind, human) => {
    const t = rawJws(header, payload)
    const j = JSON.parse((await runCli(['decode', t, '--json', '--now', NOW])).stdout)
    expect(j.kind).toBe(kind)
    const r = await runCli(['decode', t, '--now', NOW])
    expectClean(r)
    expect(r.stdout).toMatch(human)
  })
  it('--key on a token that is not a JWE is noted on stderr and ignored', async () => {
    const r = await runCli(['decode', token, '--key', '/nonexistent.pem', '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('tokentool: note: --key is only used to decrypt a JWE; this token is not one\n')
    expect(JSON.parse(r.stdout).kind).toBe('access_token')
  })
})

describe('tokentool decode --help', () => {
  it('documents the flags with examples', async () => {
    const r = await runCli(['decode', '--help'])
    expect(r.code).toBe(0)
    for (const s of ['--file', '--now', '--key', 'Examples:', '$ tokentool decode']) expect(r.stdout).toContain(s)
  })
})
