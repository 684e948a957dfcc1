/**
 * What real providers send that our test provider never does (test/e2e/quirk-servers.ts), run
 * through the built binary: Basic credentials encoded exactly as RFC 6749 §2.3.1 asks, OAuth
 * errors read from the body whatever the challenge header or content-type says, refusals
 * without a body named by their status (exit 4), a refresh token killed by reuse detection
 * removed, the exact JWT introspection Accept, `--header` replacing a header tokentool sets,
 * the private_key_jwt audience, and the note on the redirect URI while login waits.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { spawnCli } from '../helpers/spawn-cli.js'
import { startQuirkServers, STRICT_CLIENT, type QuirkServers } from './quirk-servers.js'

let q: QuirkServers
beforeAll(async () => {
  q = await startQuirkServers()
})
afterAll(async () => {
  await q?.close()
})

const cc = (quirk: string, id: string, secret: string, extra: string[] = []) =>
  runCli(['token', '--client-credentials', '--issuer', q.issuer(quirk), '--client-id', id, '--client-secret', secret, ...extra])

/** One error line (besides `-v` trace lines), exit 4, no stack. */
function refused(r: CliResult, re: RegExp): string {
  expect(r.code, r.stderr).toBe(4)
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^[*<>]/.test(l))
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(re)
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /)
  return lines[0]!
}

describe('client_secret_basic', () => {
  it('encodes id and secret as form-urlencoding does, unreserved characters as they are, so a server that does not decode them accepts', async () => {
    const r = await cc('strict-basic', STRICT_CLIENT.id, STRICT_CLIENT.secret)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const sent = q.requests.filter((x) => x.url === '/strict-basic/token').at(-1)!
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${STRICT_CLIENT.id}:${STRICT_CLIENT.secret}`).toString('base64')}`)
  })

  it('percent-encodes what form-urlencoding must (space as +, : % ! as %XX); a server that then refuses with an empty 401 gets a hint naming --client-auth post, which works', async () => {
    const secret = 'a b:c%!'
    const r = await cc('strict-basic', 'webc', secret)
    const sent = q.requests.filter((x) => x.url === '/strict-basic/token').at(-1)!
    expect(Buffer.from(sent.headers.authorization!.slice(6), 'base64').toString()).toBe('webc:a+b%3Ac%25%21')
    refused(r, /^tokentool: HTTP 401: .*token.*empty body.*--client-auth post/)
    const post = await cc('strict-basic', STRICT_CLIENT.id, STRICT_CLIENT.secret, ['--client-auth', 'post'])
    expect(post.code, post.stderr).toBe(0)
  })
})

