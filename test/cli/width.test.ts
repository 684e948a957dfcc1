/**
 * Issue #19, the width rule of the contract: human views wrap to the terminal width (COLUMNS
 * here; the binary runs on pipes), never mid-word. verify's checklist, discover, cae decode and
 * explain, each at 40, 60 and 100 columns: no line is wider than that unless it is one word that
 * cannot be broken (a URL, a token), and the words are the very words of the unwrapped view.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { runCli } from '../helpers/run-cli.js'

const SECRET = 'a-realm-secret-of-32-bytes-long!!'
const NOW = '2026-06-01T12:00:00Z'
const dir = mkdtempSync(join(tmpdir(), 'tokentool-width-'))
const LONG_ISS = 'https://login.example.com/tenants/3f2a9c1e-8b7d-4e2a-9c1e-8b7d4e2a9c1e/v2.0'
let token = ''
let server: TinyServer
const views: Record<string, string[]> = {}

beforeAll(async () => {
  const t = Math.floor(Date.parse(NOW) / 1000)
  token = await new SignJWT({ iss: LONG_ISS, sub: 'alice', aud: 'api://orders', scope: 'orders.read', iat: t - 7200, exp: t - 3600 })
    .setProtectedHeader({ alg: 'HS256', kid: 'a-rather-long-key-identifier-2026-06' })
    .sign(new TextEncoder().encode(SECRET))
  const { publicKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'signing-key-of-the-tenant-2026-06-01', alg: 'RS256', use: 'sig' }
  server = await startHttpServer((req, res, base) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    if (req.url === '/jwks') return void res.end(JSON.stringify({ keys: [jwk] }))
    res.end(
      JSON.stringify({
        issuer: base,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize/with/a/long/path/to/make/it/overflow`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        jwks_uri: `${base}/jwks`,
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'orders.read', 'orders.write', 'billing.read'],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        dpop_signing_alg_values_supported: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      }),
    )
  })
  const response = join(dir, 'response.txt')
  writeFileSync(response, ['HTTP/1.1 401 Unauthorized', 'WWW-Authenticate: Bearer error="invalid_token", error_description="The token expired at \'06/01/2026 11:00:00\' and the current time is later than that"', '', ''].join('\r\n'))
  const challenge = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", error_description="Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0="`
  Object.assign(views, {
    verify: ['verify', '--secret', SECRET, '--now', NOW, '--aud', 'api://billing', '--iss', 'https://another.example.com/issuer', '--scope', 'orders.write', token],
    discover: ['discover', '--issuer', server.url],
    'cae decode': ['cae', 'decode', challenge],
    explain: ['explain', token, '--response', response, '--now', NOW, '--aud', 'api://billing'],
  })
})
afterAll(() => server?.close())

/** The words of a view: what is read, whatever the line breaks (a shell continuation is layout). */
const words = (text: string) => text.split(/\s+/).filter((w) => w !== '' && w !== '\\')

describe.each(['verify', 'discover', 'cae decode', 'explain'])('%s wraps to COLUMNS, never mid-word', (name) => {
  it.each([40, 60, 100])('at %i columns', async (columns) => {
    const wide = await runCli(views[name]!, { env: { COLUMNS: '1000' } })
    const r = await runCli(views[name]!, { env: { COLUMNS: String(columns) } })
    expect(r.code, r.stderr).toBe(wide.code)
    expect([0, 1]).toContain(r.code)
    // the same words in the same order: none was split or lost
    expect(words(r.stdout)).toEqual(words(wide.stdout))
    // the narrow view really is laid out anew (the wide one has lines the narrow one breaks)
    expect(wide.stdout.split('\n').some((l) => l.length > columns)).toBe(true)
    expectWrapped(r.stdout, columns, `${name} at ${columns}`)
  })
})

/** No line wider than `columns`, unless one unbreakable word overflows it, and ends it. */
function expectWrapped(text: string, columns: number, what: string) {
  for (const line of text.split('\n')) {
    if (line.length <= columns) continue
    const last = line.trimEnd().split(' ').pop()!
    expect(line.slice(0, line.length - last.length).trimEnd().length, `${what}: ${JSON.stringify(line)}`).toBeLessThan(columns)
    expect(last.length, `${what}: ${JSON.stringify(line)}`).toBeGreaterThan(columns / 2)
  }
}

describe('the width comes from COLUMNS, else 80', () => {
  it('without COLUMNS on a pipe, verify wraps at 80', async () => {
    const r = await runCli(views.verify!, { env: { COLUMNS: undefined } })
    expectWrapped(r.stdout, 80, 'verify')
    expect(r.stdout.split('\n').some((l) => l.length > 60)).toBe(true)
    expect(r.stdout).toMatch(/^FAIL {2}iss {8}\S/m)
    // a long detail continues under itself, so PASS/FAIL stays a column
    expect(r.stdout).toMatch(/\n {17}\S/)
  })
})
