/**
 * createFetch's safety rails against real node:http servers on 127.0.0.1: which failures are
 * retried (per request policy), Retry-After, bounded attempts, redirects (hop limit, no
 * downgrade off loopback, credentials not carried to another origin), response size limits.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { NetworkError } from '../../src/errors.js'
import { BODY_LIMIT, RETRY, createFetch, noProxyFor, retryAfterMs } from '../../src/http/fetch.js'
import { closedPort, startHttpServer, type TinyServer } from '../helpers/http-server.js'

let server: TinyServer | undefined
let raw: Server | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  raw?.closeAllConnections()
  await new Promise((r) => (raw ? raw.close(r) : r(undefined)))
  raw = undefined
})

const waits: number[] = []
const fakeSleep = async (ms: number) => void waits.push(ms)
afterEach(() => void waits.splice(0))

describe('retries', () => {
  it('connection refused is retried for any method (nothing was sent), and the request then goes through once', async () => {
    for (const method of ['GET', 'POST']) {
      const port = await closedPort()
      const hits: string[] = []
      const fetch = createFetch({
        sleep: async () => {
          // the server comes up during the backoff
          raw ??= createServer((req, res) => {
            hits.push(req.method!)
            res.end('ok')
          })
          if (!raw.listening) await new Promise<void>((r) => raw!.listen(port, '127.0.0.1', r))
        },
      })
      const res = await fetch(`http://127.0.0.1:${port}/`, { method, ...(method === 'POST' ? { body: 'code=abc' } : {}) })
      expect(await res.text()).toBe('ok')
      expect(hits).toEqual([method])
      raw?.closeAllConnections()
      await new Promise((r) => raw!.close(r))
      raw = undefined
    }
  })

  it('policy never: not even a refused connection is retried', async () => {
    const port = await closedPort()
    let slept = 0
    const fetch = createFetch({ sleep: async () => void slept++ })
    const err = await fetch(`http://127.0.0.1:${port}/token`, { method: 'POST', body: 'grant_type=authorization_code&code=x', [RETRY]: 'never' } as RequestInit).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toMatch(/connection refused/)
    expect(slept).toBe(0)
  })

  it('gives up after 2 retries: 3 attempts in all, backoff growing', async () => {
    const port = await closedPort()
    const fetch = createFetch({ sleep: fakeSleep })
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/connection refused/)
    expect(waits).toHaveLength(2)
    expect(waits[1]!).toBeGreaterThan(waits[0]!)
    expect(waits[0]!).toBeGreaterThanOrEqual(187)
    expect(waits[1]!).toBeLessThanOrEqual(625)
  })

  it('503 and 429 with Retry-After: waited out for a GET (seconds or HTTP date), the answer returned for a POST', async () => {
    let n = 0
    server = await startHttpServer((req, res) => {
      n++
      if (req.url === '/date' && n === 1) {
        res.writeHead(429, { 'retry-after': new Date(Date.now() + 3000).toUTCString() })
        return res.end()
      }
      if (n === 1 || req.method === 'POST') {
        res.writeHead(503, { 'retry-after': '2' })
        return res.end('busy')
      }
      res.end('ok')
    })
    const fetch = createFetch({ sleep: fakeSleep })
    expect(await (await fetch(`${server.url}/a`)).text()).toBe('ok')
    expect(waits).toEqual([2000])
    n = 0
    expect((await fetch(`${server.url}/date`)).status).toBe(200)
    expect(waits[1]!).toBeGreaterThan(1000)
    expect(waits[1]!).toBeLessThanOrEqual(3000)
    const before = server.requests.length
    const post = await fetch(`${server.url}/token`, { method: 'POST', body: 'grant_type=refresh_token&refresh_token=x' })
    expect(post.status).toBe(503)
    expect(server.requests.length - before).toBe(1)
  })

  it('without Retry-After, or with one too long, the 503 is the answer', async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(503, req.url === '/long' ? { 'retry-after': '3600' } : {})
      res.end()
    })
    const fetch = createFetch({ sleep: fakeSleep })
    expect((await fetch(`${server.url}/none`)).status).toBe(503)
    expect((await fetch(`${server.url}/long`)).status).toBe(503)
    expect(server.requests).toHaveLength(2)
    expect(waits).toEqual([])
  })

  it('a retry is traced with -v', async () => {
    let n = 0
    server = await startHttpServer((_req, res) => {
      res.writeHead(n++ ? 200 : 503, n === 1 ? { 'retry-after': '0' } : {})
      res.end()
    })
    const trace = new PassThrough()
    let text = ''
    trace.setEncoding('utf8').on('data', (d: string) => (text += d))
    await createFetch({ trace, sleep: fakeSleep })(`${server.url}/x?code=abcdefghijklmnopqrstuvwxyz`)
    expect(text).toMatch(/^\* HTTP 503 from 127\.0\.0\.1:\d+: retrying in 0 ms \(Retry-After\)$/m)
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz')
  })

  it('Retry-After values', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('120', now)).toBe(120_000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs('-5', now)).toBeUndefined()
    expect(retryAfterMs(null, now)).toBeUndefined()
  })
})

describe('redirects', () => {
  it('followed for a GET up to 5 hops; the 6th is refused naming the start', async () => {
    server = await startHttpServer((req, res, base) => {
      const n = Number(req.url!.slice(1))
      res.writeHead(302, { location: `${base}/${n + 1}` })
      res.end()
    })
    const err = await createFetch()(`${server.url}/0`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toBe(`too many redirects (more than 5) starting at ${server.url}/0`)
    expect(server.requests).toHaveLength(6)
  })

  it('never to plain http off loopback', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(301, { location: 'http://keys.example.com/jwks.json' })
      res.end()
    })
    await expect(createFetch()(`${server.url}/jwks`)).rejects.toThrow(/redirected to http:\/\/keys\.example\.com\/jwks\.json: plain http is allowed only for loopback/)
  })

  it('keeps Authorization on the same origin, drops it (and cookies) on another; the final URL is reported', async () => {
    server = await startHttpServer((req, res, base) => {
      const port = new URL(base).port
      if (req.url === '/start') res.writeHead(302, { location: '/same' })
      else if (req.url === '/same') res.writeHead(302, { location: `http://localhost:${port}/other` })
      else res.writeHead(200)
      res.end()
    })
    const res = await createFetch()(`${server.url}/start`, { headers: { authorization: 'Bearer abcdefghijklmnop', cookie: 'a=b' } })
    expect(res.status).toBe(200)
    expect(res.url).toMatch(/^http:\/\/localhost:\d+\/other$/)
    expect(res.redirected).toBe(true)
    const auth = server.requests.map((r) => r.headers.authorization)
    expect(auth).toEqual(['Bearer abcdefghijklmnop', 'Bearer abcdefghijklmnop', undefined])
    expect(server.requests[2]!.headers.cookie).toBeUndefined()
  })

  it('redirect: manual hands the 3xx back (what oauth4webapi and call ask for)', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' })
      res.end()
    })
    const res = await createFetch()(`${server.url}/x`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(server.requests).toHaveLength(1)
  })
})

describe('response size', () => {
  it('a declared length over the limit is refused before reading; a stream is cut at the limit', async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '5000' })
        return res.end('x'.repeat(5000))
      }
      res.writeHead(200) // chunked, no length
      for (let i = 0; i < 10; i++) res.write('y'.repeat(500))
      res.end()
    })
    const fetch = createFetch({ maxBodyBytes: 1000 })
    await expect(fetch(`${server.url}/declared`)).rejects.toThrow(/response from 127\.0\.0\.1:\d+ is 5000 bytes, over the 1000-byte limit/)
    const res = await fetch(`${server.url}/stream`)
    await expect(res.text()).rejects.toThrow(/over the 1000-byte limit/)
    // traced responses are buffered under the same limit
    const traced = createFetch({ maxBodyBytes: 1000, trace: new PassThrough() })
    await expect(traced(`${server.url}/stream`)).rejects.toThrow(/over the 1000-byte limit/)
    // a request may set its own limit
    expect((await (await fetch(`${server.url}/stream`, { [BODY_LIMIT]: 10_000 } as RequestInit)).text()).length).toBe(5000)
  })
})

describe('proxy exemptions', () => {
  it('loopback is exempt while NO_PROXY is unset; a set NO_PROXY (even empty) is taken as given', () => {
    expect(noProxyFor({})).toBe('localhost,127.0.0.1,[::1]')
    expect(noProxyFor({ NO_PROXY: '' })).toBe('')
    expect(noProxyFor({ no_proxy: '.corp.example' })).toBe('.corp.example')
  })
})
