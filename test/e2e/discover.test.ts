/** `tokentool discover` (the built binary) against the oidc-provider fixture and bad servers. */
import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calculateJwkThumbprint } from 'jose'
import { runCli } from '../helpers/run-cli.js'
import { closedPort, startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { startProvider, type TestProvider } from './provider.js'

let op: TestProvider
const bad: TinyServer[] = []
beforeAll(async () => {
  op = await startProvider()
})
afterAll(async () => {
  await op?.stop()
  await Promise.all(bad.map((s) => s.close()))
})

function send(res: ServerResponse, status: number, body: string, type = 'application/json') {
  res.writeHead(status, { 'content-type': type })
  res.end(body)
}

async function serve(handler: Parameters<typeof startHttpServer>[0]): Promise<TinyServer> {
  const s = await startHttpServer(handler)
  bad.push(s)
  return s
}

describe('tokentool discover', () => {
  it('shows endpoints, what the server supports and its keys with thumbprints', async () => {
    // wide: each row on one line, to read it whole (the wrapping is test/cli/width.test.ts's)
    const r = await runCli(['discover', '--issuer', op.issuer], { env: { COLUMNS: '200' } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`issuer    ${op.issuer}  ✓ matches`)
    expect(r.stdout).toContain(`document  ${op.issuer}/.well-known/openid-configuration  (OpenID Connect discovery)`)
    expect(r.stdout).toMatch(new RegExp(`token +${op.issuer}/token\\n`))
    expect(r.stdout).toMatch(/grants +.*authorization_code, refresh_token, client_credentials, device_code, token-exchange\n/)
    expect(r.stdout).toContain('clock     in step with this machine (HTTP Date)')
    expect(r.stdout).toMatch(/PKCE +S256 +RFC 7636/)
    expect(r.stdout).toMatch(/token exchange +yes +RFC 8693/)
    expect(r.stdout).toMatch(/introspection +yes +RFC 7662/)
    expect(r.stdout).toMatch(/revocation +yes +RFC 7009/)
    expect(r.stdout).toMatch(/device flow +yes +RFC 8628/)
    expect(r.stdout).toMatch(/DPoP +yes \(ES256, .*\) +RFC 9449/) // on by default in oidc-provider 9
    expect(r.stdout).toMatch(/iss in responses +yes +RFC 9207/)
    expect(r.stdout).toContain('Keys (2)')
    for (const k of op.publicJwks.keys) {
      const tp = await calculateJwkThumbprint(k)
      expect(r.stdout).toMatch(new RegExp(`${k.kid} +${k.kty}${k.crv ? ` ${k.crv}` : ''} +${k.alg} +sig +${tp}`))
    }
  })

  it('--json: one document with supports, keys and the metadata', async () => {
    const r = await runCli(['--json', 'discover', op.issuer])
    expect(r.code).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d).toMatchObject({
      issuer: op.issuer,
      kind: 'openid',
      endpoints: { token_endpoint: `${op.issuer}/token`, jwks_uri: `${op.issuer}/jwks` },
      supports: { pkce: ['S256'], tokenExchange: true, introspection: true, revocation: true, deviceFlow: true, dpop: { supported: true }, issParameter: true },
      warnings: [],
      metadata: { issuer: op.issuer },
    })
    expect(Math.abs(d.clockSkewSeconds)).toBeLessThanOrEqual(2)
    expect(d.keys).toHaveLength(2)
    expect(d.keys[0]).toEqual({ kid: op.publicJwks.keys[0]!.kid, kty: 'RSA', alg: 'RS256', use: 'sig', thumbprint: await calculateJwkThumbprint(op.publicJwks.keys[0]!) })
  })

  it('-v traces every exchange on stderr, and stdout stays clean', async () => {
    const r = await runCli(['-v', '--json', 'discover', '--issuer', op.issuer])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).issuer).toBe(op.issuer)
    expect(r.stderr).toContain(`> GET ${op.issuer}/.well-known/openid-configuration`)
    expect(r.stderr).toContain('> accept: application/json')
    expect(r.stderr).toContain('< 200 OK')
    expect(r.stderr).toMatch(new RegExp(`\\* \\[1\\] GET ${op.issuer}/\\.well-known/openid-configuration → 200 in \\d+ ms`))
    expect(r.stderr).toMatch(new RegExp(`\\* \\[2\\] GET ${op.issuer}/jwks → 200 in \\d+ ms`))
    expect(r.stderr).toContain(`"issuer": "${op.issuer}"`)
  })

  it('-v never shows a secret the server sends back', async () => {
    const secret = 'do-not-print-this-refresh-token-0123456789'
    const jwtSig = 'c2lnbmF0dXJlLW9mLWEtand0LXRoYXQtbXVzdC1ub3QtbGVhaw'
    const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.${jwtSig}`
    const s = await serve((req, res, base) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('set-cookie', `session=${secret}; HttpOnly`)
        return send(res, 200, JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks`, refresh_token: secret, note: jwt }))
      }
      send(res, 200, JSON.stringify({ keys: [] }))
    })
    const r = await runCli(['-v', 'discover', '--issuer', s.url])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('"refresh_token": "do-not…(42 chars)"')
    expect(r.stderr).toContain('< set-cookie: session=do-not…(42 chars); HttpOnly')
    expect(r.stderr).toContain('<redacted>')
    expect(r.stderr).not.toContain(secret)
    expect(r.stderr).not.toContain(jwtSig)
  })

  it('falls back to RFC 8414 metadata on 404', async () => {
    const s = await serve((req, res, base) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        return send(res, 200, JSON.stringify({ issuer: base, token_endpoint: `${base}/token`, code_challenge_methods_supported: ['S256'] }))
      }
      send(res, 404, '{}')
    })
    const r = await runCli(['discover', '--issuer', s.url], { env: { COLUMNS: '200' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(RFC 8414 authorization server metadata)')
    expect(r.stdout).toContain('grants            authorization_code, implicit (not advertised: RFC 8414 default)')
    expect(r.stderr).toContain('tokentool: warning: no jwks_uri')
  })

  it('issuer mismatch → exit 3 naming both values', async () => {
    const s = await serve((_req, res) => send(res, 200, JSON.stringify({ issuer: 'https://impostor.example', jwks_uri: 'https://impostor.example/jwks' })))
    const r = await runCli(['discover', '--issuer', s.url])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `tokentool: issuer mismatch: asked for "${s.url}" but the document at ${s.url}/.well-known/openid-configuration says "https://impostor.example" (the issuer must match exactly, including any trailing slash)\n`,
    )
  })

  it('provider down (closed port) → exit 3 naming the host', async () => {
    const port = await closedPort()
    const r = await runCli(['discover', '--issuer', `http://127.0.0.1:${port}`])
    expect(r.code).toBe(3)
    expect(r.stderr).toBe(`tokentool: cannot connect to 127.0.0.1:${port}: connection refused (is the server running and the URL right?)\n`)
  })

  it('non-JSON document → exit 3', async () => {
    const s = await serve((_req, res) => send(res, 200, '<html><body>Sign in</body></html>', 'text/html'))
    const r = await runCli(['discover', '--issuer', s.url])
    expect(r.code).toBe(3)
    expect(r.stderr).toBe(`tokentool: discovery document at ${s.url}/.well-known/openid-configuration is not JSON\n`)
  })

  it('a plain-http endpoint off loopback → exit 3', async () => {
    const s = await serve((_req, res, base) => send(res, 200, JSON.stringify({ issuer: base, token_endpoint: 'http://login.example.com/token' })))
    const r = await runCli(['discover', '--issuer', s.url])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('"token_endpoint" must use https (http only for loopback): http://login.example.com/token')
  })

  it('warns when this machine and the issuer disagree about the time', async () => {
    const s = await serve((_req, res, base) => {
      res.setHeader('date', new Date(Date.now() - 7 * 60_000).toUTCString())
      send(res, 200, JSON.stringify({ issuer: base, code_challenge_methods_supported: ['S256'] }))
    })
    const r = await runCli(['discover', '--issuer', s.url])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/tokentool: warning: this machine's clock is 7m(0s|1s)? ahead of the issuer's/)
  })

  it('usage errors → exit 2', async () => {
    expect((await runCli(['discover'])).code).toBe(2)
    const r = await runCli(['discover', '--issuer', 'http://login.example.com'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('issuer must use https (plain http is allowed only for loopback)')
  })
})
