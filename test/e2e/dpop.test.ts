/**
 * DPoP (RFC 9449) against the real provider with `features.dPoP` and nonces required, and a
 * resource server that requires DPoP and demands a nonce once: client credentials with
 * `token --dpop` (the token's `cnf.jkt` is the profile key's thumbprint, the proofs at the
 * token endpoint pass an independent RFC 9449 checker, the nonce is answered once, the cache
 * key includes the binding), browser login with `dpop_jkt`, refresh keeping the binding,
 * `call` through the resource's nonce retry, `dpop proof` for curl, and the bad cases: a
 * key that cannot sign proofs, a proof the server rejects, a nonce loop at the server and at
 * the resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes, generateKeyPairSync } from 'node:crypto'
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { startDpopResourceServer, type DpopResourceServer } from './dpop-resource-server.js'
import { checkDpopProof } from './dpop-checker.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'

let provider: TestProvider
let api: DpopResourceServer
let dir: string

beforeAll(async () => {
  provider = await startProvider({
    configure: (c) => {
      ;(c.features as Record<string, unknown>).dPoP = { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
    },
  })
  api = await startDpopResourceServer(provider.issuer)
  dir = mkdtempSync(join(tmpdir(), 'tokentool-dpop-'))
})
afterAll(async () => {
  await api?.close()
  await provider?.stop()
})

const since = (n: number, path: string) => provider.requests.slice(n).filter((r) => r.path === path)

function ccArgs(): string[] {
  const c = provider.clients.basic
  return ['token', '--issuer', provider.issuer, '--client-id', c.client_id, '--client-secret', c.client_secret, '--resource', API_RESOURCE, '--scope', 'api:read']
}

async function verifyApiToken(token: string) {
  return (await jwtVerify(token, createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })).payload
}

const storedKey = (home: string, profile = 'default') => JSON.parse(readFileSync(join(home, 'tokens', `${profile}.dpop.jwk`), 'utf8')) as { issuer: string; jwk: JWK }

describe('DPoP at the token endpoint', { timeout: 60_000 }, () => {
  it('token --dpop (client credentials): a DPoP token bound to the profile key, proofs that pass RFC 9449 checks, the nonce answered once', async () => {
    const home = tempHome()
    const before = provider.requests.length
    const r = await runCli([...ccArgs(), '--dpop', '--json'], { env: { TOKENTOOL_HOME: home } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { access_token: string; token_type: string }
    expect(out.token_type).toBe('DPoP')

    // the key: 0600 beside the tokens, bound to the issuer, ES256
    const keyFile = join(home, 'tokens', 'default.dpop.jwk')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const stored = storedKey(home)
    expect(stored.issuer).toBe(provider.issuer)
    expect(stored.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
    const jkt = await calculateJwkThumbprint(stored.jwk)

    // the token is bound to it
    const payload = await verifyApiToken(out.access_token)
    expect(payload.cnf).toEqual({ jkt })

    // the provider asked for a nonce, tokentool retried once with it; each proof passes the checker
    const tokenRequests = since(before, '/token')
    expect(tokenRequests.map((t) => t.status)).toEqual([400, 200])
    const first = await checkDpopProof(tokenRequests[0]!.dpop!, { method: 'POST', url: `${provider.issuer}/token`, jkt })
    expect(first.payload.nonce).toBeUndefined()
    expect(first.payload.ath).toBeUndefined()
    const second = await checkDpopProof(tokenRequests[1]!.dpop!, { method: 'POST', url: `${provider.issuer}/token`, jkt, nonce: tokenRequests[0]!.dpopNonce! })
    expect(second.payload.jti).not.toBe(first.payload.jti)

    // the cache: the same request is answered without a request; a bearer request is another token
    const seen = provider.requests.length
    const again = await runCli([...ccArgs(), '--dpop'], { env: { TOKENTOOL_HOME: home } })
    expect(again.code).toBe(0)
    expect(again.stdout.trim()).toBe(out.access_token)
    expect(provider.requests.length).toBe(seen)
    const bearer = await runCli(ccArgs(), { env: { TOKENTOOL_HOME: home } })
    expect(bearer.code).toBe(0)
    expect(bearer.stdout.trim()).not.toBe(out.access_token)
    expect((await verifyApiToken(bearer.stdout.trim())).cnf).toBeUndefined()
    expect(since(seen, '/token').every((t) => t.dpop === undefined)).toBe(true)
  })

  it('--dpop-key FILE: the proofs are signed by that key and the token is bound to it', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const file = join(dir, 'own-dpop.pem')
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const jkt = await calculateJwkThumbprint(privateKey.export({ format: 'jwk' }) as JWK)
    const r = await runCli([...ccArgs(), '--dpop-key', file])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect((await verifyApiToken(r.stdout.trim())).cnf).toEqual({ jkt })
  })

  it('a key that cannot sign proofs: one line, exit 2, nothing sent', async () => {
    const oct = join(dir, 'oct.json')
    writeFileSync(oct, JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }))
    const pub = join(dir, 'pub.pem')
    writeFileSync(pub, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }))
    const before = provider.requests.length
    for (const [file, why] of [[oct, /symmetric \(oct\) key/], [pub, /is a public key/]] as const) {
      const r = await runCli([...ccArgs(), '--dpop-key', file])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(why)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    expect(provider.requests.length).toBe(before)
  })

  it('a proof the server rejects (invalid_dpop_proof: an algorithm it does not take): exit 4, one line', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const file = join(dir, 'rsa.pem')
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const r = await runCli([...ccArgs(), '--dpop-key', file])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/invalid_dpop_proof/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('a nonce loop at the token endpoint (use_dpop_nonce again after the retry): exit 4, says so, two requests only', async () => {
    let hits = 0
    const server = createServer((req, res) => {
      req.resume()
      hits++
      res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': `n${hits}` })
      res.end(JSON.stringify({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
    try {
      const r = await runCli(['token', '--token-endpoint', url, '--client-id', 'c', '--client-secret', 's', '--dpop'])
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/use_dpop_nonce/)
      expect(r.stderr).toMatch(/again after/)
      expect(hits).toBe(2)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})

describe('DPoP sign-in, refresh and call', { timeout: 90_000 }, () => {
  it('login --dpop sends dpop_jkt; refresh keeps the binding; call goes through the resource nonce retry', async () => {
    const before = provider.requests.length
    const r = await loginWithBrowserless(provider, ['--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--dpop', '--json'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const home = r.home
    const jkt = await calculateJwkThumbprint(storedKey(home).jwk)
    expect(r.authorizationUrl.searchParams.get('dpop_jkt')).toBe(jkt)
    expect(since(before, '/auth')[0]?.params.dpop_jkt).toBe(jkt)
    const login = JSON.parse(r.stdout) as { token_type: string; access_token: string }
    expect(login.token_type).toBe('DPoP')
    expect(decodeJwt(login.access_token).cnf).toEqual({ jkt })
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { profiles: Record<string, { dpop?: boolean }> }
    expect(config.profiles.default?.dpop).toBe(true)

    // refresh: the profile remembers DPoP; the new token is bound to the same key
    const seen = provider.requests.length
    const ref = await runCli(['--json', 'refresh'], { env: { TOKENTOOL_HOME: home } })
    expect(ref.stderr).toBe('')
    expect(ref.code).toBe(0)
    const refreshed = JSON.parse(ref.stdout) as { token_type: string; access_token: string }
    expect(refreshed.token_type).toBe('DPoP')
    expect(refreshed.access_token).not.toBe(login.access_token)
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt })
    const refreshRequests = since(seen, '/token').filter((t) => t.status === 200)
    expect(refreshRequests).toHaveLength(1)
    await checkDpopProof(refreshRequests[0]!.dpop!, { method: 'POST', url: `${provider.issuer}/token`, jkt, nonce: refreshRequests[0]!.params.nonce as string | undefined })

    // call: the API demands a nonce once; tokentool answers it, the API's checker accepts the proof
    const apiBefore = api.requests.length
    const c = await runCli(['call', `${api.url}/accounts?page=2#x`], { env: { TOKENTOOL_HOME: home } })
    expect(c.code).toBe(0)
    expect(JSON.parse(c.stdout)).toEqual({ ok: true, jkt })
    expect(c.stderr).toMatch(/DPoP nonce/)
    const calls = api.requests.slice(apiBefore)
    expect(calls.map((x) => [x.scheme, x.status, x.error])).toEqual([['DPoP', 401, 'use_dpop_nonce'], ['DPoP', 200, undefined]])
    const proof = await checkDpopProof(calls[1]!.proof!, { method: 'GET', url: `${api.url}/accounts`, accessToken: refreshed.access_token, jkt })
    expect(proof.payload.htu).toBe(`${api.url}/accounts`)

    // decode says the token is bound to the profile's key; verify checks the proof the API got, as the API did
    const d = await runCli(['--json', 'decode', refreshed.access_token], { env: { TOKENTOOL_HOME: home } })
    expect(JSON.parse(d.stdout).bindingCheck).toEqual({ member: 'jkt', against: 'the DPoP key of profile "default"', thumbprint: jkt, matches: true })
    const v = await runCli(['verify', '--dpop-proof', calls[1]!.proof!, '--method', 'GET', '--url', `${api.url}/accounts?page=2`, '--issuer', provider.issuer, '--aud', API_RESOURCE, refreshed.access_token], { env: { TOKENTOOL_HOME: home } })
    expect(v.stderr).toBe('')
    expect(v.code).toBe(0)
    expect(v.stdout).toMatch(/PASS +signature/)
    expect(v.stdout).toMatch(/PASS +dpop cnf\.jkt/)
    expect(v.stdout).toMatch(/PASS +dpop ath/)
    const wrong = await runCli(['verify', '--dpop-proof', calls[1]!.proof!, '--method', 'POST', '--url', `${api.url}/accounts`, login.access_token], { env: { TOKENTOOL_HOME: home } })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/dpop htm/)
    expect(wrong.stderr).toMatch(/dpop ath/) // the proof went with the refreshed token, not this one

    // dpop proof for curl: verified by the independent checker, ath for the token given on stdin
    const p = await runCli(['dpop', 'proof', '--method', 'POST', '--url', `${api.url}/transfer?x=1`, '--access-token', '-'], { env: { TOKENTOOL_HOME: home }, input: refreshed.access_token })
    expect(p.stderr).toBe('')
    expect(p.code).toBe(0)
    expect(p.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const printed = await checkDpopProof(p.stdout.trim(), { method: 'POST', url: `${api.url}/transfer`, accessToken: refreshed.access_token, jkt })
    expect(printed.payload.htu).toBe(`${api.url}/transfer`)

    // a resource that never takes its nonce: one retry, then one clear line and exit 1
    api.setMode('nonce-loop')
    try {
      const n = api.requests.length
      const loop = await runCli(['call', `${api.url}/accounts`], { env: { TOKENTOOL_HOME: home } })
      expect(loop.code).toBe(1)
      expect(loop.stderr).toMatch(/asked for a DPoP nonce again after one retry/)
      expect(api.requests.length - n).toBe(2)
    } finally {
      api.setMode('normal')
    }
  })
})

describe('DPoP at userinfo', { timeout: 90_000 }, () => {
  it("userinfo sends a DPoP-bound token with a proof carrying ath, through the provider's nonce retry; --no-dpop sends Bearer and is refused", async () => {
    const r = await loginWithBrowserless(provider, ['--scope', 'openid offline_access profile', '--dpop', '--json'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const home = r.home
    const jkt = await calculateJwkThumbprint(storedKey(home).jwk)
    const login = JSON.parse(r.stdout) as { token_type: string; access_token: string }
    expect(login.token_type).toBe('DPoP')

    const before = provider.requests.length
    const u = await runCli(['--json', 'userinfo'], { env: { TOKENTOOL_HOME: home } })
    expect(u.stderr).toBe('')
    expect(u.code).toBe(0)
    expect(JSON.parse(u.stdout).claims).toMatchObject({ sub: 'alice', name: 'Test User alice' })
    // the provider demanded a nonce; tokentool sent the request once more with it
    const calls = since(before, '/me')
    expect(calls.map((c) => [c.authorization, c.status])).toEqual([['DPoP', 401], ['DPoP', 200]])
    expect(calls[0]!.dpopNonce).toBeTruthy()
    const url = `${provider.issuer}/me`
    await checkDpopProof(calls[0]!.dpop!, { method: 'GET', url, accessToken: login.access_token, jkt })
    const second = await checkDpopProof(calls[1]!.dpop!, { method: 'GET', url, accessToken: login.access_token, jkt, nonce: calls[0]!.dpopNonce! })
    expect(second.payload.nonce).toBe(calls[0]!.dpopNonce)
    expect(typeof second.payload.ath).toBe('string')

    // the same (opaque) token given as an argument: --dpop says it is DPoP-bound
    const n = provider.requests.length
    const given = await runCli(['--json', 'userinfo', '--dpop', '--', login.access_token], { env: { TOKENTOOL_HOME: home } })
    expect(given.stderr).toBe('')
    expect(given.code).toBe(0)
    expect(since(n, '/me').map((c) => [c.authorization, c.status])).toEqual([['DPoP', 401], ['DPoP', 200]])

    // as a bearer token the provider refuses it: its error, one line, exit 4
    const m = provider.requests.length
    const bearer = await runCli(['userinfo', '--no-dpop'], { env: { TOKENTOOL_HOME: home } })
    expect(bearer.code).toBe(4)
    expect(bearer.stderr.trim().split('\n')).toHaveLength(1)
    expect(bearer.stderr).toMatch(/invalid_token/)
    expect(since(m, '/me').map((c) => c.authorization)).toEqual(['Bearer'])

    // a DPoP-bound token and a profile without a DPoP key: one line, exit 2, nothing sent
    const other = tempHome()
    const k = provider.requests.length
    const nokey = await runCli(['userinfo', '--dpop', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--', login.access_token], { env: { TOKENTOOL_HOME: other } })
    expect(nokey.code).toBe(2)
    expect(nokey.stderr.trim().split('\n')).toHaveLength(1)
    expect(nokey.stderr).toMatch(/has no DPoP key/)
    expect(since(k, '/me')).toHaveLength(0)
  })

  it('a nonce loop at userinfo (use_dpop_nonce again after the retry): exit 4, one line saying so, two requests only', async () => {
    let hits = 0
    const proofs: string[] = []
    const server = createServer((req, res) => {
      req.resume()
      hits++
      if (typeof req.headers.dpop === 'string') proofs.push(req.headers.dpop)
      res.writeHead(401, { 'content-type': 'application/json', 'dpop-nonce': `n${hits}`, 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"' })
      res.end(JSON.stringify({ error: 'use_dpop_nonce' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const file = join(dir, 'userinfo-dpop.pem')
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }))
    try {
      const r = await runCli(['userinfo', '--userinfo-endpoint', `${origin}/me`, '--token-endpoint', `${origin}/token`, '--client-id', 'c', '--dpop-key', file, 'opaque-access-token'])
      expect(r.code).toBe(4)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/use_dpop_nonce/)
      expect(r.stderr).toMatch(/again after one retry/)
      expect(hits).toBe(2)
      // the retry carried the nonce the server gave
      expect(decodeJwt(proofs[1]!).nonce).toBe('n1')
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