describe('error bodies', () => {
  it('a 401 with WWW-Authenticate: Basic: the invalid_client in its body is the error, with the --client-auth post hint; -v says what was unusual', async () => {
    const r = await cc('lemon', 'cli', 'cli-secret-0123456789', ['-v'])
    refused(r, /^tokentool: invalid_client \(.*--client-auth post/)
    expect(r.stderr).toMatch(/^\* the OAuth error came with WWW-Authenticate: Basic; the error in the body is what counts$/m)
  })

  it('a JSON OAuth error sent as text/plain is still the error (exit 4)', async () => {
    const r = await cc('textplain', 'cli', 'cli-secret-0123456789', ['-v'])
    refused(r, /^tokentool: invalid_scope: scope "admin" is not allowed$/)
    expect(r.stderr).toMatch(/^\* the OAuth error came as text\/plain, not application\/json; read as JSON anyway$/m)
  })

  it('an empty 403 from the token endpoint is the server saying no: exit 4 naming the status', async () => {
    const r = await cc('empty', 'cli', 'cli-secret-0123456789')
    const line = refused(r, /^tokentool: HTTP 403: client credentials grant at http:\/\/127\.0\.0\.1:\d+\/empty\/token: the server said no without an OAuth error \(empty body\) \(.*try --client-auth post .*\)$/)
    expect(line).not.toMatch(/content-type|JSON/)
  })

  it('userinfo answering 401 without a challenge: exit 4 with the status', async () => {
    const r = await runCli(['userinfo', '--issuer', q.issuer('empty'), '--client-id', 'cli', 'opaque-access-token-0123456789'])
    refused(r, /^tokentool: HTTP 401: userinfo at http:\/\/127\.0\.0\.1:\d+\/empty\/userinfo: /)
  })
})

describe('a refresh token killed by reuse detection (400, no body)', () => {
  it('is removed from the profile, with the sign-in hint; the next run does not spend it again', async () => {
    const home = tempHome()
    const env = { TOKENTOOL_HOME: home }
    const flags = ['--issuer', q.issuer('rotate'), '--client-id', 'cli']
    const first = await runCli(['refresh', ...flags, '--refresh-token', 'rt1'], { env })
    expect(first.code, first.stderr).toBe(0)
    const second = await runCli(['refresh', ...flags], { env })
    refused(second, /^tokentool: HTTP 400: refresh at .*\(the stored refresh token was rejected and removed; sign in again with: tokentool login --profile default\)$/)
    const spent = q.requests.filter((x) => x.url === '/rotate/token').map((x) => new URLSearchParams(x.body).get('refresh_token'))
    expect(spent).toEqual(['rt1', 'rt2'])
    const third = await runCli(['refresh', ...flags], { env })
    expect(third.code).toBe(2)
    expect(third.stderr).toMatch(/has no refresh token/)
    expect(q.requests.filter((x) => x.url === '/rotate/token')).toHaveLength(2)
  })
})

describe('request headers', () => {
  const introspect = (extra: string[]) => runCli(['introspect', '--issuer', q.issuer('echo-accept'), '--client-id', 'cli', '--client-secret', 'cli-secret-0123456789', ...extra, 'opaque-token-0123456789'])
  const lastAccept = () => q.requests.filter((x) => x.url === '/echo-accept/introspect').at(-1)!.headers.accept

  it('--jwt asks for exactly application/token-introspection+jwt (glewlwyd answers nothing else)', async () => {
    const r = await introspect(['--jwt'])
    expect(r.code, r.stderr).toBe(0)
    expect(lastAccept()).toBe('application/token-introspection+jwt')
  })

  it('--header replaces a header tokentool sets, whatever its case, instead of adding a second value', async () => {
    const r = await introspect(['--jwt', '--header', 'ACCEPT=application/json'])
    expect(r.code, r.stderr).toBe(0)
    expect(lastAccept()).toBe('application/json')
    const plain = await introspect(['--header', 'Accept: application/token-introspection+jwt'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(lastAccept()).toBe('application/token-introspection+jwt')
  })
})

describe('--client-assertion-audience', () => {
  const keyFile = () => {
    const f = join(tempHome(), 'client.jwk')
    writeFileSync(f, JSON.stringify(q.clientJwk))
    return f
  }
  const pk = (extra: string[], env: Record<string, string> = {}) =>
    runCli(['token', '--client-credentials', '--issuer', q.issuer('pkjwt'), '--client-id', 'pk-client', '--client-key', keyFile(), ...extra], { env })

  it('default issuer: a server that wants its token endpoint says invalid_client, and the hint names the flag', async () => {
    const r = await pk([])
    refused(r, /^tokentool: invalid_client: client assertion rejected \(.*--client-assertion-audience token-endpoint\)$/)
  })

  it('token-endpoint signs for the token endpoint URL; a URL is used as given (and names issuer in the hint when refused)', async () => {
    const ok = await pk(['--client-assertion-audience', 'token-endpoint'])
    expect(ok.code, ok.stderr).toBe(0)
    const url = await pk(['--client-assertion-audience', `${q.issuer('pkjwt')}/elsewhere`])
    refused(url, /try --client-assertion-audience issuer\)$/)
  })

  it('anything else is a usage error, and it cannot go with a ready-made assertion', async () => {
    const bad = await pk(['--client-assertion-audience', 'the-issuer'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('tokentool: --client-assertion-audience must be issuer, token-endpoint or a URL: the-issuer\n')
    const both = await runCli(['token', '--client-credentials', '--issuer', q.issuer('pkjwt'), '--client-id', 'pk-client', '--client-assertion', 'env:A', '--client-assertion-audience', 'issuer'], { env: { A: 'x' } })
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/--client-assertion-audience is the aud of the assertion tokentool signs/)
  })
})

describe('login while it waits', () => {
  it('says once, after a few seconds, which redirect URI was sent and what exact-matching providers need', { timeout: 30_000 }, async () => {
    const live = spawnCli(['login', '--issuer', q.issuer('strict-basic'), '--client-id', 'cli', '--no-open', '--timeout', '9s'])
    const [, uri] = await live.waitForStderr(/^Waiting for the sign-in to come back to (\S+)/m)
    const [note] = await live.waitForStderr(/^note: the redirect URI sent was .*$/m, 15_000)
    expect(note).toBe(
      `note: the redirect URI sent was ${uri}; a provider that matches redirect URIs exactly (most do, port included; Entra ID and Google accept any loopback port) shows an error page instead of coming back: register this URI with the client, or give --port (and --redirect-host) to match a registered one`,
    )
    const r = await live.done
    expect(r.code).toBe(3)
    expect(r.stderr.match(/^note: /gm)).toHaveLength(1)
  })
})
