/**
 * Server answers a real provider cannot be made to give, from a tiny local server: an ID
 * token with a bad signature, a 5xx, a non-JSON body, an OAuth error. Each maps to the
 * contract's exit code, and nothing is stored from a response that failed its checks.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

let server: TinyServer
let mode: 'bad-signature' | '500' | 'html' | 'invalid_grant' = 'bad-signature'

beforeAll(async () => {
  const published = await generateKeyPair('RS256')
  const other = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  server = await startHttpServer((req, res, base) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.url === '/.well-known/openid-configuration') {
      return json(200, { issuer: base, token_endpoint: `${base}/token`, authorization_endpoint: `${base}/auth`, jwks_uri: `${base}/jwks`, response_types_supported: ['code'] })
    }
    if (req.url === '/jwks') return json(200, { keys: [jwk] })
    if (req.url === '/token') {
      if (mode === '500') return json(503, { oops: true })
      if (mode === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end('<html>proxy login</html>')
      }
      if (mode === 'invalid_grant') return json(400, { error: 'invalid_grant', error_description: 'refresh token revoked' })
      // right claims, signed with a key the JWKS does not hold
      void new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(base)
        .setAudience('cli')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(other.privateKey)
        .then((idToken) => json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken, refresh_token: 'rt2' }))
      return
    }
    json(404, {})
  })
})
afterAll(async () => {
  await server?.close()
})

const refresh = (home: string) => runCli(['refresh', '--issuer', server.url, '--client-id', 'cli', '--refresh-token', 'rt1'], { env: { TOKENTOOL_HOME: home } })

it('rejects an ID token whose signature does not verify against the JWKS (exit 3), storing nothing', async () => {
  mode = 'bad-signature'
  const home = tempHome()
  const r = await refresh(home)
  expect(r.code).toBe(3)
  expect(r.stderr).toMatch(/^tokentool: refresh at http:\/\/127\.0\.0\.1:\d+\/token: the ID token.s signature does not verify/m)
  expect(existsSync(join(home, 'tokens', 'default.json'))).toBe(false)
})

it('exits 3 on a 5xx and on a non-JSON answer, naming what came back', async () => {
  mode = '500'
  const a = await refresh(tempHome())
  expect(a.code).toBe(3)
  expect(a.stderr).toMatch(/HTTP.* 503|503/)
  mode = 'html'
  const b = await refresh(tempHome())
  expect(b.code).toBe(3)
  expect(b.stderr).toMatch(/not answer with JSON.*text\/html/)
})

it('exits 4 with error and error_description on an OAuth error', async () => {
  mode = 'invalid_grant'
  const r = await refresh(tempHome())
  expect(r.code).toBe(4)
  expect(r.stderr).toMatch(/^tokentool: invalid_grant: refresh token revoked/m)
})
