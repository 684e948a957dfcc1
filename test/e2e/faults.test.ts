/**
 * Faults on the wire, against real local servers (test/e2e/fault-servers.ts) and the built
 * binary: each ends in exit 3 with one line naming the host and what went wrong, nothing is
 * stored, retries happen only where they are safe (GETs; a POST is never sent twice), and a
 * 503 with a short Retry-After is waited out.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultServers, type FaultServers } from './fault-servers.js'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'

let f: FaultServers
beforeAll(async () => {
  f = await startFaultServers()
})
afterAll(async () => {
  await f?.close()
})

const WK = '/.well-known/openid-configuration'

function exit3(r: CliResult, re: RegExp): void {
  expect(r.code, r.stderr).toBe(3)
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('*') && !l.startsWith('>') && !l.startsWith('<'))
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^tokentool: /)
  expect(lines[0]).toMatch(re)
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /)
}

/** `token` by client credentials against a fault's token endpoint, in `home`. */
const token = (fault: string, home: string, extra: string[] = []) =>
  runCli(['token', '--client-credentials', '--token-endpoint', `${f.issuer(fault)}/token`, '--client-id', 'ci', '--client-secret', 'ci-secret-0123456789', ...extra], { env: { TOKENTOOL_HOME: home } })

/** Nothing of a token in the store: no tokens file at all. */
function nothingStored(home: string): void {
  const dir = join(home, 'tokens')
  expect(existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []).toEqual([])
}

describe('timeouts', () => {
  it('a server that never answers: --timeout ends the wait with one line', { timeout: 30_000 }, async () => {
    const r = await runCli(['discover', '--timeout', '1s', '--issuer', f.issuer('hang')])
    exit3(r, new RegExp(`timed out after 1s talking to 127\\.0\\.0\\.1:${new URL(f.base).port}`))
    // a timeout is not retried: the server may still be working on it
    expect(f.requestsTo(`/hang${WK}`)).toHaveLength(1)
  })

  it('TOKENTOOL_TIMEOUT does the same, and a bad --timeout is a usage error', async () => {
    const r = await runCli(['discover', '--issuer', f.issuer('hang')], { env: { TOKENTOOL_TIMEOUT: '500ms' } })
    exit3(r, /timed out after 0\.5s/)
    for (const [value, why] of [['soon', /--timeout: cannot read "soon"/], ['0', /longer than 0s/], ['1000d', /--timeout 1000d is longer than a day/]] as const) {
      const bad = await runCli(['discover', '--timeout', value, '--issuer', f.issuer('ok')])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(why)
    }
    expect(f.requestsTo(`/ok${WK}`)).toHaveLength(0)
  })
})

describe('resets, 503 and Retry-After', () => {
  it('a GET whose connection is reset is retried twice with backoff, then fails naming the host', async () => {
    const r = await runCli(['-v', 'discover', '--issuer', f.issuer('reset')])
    exit3(r, /connection to 127\.0\.0\.1:\d+ was closed unexpectedly/)
    expect(f.requestsTo(`/reset${WK}`)).toHaveLength(3)
    expect(r.stderr.match(/^\* retrying GET /gm)).toHaveLength(2)
  })

  it('a POST whose connection is reset is sent once only (the server may have acted on it)', async () => {
    const home = tempHome()
    const r = await token('reset', home)
    exit3(r, /closed unexpectedly/)
    expect(f.requestsTo('/reset/token')).toHaveLength(1)
    nothingStored(home)
  })

  it('503 with Retry-After: 1 on discovery and JWKS is waited out, and the command succeeds', { timeout: 30_000 }, async () => {
    const r = await runCli(['-v', 'discover', '--json', '--issuer', f.issuer('flaky')])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).issuer ?? JSON.parse(r.stdout).metadata?.issuer).toBe(f.issuer('flaky'))
    expect(f.requestsTo(`/flaky${WK}`)).toHaveLength(2)
    expect(f.requestsTo('/flaky/jwks')).toHaveLength(2)
    expect(r.stderr).toMatch(/^\* HTTP 503 from 127\.0\.0\.1:\d+: retrying in 1000 ms \(Retry-After\)$/m)
  })

  it('a POST answered 503 with Retry-After is not sent again: exit 3, nothing stored', async () => {
    const home = tempHome()
    const r = await token('flaky', home)
    exit3(r, /503/)
    expect(f.requestsTo('/flaky/token')).toHaveLength(1)
    nothingStored(home)
  })

  it('a Retry-After longer than 10s is the answer, not a reason to wait', async () => {
    const r = await runCli(['discover', '--issuer', f.issuer('busy')])
    exit3(r, /HTTP 503/)
    expect(f.requestsTo(`/busy${WK}`)).toHaveLength(1)
  })
})

