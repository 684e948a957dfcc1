/**
 * `tokentool call` as a user runs it, against tiny local APIs and a profile whose token file
 * is written by the test: usage errors, exit codes by status (2xx 0, 4xx 1, 5xx 3), network
 * failure, `--json` with a binary body. The CAE flows against the real provider are in
 * test/e2e/call.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closedPort, startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

const TOKEN = 'opaque-test-token-0123456789abcdef'

function homeWithToken(opts: { expiresAt?: number } = {}): string {
  const home = tempHome()
  mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
  const entry = { accessToken: TOKEN, tokenType: 'Bearer', cacheKey: 'k', obtainedAt: Math.floor(Date.now() / 1000), expiresAt: opts.expiresAt ?? Math.floor(Date.now() / 1000) + 3600 }
  writeFileSync(join(home, 'tokens', 'default.json'), JSON.stringify({ version: 1, accessTokens: { k: entry } }), { mode: 0o600 })
  return home
}

let server: TinyServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('call: usage', () => {
  it.each([
    [['call'], /^tokentool: missing the url argument \(see tokentool call --help\)$/m],
    [['call', 'not a url'], /not a URL: not a url/],
    [['call', 'ftp://x.example/'], /http and https, not ftp:/],
    [['call', '-H', 'Authorization: Bearer x', 'https://x.example/'], /use curl to send one of your own/],
    [['call', '-H', 'nocolon', 'https://x.example/'], /-H must look like "Name: value"/],
    [['call', '-d', '@/nonexistent/file', 'https://x.example/'], /cannot read the request body file/],
  ])('%j exits 2', async (args, message) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stdout).toBe('')
  })

  it('exits 2 for a profile without tokens, naming login', async () => {
    const r = await runCli(['call', 'http://127.0.0.1:9/x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: profile "default" has no access token (sign in with: tokentool login)\n')
  })

  it('exits 1 when the stored token expired and there is no refresh token', async () => {
    const r = await runCli(['call', '--profile', 'default', 'http://127.0.0.1:9/x'], { env: { TOKENTOOL_HOME: homeWithToken({ expiresAt: 1 }) } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/has expired and there is no refresh token \(sign in with: tokentool login\)/)
  })
})

describe('call: responses', () => {
  it('sends the stored token as Bearer, and the body to stdout exactly', async () => {
    server = await startHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('no newline at the end'))
    const r = await runCli(['call', `${server.url}/a?b=1`], { env: { TOKENTOOL_HOME: homeWithToken() } })
    expect(r).toMatchObject({ code: 0, stdout: 'no newline at the end', stderr: '' })
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/a?b=1' })
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('exits 1 for a 404 and 3 for a 503, with the body still on stdout', async () => {
    server = await startHttpServer((req, res) => (req.url === '/missing' ? res.writeHead(404).end('not here') : res.writeHead(503).end('down')))
    const home = homeWithToken()
    const missing = await runCli(['call', `${server.url}/missing`], { env: { TOKENTOOL_HOME: home } })
    expect(missing).toMatchObject({ code: 1, stdout: 'not here', stderr: 'tokentool: the API answered HTTP 404 Not Found\n' })
    const down = await runCli(['call', `${server.url}/down`], { env: { TOKENTOOL_HOME: home } })
    expect(down).toMatchObject({ code: 3, stdout: 'down', stderr: 'tokentool: the API answered HTTP 503 Service Unavailable\n' })
  })

  it('exits 3 when the API cannot be reached', async () => {
    const port = await closedPort()
    const r = await runCli(['call', `http://127.0.0.1:${port}/x`], { env: { TOKENTOOL_HOME: homeWithToken() } })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(new RegExp(`^tokentool: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`, 'm'))
  })

  it('--json: one document (binary body as base64), also for a refusal', async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/bin') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0xff, 0x00, 0xfe]))
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token", error_description="token expired"' }).end()
    })
    const home = homeWithToken()
    const bin = await runCli(['--json', 'call', `${server.url}/bin`], { env: { TOKENTOOL_HOME: home } })
    expect(bin.code).toBe(0)
    expect(JSON.parse(bin.stdout)).toMatchObject({ status: 200, body: '/wD+', bodyEncoding: 'base64', retried: false, challenge: null, answered: null })

    const refused = await runCli(['--json', 'call', `${server.url}/r`], { env: { TOKENTOOL_HOME: home } })
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 401, body: '', challenge: { scheme: 'Bearer', params: { error: 'invalid_token', error_description: 'token expired' } } })
    expect(refused.stderr).toBe('tokentool: the API refused the token: HTTP 401 Unauthorized, invalid_token: token expired\n')
  })

  it('redacts a token a server echoes in its challenge on stderr', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl'
    server = await startHttpServer((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", error_description="bad token ${jwt}"` }).end())
    const r = await runCli(['call', `${server.url}/x`], { env: { TOKENTOOL_HOME: homeWithToken() } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/error_description\s+bad token eyJhbGciOiJIUzI1NiJ9\.eyJzdWIiOiJ4In0\.<redacted>/)
    expect(r.stderr).toMatch(/invalid_token: bad token eyJhbGciOiJIUzI1NiJ9\.eyJzdWIiOiJ4In0\.<redacted>$/m)
    expect(r.stderr).not.toContain(jwt)
  })
})
