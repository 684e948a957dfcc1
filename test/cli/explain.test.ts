import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tokentool-explain-'))
const NOW = Math.floor(Date.now() / 1000)
const httpDate = (sec: number) => new Date(sec * 1000).toUTCString()
let jwks = ''
let otherJwks = ''
let expired = ''
let valid = ''

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const other = await generateKeyPair('ES256', { extractable: true })
  jwks = join(dir, 'jwks.json')
  otherJwks = join(dir, 'other.json')
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }))
  writeFileSync(otherJwks, JSON.stringify({ keys: [{ ...(await exportJWK(other.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }))
  const mint = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: 'https://login.example', sub: 'u1', aud: 'api://orders', scope: 'orders.read', ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }).sign(privateKey)
  expired = await mint({ iat: NOW - 7200, exp: NOW - 3600 })
  valid = await mint({ iat: NOW - 60, exp: NOW + 3600 })
})

function response(lines: string[], body = ''): string {
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.txt`)
  writeFileSync(file, ['HTTP/1.1 401 Unauthorized', `Date: ${httpDate(NOW)}`, ...lines, '', body].join('\r\n'))
  return file
}

describe('tokentool explain', () => {
  it('ranks the expired token first, with the times and the fix, in --json of the contract', async () => {
    const file = response(['WWW-Authenticate: Bearer error="invalid_token", error_description="The token expired at \'x\'"'])
    const r = await runCli(['--json', 'explain', expired, '--response', file])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['status', 'challenges', 'causes', 'token']))
    expect(doc.status).toBe(401)
    expect(doc.challenges[0]).toMatchObject({ scheme: 'Bearer', params: { error: 'invalid_token' }, claims: null })
    expect(doc.causes[0]).toMatchObject({ code: 'expired', confidence: 'certain', fix: expect.stringContaining('tokentool token --force') })
    expect(doc.causes[0].evidence.join('\n')).toMatch(/exp .* is 1h ago by the server's Date/)
    expect(doc.token).toMatchObject({ kind: 'access_token', claims: { aud: 'api://orders' }, verified: null })
    // the token itself is never echoed
    expect(r.stdout).not.toContain(expired)
  })

  it('reads the response piped on stdin (curl -si ... | tokentool explain TOKEN) and says it in words', async () => {
    const input = ['HTTP/2 401', `date: ${httpDate(NOW)}`, 'www-authenticate: Bearer realm="https://api.example/", error="invalid_token"', 'content-type: text/plain', '', 'Audiences in Jwt are not allowed'].join('\r\n')
    const r = await runCli(['explain', valid, '--aud', 'api://billing'], { input })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^The API answered 401: \d+ possible causes?, most likely first/)
    expect(r.stdout).toMatch(/1\. wrong_audience \(certain\) the token is for another API/)
    expect(r.stdout).toContain('Envoy jwt_authn says "Audiences in Jwt are not allowed"')
    expect(r.stdout).toContain('fix: tokentool token --audience api://billing')
  })

  it('checks the signature with --jwks: a token signed by another key is signature_invalid', async () => {
    const file = response(['WWW-Authenticate: Bearer error="invalid_token", error_description="The signature is invalid"'])
    const ok = await runCli(['--json', 'explain', valid, '--response', file, '--jwks', jwks])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).token.verified).toBe(true)
    const bad = await runCli(['--json', 'explain', valid, '--response', file, '--jwks', otherJwks])
    const doc = JSON.parse(bad.stdout)
    expect(doc.token.verified).toBe(false)
    expect(doc.causes[0]).toMatchObject({ code: 'signature_invalid', confidence: 'certain' })
  })

  it('a CAE challenge: the refresh --claims command, xms_rp_ipaddr as an IP policy', async () => {
    const file = response([
      'WWW-Authenticate: Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="Tenant IP Policy validate failed.", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjEwNTYzMDA2In0sInhtc19ycF9pcGFkZHIiOnsidmFsdWUiOiIxLjIuMy40In19fQ"',
    ])
    const r = await runCli(['--json', '--profile', 'work', 'explain', valid, '--response', file])
    const doc = JSON.parse(r.stdout)
    expect(doc.causes.map((c: { code: string }) => c.code).slice(0, 2)).toEqual(['ip_policy', 'claims_challenge'])
    expect(doc.causes[0].summary).toContain('"1.2.3.4"')
    expect(doc.causes[1].fix).toContain('tokentool --profile work refresh --claims \'{"access_token":{"nbf":{"essential":true,"value":"1610563006"},"xms_rp_ipaddr":{"value":"1.2.3.4"}}}\'')
  })

  it('a server Date far from the local clock is said, in minutes', async () => {
    const file = join(dir, 'skew.txt')
    writeFileSync(file, ['HTTP/1.1 401 Unauthorized', `Date: ${httpDate(NOW + 7 * 60)}`, 'WWW-Authenticate: Bearer error="invalid_token"', '', ''].join('\r\n'))
    const r = await runCli(['explain', valid, '--response', file])
    expect(r.stdout).toMatch(/clock_skew \(possible\) this machine's clock is 7m behind the server's/)
  })

  it('unreadable input: exit 2 with one line; nothing to explain without a response or a token', async () => {
    const empty = join(dir, 'empty.txt')
    writeFileSync(empty, '\n')
    const r = await runCli(['explain', valid, '--response', empty])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokentool: the response is empty/)
    const none = await runCli(['explain'])
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split('\n')).toHaveLength(1)
    const both = await runCli(['explain', '-', '--response', '-'], { input: 'x' })
    expect(both.code).toBe(2)
  })

  it('escapes terminal control characters from the server', async () => {
    const file = response(['WWW-Authenticate: Bearer error="invalid_token", error_description="evil \u001b[31m red"'])
    const r = await runCli(['explain', valid, '--response', file])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('\u001b')
    expect(r.stdout).toContain('\\u001b')
  })
})

describe('tokentool explain: secrets', () => {
  it('a token the server echoes in its description is redacted, in words and in --json', async () => {
    const file = join(dir, 'echo.txt')
    writeFileSync(file, ['HTTP/1.1 401 Unauthorized', `Date: ${httpDate(NOW)}`, `WWW-Authenticate: Bearer error="invalid_token", error_description="bad token ${valid}"`, '', ''].join('\r\n'))
    for (const args of [['explain', valid, '--response', file], ['--json', 'explain', valid, '--response', file]]) {
      const r = await runCli(args)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).not.toContain(valid)
      expect(r.stdout).toContain('<redacted>')
    }
  })
})
