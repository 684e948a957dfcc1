/**
 * Pushed authorization requests (RFC 9126) and signed request objects (RFC 9101) against the
 * real provider, seen on the provider's side: `login --par` pushes the parameters and the
 * browser URL carries only client_id and request_uri; a server that requires PAR gets it
 * without the flag; `--jar` sends a request object signed with the client key (verified by the
 * provider against the client's registered JWKS); `--par` against a server without a PAR
 * endpoint is one line and exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { startProvider, type TestProvider } from './provider.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli } from '../helpers/run-cli.js'

let optional: TestProvider
let required: TestProvider
let noPar: TestProvider
let dir: string

beforeAll(async () => {
  ;[optional, required, noPar] = await Promise.all([
    startProvider({ configure: (c) => void ((c.features as Record<string, unknown>).requestObjects = { enabled: true }) }),
    startProvider({ configure: (c) => void ((c.features as Record<string, unknown>).pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true }) }),
    startProvider({ configure: (c) => void ((c.features as Record<string, unknown>).pushedAuthorizationRequests = { enabled: false }) }),
  ])
  dir = mkdtempSync(join(tmpdir(), 'tokentool-par-'))
})
afterAll(async () => {
  await Promise.all([optional?.stop(), required?.stop(), noPar?.stop()])
})

const parPath = (p: TestProvider) => new URL(p.provider.issuer + '/request').pathname

describe('PAR and JAR', { timeout: 90_000 }, () => {
  it('login --par: the parameters go to the PAR endpoint, the browser URL has only client_id and request_uri', async () => {
    const before = optional.requests.length
    const r = await loginWithBrowserless(optional, ['--par', '--scope', 'openid'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect([...r.authorizationUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    const pushed = optional.requests.slice(before).filter((x) => x.path === parPath(optional))
    expect(pushed).toHaveLength(1)
    expect(pushed[0]).toMatchObject({ method: 'POST', status: 201 })
    expect(pushed[0]!.params).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', scope: 'openid' })
  })

  it('a server that requires PAR gets it without --par', async () => {
    const before = required.requests.length
    const r = await loginWithBrowserless(required, ['--scope', 'openid'])
    expect(r.code).toBe(0)
    expect([...r.authorizationUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(required.requests.slice(before).some((x) => x.path === parPath(required) && x.status === 201)).toBe(true)
  })

  it('login --jar --par: a request object signed with the client key, pushed; the provider accepts it', async () => {
    const c = optional.clients.privateKeyJwt
    const keyFile = join(dir, 'client.pem')
    writeFileSync(keyFile, c.privateKeyPem)
    const before = optional.requests.length
    const home = mkdtempSync(join(tmpdir(), 'tokentool-jar-'))
    const r = await loginWithBrowserless(optional, ['--client-id', c.client_id, '--client-auth', 'private_key_jwt', '--client-key', keyFile, '--jar', '--par', '--scope', 'openid'], { home })
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    const pushed = optional.requests.slice(before).filter((x) => x.path === parPath(optional))
    expect(pushed).toHaveLength(1)
    const request = pushed[0]!.params.request as string
    expect(decodeProtectedHeader(request)).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    expect(decodeJwt(request)).toMatchObject({ client_id: c.client_id, response_type: 'code', scope: 'openid', aud: optional.issuer })
  })

  it('discover: PAR required, DPoP algorithms and the FAPI 2.0 summary; the server without PAR lacks it', async () => {
    const r = await runCli(['discover', '--issuer', required.issuer])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/PAR +yes \(required\)/)
    expect(r.stdout).toMatch(/DPoP +yes \(ES256/)
    expect(r.stdout).toMatch(/✓ PAR required/)
    const j = JSON.parse((await runCli(['--json', 'discover', '--issuer', noPar.issuer])).stdout)
    expect(j.supports).toMatchObject({ par: false, parRequired: false })
    expect(j.fapi2.ready).toBe(false)
    expect(j.fapi2.missing).toEqual(expect.arrayContaining(['PAR', 'PAR required']))
  })

  it('login --par at a server without a PAR endpoint: one line, exit 2', async () => {
    const r = await runCli(['login', '--issuer', noPar.issuer, '--client-id', noPar.clients.native.client_id, '--no-open', '--par', '--timeout', '5s'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no pushed_authorization_request_endpoint/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
