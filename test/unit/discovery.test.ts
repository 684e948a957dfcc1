import { afterEach, describe, expect, it } from 'vitest'
import { discoverIssuer } from '../../src/oauth/discovery.js'
import { NetworkError, UsageError } from '../../src/errors.js'
import { closedPort, startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { fetch as undiciFetch } from 'undici'

const deps = { fetch: async () => undiciFetch as unknown as typeof fetch, now: () => new Date() }
let server: TinyServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

function json(res: import('node:http').ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type })
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

describe('discoverIssuer', () => {
  it('returns the validated document and the server Date', async () => {
    server = await startHttpServer((req, res, base) =>
      req.url === '/.well-known/openid-configuration'
        ? json(res, 200, { issuer: base, jwks_uri: `${base}/jwks`, token_endpoint: `${base}/token` })
        : json(res, 404, {}),
    )
    const r = await discoverIssuer(server.url, deps)
    expect(r.metadata.issuer).toBe(server.url)
    expect(r.metadata.jwks_uri).toBe(`${server.url}/jwks`)
    expect(r.serverDate).toBeInstanceOf(Date)
  })

  it('falls back to RFC 8414 metadata on 404', async () => {
    server = await startHttpServer((req, res, base) =>
      req.url === '/.well-known/oauth-authorization-server/tenant'
        ? json(res, 200, { issuer: `${base}/tenant`, token_endpoint: `${base}/token` })
        : json(res, 404, {}),
    )
    const r = await discoverIssuer(`${server.url}/tenant`, deps)
    expect(r.metadata.issuer).toBe(`${server.url}/tenant`)
    expect(server.requests.map((q) => q.url)).toEqual([
      '/tenant/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenant',
    ])
  })

  it('rejects an issuer mismatch naming both values, even a trailing slash', async () => {
    server = await startHttpServer((_req, res, base) => json(res, 200, { issuer: `${base}/` }))
    const err = await discoverIssuer(server.url, deps).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toContain(`"${server.url}"`)
    expect((err as Error).message).toContain(`"${server.url}/"`)
  })

  it('rejects a different issuer', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, { issuer: 'https://evil.example' }))
    await expect(discoverIssuer(server.url, deps)).rejects.toThrow(/issuer mismatch.*https:\/\/evil\.example/)
  })

  it('rejects non-JSON and non-object bodies', async () => {
    server = await startHttpServer((req, res) =>
      req.url?.startsWith('/a/') ? json(res, 200, '<html>hi</html>', 'text/html') : json(res, 200, [1, 2]),
    )
    await expect(discoverIssuer(`${server.url}/a`, deps)).rejects.toThrow(/is not JSON/)
    await expect(discoverIssuer(`${server.url}/b`, deps)).rejects.toThrow(/is not a JSON object/)
  })

  it('rejects plain-http endpoints off loopback', async () => {
    server = await startHttpServer((_req, res, base) =>
      json(res, 200, { issuer: base, token_endpoint: 'http://login.example.com/token' }),
    )
    await expect(discoverIssuer(server.url, deps)).rejects.toThrow(/"token_endpoint" must use https/)
  })

  it('names the host when nothing listens', async () => {
    const port = await closedPort()
    const err = await discoverIssuer(`http://127.0.0.1:${port}`, deps).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toBe(`cannot connect to 127.0.0.1:${port}: connection refused`)
  })

  it('reports a 5xx as a network failure', async () => {
    server = await startHttpServer((_req, res) => json(res, 503, { error: 'down' }))
    await expect(discoverIssuer(server.url, deps)).rejects.toThrow(/returned HTTP 503/)
  })

  it('refuses http for a non-loopback issuer and junk URLs (usage errors)', async () => {
    await expect(discoverIssuer('http://login.example.com', deps)).rejects.toBeInstanceOf(UsageError)
    await expect(discoverIssuer('not a url', deps)).rejects.toBeInstanceOf(UsageError)
  })
})