describe('broken and hostile answers', () => {
  it('bytes that are not HTTP', async () => {
    const r = await runCli(['discover', '--issuer', f.garbageUrl])
    exit3(r, new RegExp(`${new URL(f.garbageUrl).host}`))
  })

  it('a body cut short', async () => {
    exit3(await runCli(['discover', '--issuer', f.issuer('truncated')]), /connection to 127\.0\.0\.1:\d+ was closed unexpectedly/)
  })

  it('an HTML page instead of JSON', async () => {
    exit3(await runCli(['discover', '--issuer', f.issuer('notjson')]), /is not JSON/)
  })

  it('a redirect loop ends after 5 hops, naming where it started', async () => {
    const r = await runCli(['verify', '--jwks', `${f.base}/loop/a`, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'])
    exit3(r, new RegExp(`too many redirects \\(more than 5\\) starting at ${f.base}/loop/a`))
    expect(f.log.filter((e) => e.path.startsWith('/loop/')).length).toBe(6)
  })

  it('a discovery document over the size limit, and a JWKS over its own while streaming', async () => {
    exit3(await runCli(['discover', '--issuer', f.issuer('huge')]), /over the 4194304-byte limit/)
    exit3(await runCli(['verify', '--jwks', `${f.issuer('huge')}/jwks`, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln']), /over the 524288-byte limit/)
  })

  it('an issuer that does not match, and a plain-http endpoint off loopback', async () => {
    exit3(await runCli(['discover', '--issuer', f.issuer('mismatch')]), /issuer mismatch: asked for ".*\/mismatch" but the document .* says "https:\/\/evil\.example"/)
    exit3(await runCli(['discover', '--issuer', f.issuer('insecure')]), /"token_endpoint" must use https/)
    const home = tempHome()
    const r = await runCli(['token', '--client-credentials', '--issuer', f.issuer('insecure'), '--client-id', 'ci', '--client-secret', 'ci-secret-0123456789'], { env: { TOKENTOOL_HOME: home } })
    exit3(r, /must use https/)
    expect(r.stderr).not.toContain('ci-secret-0123456789')
    expect(f.log.some((e) => e.path === '/insecure/token')).toBe(false)
    nothingStored(home)
  })

  it("an error_description that quotes the request's secrets and a token is redacted on the error line (exit 4)", async () => {
    const r = await runCli(['token', '--client-credentials', '--client-auth', 'post', '--token-endpoint', `${f.issuer('echo')}/token`, '--client-id', 'ci', '--client-secret', 'ci-secret-0123456789'])
    expect(r.code, r.stderr).toBe(4)
    expect(r.stderr).toMatch(/^tokentool: invalid_grant: cannot accept .*client_secret=ci-sec…\(20 chars\)/)
    expect(r.stderr).toContain('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.<redacted>')
    expect(r.stderr).not.toContain('ci-secret-0123456789')
    expect(r.stderr).not.toContain('c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbi0wMTIzNDU2Nzg5')
  })

  it('a token response without access_token: exit 3, and nothing (not even its refresh token) is stored', async () => {
    const home = tempHome()
    const r = await token('noaccess', home)
    exit3(r, /access_token/)
    expect(r.stderr).not.toContain('rt-that-must-not-be-stored')
    nothingStored(home)
  })
})
