/**
 * Issue #19, behaviour, run as the newcomer ran it against the real test provider: --min-ttl no
 * token can satisfy is said; --json with --format env is a usage error; the global --timeout
 * works before login; call refuses plain http to a host that is not loopback unless
 * --allow-http; a response body without a final newline does not run into tokentool's stderr
 * line in a terminal (pty); cae decode of a JWT says it is a token; keygen's stdout warning and
 * --out that never overwrites without --force.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signedInHome } from '../helpers/login-flow.js'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { startPty } from '../helpers/pty.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { hs256 } from '../helpers/jwt-fixtures.js'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'

let provider: TestProvider
let hanging: TinyServer
let refusing: TinyServer
beforeAll(async () => {
  provider = await startProvider()
  // accepts and never answers: only a timeout ends a request to it
  hanging = await startHttpServer(() => {})
  refusing = await startHttpServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"' })
    res.end('{"error":"forbidden"}')
  })
})
afterAll(async () => {
  await hanging?.close()
  await refusing?.close()
  await provider?.stop()
})

function cc(): string[] {
  const c = provider.clients.basic
  return ['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret, '--resource', API_RESOURCE, '--scope', 'api:read']
}

describe('token', () => {
  it('--min-ttl 11m against 10-minute client credentials tokens warns on each fetch; a reachable one is quiet and cached', async () => {
    const home = tempHome()
    const a = await runCli([...cc(), '--min-ttl', '11m'], { env: { TOKENTOOL_HOME: home } })
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(a.stderr).toMatch(/^tokentool: warning: the new token lasts (10m|9m\d+s), not more than --min-ttl 11m: no token can satisfy it, so every run gets a new one \(lower --min-ttl\)\n$/)
    const b = await runCli([...cc(), '--min-ttl', '11m'], { env: { TOKENTOOL_HOME: home } })
    expect(b.stdout).not.toBe(a.stdout)
    expect(b.stderr).toMatch(/no token can satisfy it/)
    const c = await runCli([...cc(), '--min-ttl', '1m'], { env: { TOKENTOOL_HOME: home } })
    expect(c).toMatchObject({ code: 0, stderr: '' })
    const d = await runCli([...cc(), '--min-ttl', '1m'], { env: { TOKENTOOL_HOME: home } })
    expect(d).toMatchObject({ code: 0, stderr: '', stdout: c.stdout })
  })

  it('--json with --format env asks for two outputs: a usage error, before any request', async () => {
    const before = provider.requests.length
    const r = await runCli(['--json', ...cc(), '--format', 'env'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: --json and --format env ask for two different outputs: give one\n')
    expect(JSON.parse(r.stdout).error.code).toBe('ERR_USAGE')
    expect(provider.requests.length).toBe(before)
  })
})

describe('global options before login', () => {
  it('tokentool --timeout 1s login … is the HTTP limit, as before any other command', async () => {
    const r = await runCli(['--timeout', '1s', 'login', '--issuer', hanging.url, '--client-id', 'x', '--no-open'], { timeoutMs: 15_000 })
    expect(r.stderr).not.toMatch(/unknown option/)
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr).toMatch(/^tokentool: .*(timed out|timeout).*/im)
  })
})

describe('call', () => {
  it('refuses plain http to a host that is not loopback, before sending; --allow-http lets it through', async () => {
    const r = await runCli(['call', 'http://10.0.0.1/me'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: the API URL must use https (plain http is allowed only for loopback): http://10.0.0.1 (the token would travel readable; for a dev API on a private network add --allow-http)\n')
    // past the http rule, the next thing missing is a token in the (empty) profile
    const allowed = await runCli(['call', '--allow-http', 'http://10.0.0.1/me'])
    expect(allowed.stderr).not.toMatch(/must use https/)
    expect(allowed.stderr).toMatch(/warning: sending the access token over plain http to 10\.0\.0\.1 \(--allow-http\)/)
  })

  it('in a terminal, a body without a final newline is followed by one before tokentool\'s lines; a pipe gets it byte for byte', { timeout: 90_000 }, async () => {
    const home = await signedInHome(provider, ['--resource', API_RESOURCE, '--scope', 'openid offline_access api:read'])
    const pty = startPty(['call', `${refusing.url}/admin`], { home })
    expect(await pty.exited).toBe(1)
    const screen = pty.screen()
    expect(screen).toMatch(/\{"error":"forbidden"\}\n/)
    expect(screen).not.toMatch(/\}\S/)
    const piped = await runCli(['call', `${refusing.url}/admin`], { env: { TOKENTOOL_HOME: home } })
    expect(piped.stdout).toBe('{"error":"forbidden"}')
  })
})

describe('cae decode', () => {
  it('of a JWT (bare or as "Bearer …") says it is a token and points to decode and explain', async () => {
    const jwt = await hs256({ sub: 'alice' })
    for (const arg of [jwt, `Bearer ${jwt}`]) {
      const r = await runCli(['cae', 'decode', arg])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe('tokentool: that is a token (a JWT), not a WWW-Authenticate challenge (read it with tokentool decode; for why an API refused it: tokentool explain --response FILE TOKEN)\n')
    }
  })
})

describe('keygen', () => {
  it('to stdout: the key, and a warning on stderr to use --out; --out is 0600 and never replaces a file without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-keygen-'))
    const r = await runCli(['keygen'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).d).toEqual(expect.any(String))
    expect(r.stderr).toBe('tokentool: warning: the private key went to stdout; a file the shell creates (> key.json) is usually readable by everyone: use --out key.json (mode 0600)\n')

    const out = join(dir, 'key.json')
    const first = await runCli(['keygen', '--out', out])
    expect(first.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const kept = readFileSync(out, 'utf8')
    const again = await runCli(['keygen', '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(`tokentool: ${out} exists: keygen does not overwrite it (add --force to replace it, or choose another file)\n`)
    expect(readFileSync(out, 'utf8')).toBe(kept)
    writeFileSync(join(dir, 'other'), 'x')
    const forced = await runCli(['keygen', '--out', out, '--force'])
    expect(forced.code).toBe(0)
    expect(readFileSync(out, 'utf8')).not.toBe(kept)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })
})
