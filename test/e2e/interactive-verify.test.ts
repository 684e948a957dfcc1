/**
 * Issue #19: the menu's "Verify a token" offers every key source verify has, through a real
 * terminal (node-pty, the built binary): a JWKS URL (served on 127.0.0.1), a JWKS file, a key
 * file (PEM and JWK), and a shared secret typed without echo; each verifies a real token signed
 * with keys made here. A failure's "why it failed" text wraps to the terminal's width.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'
import { KEY, ptysKilledAfterAll, type PtySession } from '../helpers/pty.js'
import { tempHome } from '../helpers/run-cli.js'

const pty = ptysKilledAfterAll(afterAll)
const SECRET = 'the-shared-secret-of-this-api-32b!'
const dir = tempHome()
let rsToken = ''
let hsToken = ''
let jwksServer: TinyServer
const files = { pem: join(dir, 'public.pem'), jwk: join(dir, 'public.jwk.json'), jwks: join(dir, 'jwks.json') }

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'menu-k1', alg: 'RS256', use: 'sig' }
  const claims = { iss: 'https://issuer.invalid', sub: 'alice', aud: 'api://orders' }
  rsToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'menu-k1' }).setIssuedAt().setExpirationTime('1h').sign(privateKey)
  hsToken = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET))
  writeFileSync(files.pem, await exportSPKI(publicKey))
  writeFileSync(files.jwk, JSON.stringify(jwk))
  writeFileSync(files.jwks, JSON.stringify({ keys: [jwk] }))
  jwksServer = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [jwk] }))
  })
})
afterAll(() => jwksServer?.close())

/** Main menu → Verify a token → paste → the key source; returns once the source is chosen. */
async function startVerify(t: PtySession, token: string, source: string) {
  await t.waitFor(/what do you want to\s+do\?[\s\S]*Quit/)
  await t.choose('Verify a token')
  await t.waitFor(/Paste the token/)
  t.mark()
  t.type(token + KEY.enter)
  await t.waitFor(/Check the signature with[\s\S]*navigate/)
  await t.choose(source)
}

async function answer(t: PtySession, prompt: RegExp, text: string) {
  await t.waitFor(prompt)
  t.mark()
  t.type(text + KEY.enter)
}

async function anyAudienceValid(t: PtySession, flag: RegExp) {
  await t.waitFor(/Audience[\s\S]*Require an audience/)
  await t.choose('Any audience')
  await t.waitFor(/VALID: every check passed/)
  expect(t.sinceMark()).toMatch(/PASS +signature +valid RS256 signature|PASS +signature +valid HS256 signature/)
  expect(t.screen()).toMatch(flag)
  await t.waitFor(/what do you want to do\?/)
  t.type(KEY.ctrlC)
  expect(await t.exited).toBe(130)
}

describe('interactive verify: every key source', () => {
  it('a JWKS URL on 127.0.0.1', { timeout: 60_000 }, async () => {
    const t = pty([])
    await startVerify(t, rsToken, 'A JWKS URL')
    await answer(t, /JWKS URL/, `${jwksServer.url}/keys`)
    await anyAudienceValid(t, new RegExp(`\\$ tokentool verify --jwks ${jwksServer.url.replace(/[.:/]/g, '\\$&')}/keys -- eyJ`))
    expect(jwksServer.requests.map((r) => r.url)).toContain('/keys')
  })

  it('a JWKS file; a path that is not a file is refused at the prompt', { timeout: 60_000 }, async () => {
    const t = pty([])
    await startVerify(t, rsToken, 'A JWKS file')
    await answer(t, /JWKS file/, join(dir, 'missing.json'))
    await t.waitFor(/no such file: .*missing\.json/)
    // the prompt stays: clear the answer and type the real file
    t.mark()
    t.type('\x7f'.repeat(join(dir, 'missing.json').length) + files.jwks + KEY.enter)
    await anyAudienceValid(t, /\$ tokentool verify --jwks \S+jwks\.json -- eyJ/)
  })

  it('a key file: PEM public key, and a JWK', { timeout: 90_000 }, async () => {
    for (const file of [files.pem, files.jwk]) {
      const t = pty([])
      await startVerify(t, rsToken, 'A key file')
      await answer(t, /Key file/, file)
      await anyAudienceValid(t, new RegExp(`\\$ tokentool verify --key ${file.replace(/[.:/]/g, '\\$&')} -- eyJ`))
    }
  })

  it('a shared secret: offered first for an HS256 token, typed without echo, hidden in the command line', { timeout: 60_000 }, async () => {
    const t = pty([])
    await t.waitFor(/what do you want to\s+do\?[\s\S]*Quit/)
    await t.choose('Verify a token')
    await t.waitFor(/Paste the token/)
    t.mark()
    t.type(hsToken + KEY.enter)
    // the cursor starts on the secret for an HS* token
    await t.waitFor(/❯ A shared secret/)
    await t.choose('A shared secret')
    await answer(t, /Shared secret \(not shown/, SECRET)
    await anyAudienceValid(t, /\$ tokentool verify --secret \*\*\*\* -- eyJ/)
    expect(t.screen()).not.toContain(SECRET)
  })
})

describe('interactive verify: why it failed, wrapped to the terminal', () => {
  it('a wrong secret fails; the explanation fits 50 columns, words whole, and the secret never shows', { timeout: 60_000 }, async () => {
    const cols = 50
    // no COLUMNS: the width is the terminal's own
    const t = pty([], { cols, env: { COLUMNS: undefined } })
    await startVerify(t, hsToken, 'A shared secret')
    await answer(t, /Shared secret \(not shown/, 'not-the-secret-but-long-enough-32b!')
    await t.waitFor(/Audience[\s\S]*Require an audience/)
    await t.choose('Any audience')
    await t.waitFor(/INVALID: 1 check failed/)
    // the command line shown before it is wrapped too, between arguments, continued with ` \`
    const echo = (await t.waitFor(/\$ tokentool verify[^\n]*(?:\n {4}[^\n]*)*/))[0]
    expect(echo.split('\n').length).toBeGreaterThan(1)
    for (const l of echo.split('\n')) expect(l.length, l).toBeLessThanOrEqual(cols)
    expect(echo).toMatch(/--secret \*\*\*\* \\\n/)
    await t.waitFor(/Verification failed: what next\?[\s\S]*Why did it fail/)
    await t.choose('Why did it fail')
    const why = (await t.waitFor(/Why it failed, and what to try\n([\s\S]*?)\n\? /))[1]!
    expect(why).toMatch(/FAIL signature:/)
    const lines = why.split('\n')
    // the advice is longer than the terminal: it is broken at spaces, continued under itself
    expect(lines.filter((l) => l.startsWith('     ')).length).toBeGreaterThan(1)
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(cols)
    expect(why.replace(/\s+/g, ' ')).toContain('The keys given do not verify this token')
    expect(t.screen()).not.toContain('not-the-secret-but-long-enough-32b!')
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})
