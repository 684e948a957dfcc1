import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NetworkError } from '../../src/errors.js'
import { JwksResolver, fetchJwks } from '../../src/oauth/jwks.js'

const setA = { keys: [{ kty: 'oct', kid: 'a', k: 'AAAA' }] }
const setB = { keys: [{ kty: 'oct', kid: 'b', k: 'BBBB' }] }
let server: Server
let base = ''
let rotatedHits = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(body)
    }
    switch (req.url) {
      case '/jwks':
        return send(200, JSON.stringify(setA), { date: new Date('2026-01-01T00:07:00Z').toUTCString() })
      case '/rotating':
        return send(200, JSON.stringify(rotatedHits++ === 0 ? setA : setB))
      case '/html':
        return send(200, '<html>nope</html>', { 'content-type': 'text/html' })
      case '/notjwks':
        return send(200, JSON.stringify({ issuer: 'x' }))
      case '/500':
        return send(500, 'oops')
      case '/huge':
        return send(200, JSON.stringify({ keys: [{ kty: 'oct', k: 'A'.repeat(600 * 1024) }] }))
      default:
        return send(404, '{}')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const deps = (now = () => new Date('2026-01-01T00:00:00Z')) => ({ fetch: async () => globalThis.fetch, now })

describe('fetchJwks', () => {
  it('returns the key set and the server Date header', async () => {
    const r = await fetchJwks(`${base}/jwks`, deps())
    expect(r.jwks).toEqual(setA)
    expect(r.serverDate?.toISOString()).toBe('2026-01-01T00:07:00.000Z')
  })
  it.each([
    ['/html', /did not return JSON/],
    ['/notjwks', /did not return a JWK Set/],
    ['/500', /HTTP 500/],
    ['/404', /HTTP 404/],
    ['/huge', /limit/],
  ])('%s is a NetworkError', async (path, msg) => {
    const p = fetchJwks(`${base}${path}`, deps())
    await expect(p).rejects.toBeInstanceOf(NetworkError)
    await expect(p).rejects.toThrow(msg)
  })
  it('plain http is refused except for loopback (keys could be swapped on the path)', async () => {
    await expect(fetchJwks('http://keys.example.com/jwks', deps())).rejects.toThrow(/must use https/)
    await expect(fetchJwks('ftp://keys.example.com/jwks', deps())).rejects.toThrow(/must be http\(s\)/)
  })
  it('an unreachable server is a NetworkError', async () => {
    const s = createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const port = (s.address() as AddressInfo).port
    await new Promise<void>((r) => s.close(() => r()))
    await expect(fetchJwks(`http://127.0.0.1:${port}/`, deps())).rejects.toThrow(/connection refused/)
  })
})

describe('JwksResolver', () => {
  it('refetches once for an unknown kid, then not again within the cooldown', async () => {
    rotatedHits = 0
    let now = Date.parse('2026-01-01T00:00:00Z')
    const r = new JwksResolver(`${base}/rotating`, deps(() => new Date(now)))
    expect((await r.lookup('a')).keys).toHaveLength(1)
    const b = await r.lookup('b')
    expect(b).toMatchObject({ refetched: true, cooledDown: false })
    expect(b.keys[0]?.kid).toBe('b')
    const c = await r.lookup('c')
    expect(c).toEqual({ keys: [], refetched: false, cooledDown: true })
    expect(r.fetches).toBe(2)
    now += 31_000
    expect(await r.lookup('c')).toMatchObject({ keys: [], refetched: true })
    expect(r.fetches).toBe(3)
  })

  it('concurrent lookups of an unknown kid share one refetch', async () => {
    rotatedHits = 0
    const r = new JwksResolver(`${base}/rotating`, deps())
    await r.get()
    const results = await Promise.all([r.lookup('b'), r.lookup('b'), r.lookup('b')])
    expect(results.map((x) => x.keys[0]?.kid)).toEqual(['b', 'b', 'b'])
    expect(r.fetches).toBe(2)
  })
})
