/** createFetch and the `-v` trace against a real node:http server on 127.0.0.1. */
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { NetworkError } from '../../src/errors.js'
import { createFetch } from '../../src/http/fetch.js'
import { closedPort, startHttpServer, type TinyServer } from '../helpers/http-server.js'

let server: TinyServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

function sink() {
  const s = new PassThrough()
  let text = ''
  s.setEncoding('utf8').on('data', (d: string) => (text += d))
  return { stream: s, text: () => text }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const AT = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64({ sub: 'alice' })}.c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw`
const RT = 'rt_7Gh2kLmN0pQrStUvWxYz0123456789'
const SECRET = 'cs_super-secret-client-secret-0001'

describe('createFetch trace (-v)', () => {
  it('traces method, URL, status, timing, headers and bodies with every secret redacted', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=abcdefghijklmnopqrstuvwxyz; HttpOnly' })
      res.end(JSON.stringify({ access_token: AT, refresh_token: RT, token_type: 'Bearer', expires_in: 300 }))
    })
    const trace = sink()
    const fetch = createFetch({ trace: trace.stream })
    const res = await fetch(`${server.url}/token?code=abcdefghijklmnopqrstuvwxyz`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`cli:${SECRET}`).toString('base64')}`, cookie: 'sid=zyxwvutsrqponmlkjihgfedcba' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: RT, client_secret: SECRET }),
    })
    // the caller still gets the body, unredacted
    expect(await res.json()).toMatchObject({ access_token: AT, refresh_token: RT })
    expect(res.url).toBe(`${server.url}/token?code=abcdefghijklmnopqrstuvwxyz`)
    // the server got the real request
    expect(server.requests[0]?.body).toContain(`client_secret=${SECRET}`)

    const t = trace.text()
    expect(t).toContain(`> POST ${server.url}/token?code=abcdef…(26 chars)`)
    expect(t).toMatch(/> content-type: application\/x-www-form-urlencoded/)
    expect(t).toContain('> grant_type=refresh_token&refresh_token=rt_7Gh…(33 chars)&client_secret=cs_sup…(34 chars)')
    expect(t).toContain('< 200 OK')
    expect(t).toContain('< set-cookie: sid=abcdef…(26 chars); HttpOnly')
    expect(t).toContain(`"access_token": "${AT.split('.').slice(0, 2).join('.')}.<redacted>"`)
    expect(t).toMatch(/\* \[1\] POST http:\/\/127\.0\.0\.1:\d+\/token\?code=abcdef…\(26 chars\) → 200 in \d+ ms/)
    for (const secret of [SECRET, RT, 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba', AT, 'c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw', Buffer.from(`cli:${SECRET}`).toString('base64')]) {
      expect(t).not.toContain(secret)
    }
  })

  it('writes nothing without a trace stream and leaves the body streaming', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('hello')
    })
    const res = await createFetch()(server.url)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hello')
  })

  it('accepts a Request object as input', async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`${req.method} ${req.url}`)
    })
    const trace = sink()
    const res = await createFetch({ trace: trace.stream })(new Request(`${server.url}/x?y=1`, { method: 'POST', body: 'code=abcdefghijklmnopqrstuvwxyz', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
    expect(await res.text()).toBe('POST /x?y=1')
    expect(server.requests[0]?.body).toBe('code=abcdefghijklmnopqrstuvwxyz')
    expect(trace.text()).toContain('> code=abcdef…(26 chars)')
  })

  it('traces a failure on one line', async () => {
    const port = await closedPort()
    const trace = sink()
    await expect(createFetch({ trace: trace.stream })(`http://127.0.0.1:${port}/x?access_token=abcdefghijklmnopqrstu`)).rejects.toThrow(NetworkError)
    expect(trace.text()).toMatch(new RegExp(`\\* \\[1\\] failed after \\d+ ms: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`))
    expect(trace.text()).not.toContain('abcdefghijklmnopqrstu')
  })
})

describe('createFetch errors', () => {
  it('maps connection refused to a NetworkError naming the host', async () => {
    const port = await closedPort()
    const err = await createFetch()(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toBe(`cannot connect to 127.0.0.1:${port}: connection refused`)
  })

  it('maps its own timeout to "timed out after … talking to host"', async () => {
    server = await startHttpServer(() => {}) // accepts, never answers
    const err = await createFetch({ timeoutMs: 200 })(server.url).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toBe(`timed out after 0.2s talking to 127.0.0.1:${server.port}`)
  })

  it('maps a stall in the middle of the body too', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"issuer":') // and never finishes
    })
    // JSON from a server is read whole (its nesting is checked first), so the stall may surface
    // from fetch itself; either way it is the same NetworkError
    const err = await createFetch({ timeoutMs: 300 })(server.url)
      .then((res) => res.text())
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toMatch(/^timed out after 0\.3s talking to 127\.0\.0\.1:\d+$/)
  })

  it("passes the caller's own abort through unchanged", async () => {
    server = await startHttpServer(() => {})
    const err = await createFetch()(server.url, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(NetworkError)
    expect((err as Error).name).toBe('TimeoutError')
  })

  it('maps a TLS failure (self-signed certificate) to one line naming the host', async () => {
    const { createServer } = await import('node:https')
    const { execFileSync } = await import('node:child_process')
    const { mkdtempSync, readFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'tls-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' })
    const https = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_q, r) => r.end('{}'))
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r))
    const port = (https.address() as import('node:net').AddressInfo).port
    try {
      const err = await createFetch()(`https://127.0.0.1:${port}/`).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(NetworkError)
      expect((err as Error).message).toMatch(new RegExp(`^TLS error talking to 127\\.0\\.0\\.1:${port}: .*self[- ]signed`))
    } finally {
      https.close()
    }
  })
})
