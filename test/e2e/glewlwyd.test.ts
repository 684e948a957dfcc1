/**
 * What glewlwyd (Debian's glewlwyd 2.7, started once for this file by test/e2e/glewlwyd.ts)
 * does that our test provider does not, through the built binary: refresh-token reuse
 * detection killing the chain (the dead stored token is removed), a refused client answered
 * with an empty 403 (exit 4 with the --client-auth post hint), private_key_jwt refused unless
 * the assertion's aud is the token endpoint (the hint names --client-assertion-audience), and
 * an RFC 9701 introspection JWT whose aud is not the client (refused, and said why). The flows
 * both providers share are in interop.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'
import { describeWithProgram, findProgram } from '../helpers/system-program.js'
import { GLEWLWYD, startGlewlwyd, type Glewlwyd } from './glewlwyd.js'
import { glewlwydLogin } from './glewlwyd-login.js'

let g: Glewlwyd

const ok = (r: CliResult) => {
  expect(r.stderr).not.toMatch(/^tokentool: /m)
  expect(r.code, r.stderr).toBe(0)
}

/** The refresh token stored in a profile (the store's own file; the CLI never prints it). */
const storedRefreshToken = (home: string): string | undefined => (JSON.parse(readFileSync(join(home, 'tokens', 'default.json'), 'utf8')) as { refreshToken?: { value: string } }).refreshToken?.value

/** `login` with the public client on the registered port, completed at glewlwyd's login. */
async function login(home: string, extra: string[] = []): Promise<CliResult> {
  const cli = spawnCli(['login', '--issuer', g.issuer, '--client-id', g.clients.native.client_id, '--no-open', '--port', String(g.redirectPort), '--scope', `openid ${g.apiScope}`, ...extra], { home })
  const walked = await glewlwydLogin(await openUrl(cli), g.user, { deliver: true })
  expect(walked.steps).toEqual(['login', 'grant'])
  expect(walked.delivered?.status).toBe(200)
  return cli.done
}

describeWithProgram(findProgram(GLEWLWYD), 'glewlwyd quirks', (bin) => {
  beforeAll(async () => {
    g = await startGlewlwyd(bin)
  }, 60_000)
  afterAll(async () => {
    await g?.stop()
  })

  describe('a user session', () => {
    let home: string
    let idToken: string

    it('login: PKCE through its login form; its ID token verifies against its JWKS', async () => {
      home = tempHome()
      const r = await login(home, ['--json'])
      ok(r)
      const out = JSON.parse(r.stdout) as { id_token: string; refresh_token_stored: boolean; id_token_claims: { iss: string; aud: unknown; name?: string } }
      expect(out.refresh_token_stored).toBe(true)
      expect(out.id_token_claims.iss).toBe(g.issuer)
      idToken = out.id_token
      const v = await runCli(['verify', '--issuer', g.issuer, '--aud', g.clients.native.client_id, '--json', idToken])
      ok(v)
      const checks = (JSON.parse(v.stdout) as { valid: boolean; checks: { name: string; ok: boolean }[] })
      expect(checks.valid).toBe(true)
      expect(checks.checks.find((c) => c.name === 'signature')?.ok).toBe(true)
    })

    it('reuse detection: an old refresh token spent again kills the chain; the dead stored one is removed with the sign-in hint', async () => {
      const old = storedRefreshToken(home)!
      ok(await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } }))
      // spending the rotated-out token again: glewlwyd revokes every token of the chain
      const reuse = await runCli(['refresh', '--refresh-token', old], { env: { TOKENTOOL_HOME: home } })
      expect(reuse.code, reuse.stderr).toBe(4)
      expect(storedRefreshToken(home)).toBeDefined()
      const dead = await runCli(['refresh'], { env: { TOKENTOOL_HOME: home } })
      expect(dead.code, dead.stderr).toBe(4)
      expect(dead.stderr).toMatch(/^tokentool: .*\(the stored refresh token was rejected and removed; sign in again with: tokentool login --profile default\)$/m)
      expect(dead.stderr).not.toMatch(/content-type|JSON/)
      expect(storedRefreshToken(home)).toBeUndefined()
    })
  })

  describe('client credentials', () => {
    const cc = (args: string[]) => runCli(['token', '--client-credentials', '--issuer', g.issuer, '--scope', g.apiScope, ...args])

    it('a wrong secret is the server saying no (exit 4), not a protocol failure', async () => {
      const r = await cc(['--client-id', g.clients.confidential.client_id, '--client-secret', 'not-the-secret'])
      expect(r.code, r.stderr).toBe(4)
      // glewlwyd answers a failed client authentication with an empty 403
      expect(r.stderr).toMatch(/^tokentool: HTTP 403: client credentials grant at .*: the server said no without an OAuth error \(empty body\) \(.*try --client-auth post/)
    })

    it('private_key_jwt: the issuer as aud is refused with the hint; --client-assertion-audience token-endpoint is accepted', async () => {
      const key = join(tempHome(), 'pkjwt.jwk')
      writeFileSync(key, JSON.stringify(g.clients.pkjwt.privateJwk))
      const args = ['--client-id', g.clients.pkjwt.client_id, '--client-key', key]
      const refused = await cc(args)
      expect(refused.code, refused.stderr).toBe(4)
      expect(refused.stderr).toMatch(/try --client-assertion-audience token-endpoint\)$/m)
      const accepted = await cc([...args, '--client-assertion-audience', 'token-endpoint'])
      ok(accepted)
      expect(accepted.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)
    })
  })

  describe('introspection and revocation', () => {
    const c = () => ['--issuer', g.issuer, '--client-id', g.clients.confidential.client_id, '--client-secret', g.clients.confidential.client_secret]

    it('introspect as JSON; the RFC 9701 JWT is negotiated but refused for its aud; revoke, then introspect says inactive', async () => {
      const t = await runCli(['token', '--client-credentials', ...c(), '--scope', g.apiScope])
      ok(t)
      const token = t.stdout.trim()
      const json = await runCli(['introspect', ...c(), '--json', token])
      ok(json)
      expect(JSON.parse(json.stdout)).toMatchObject({ active: true, response: { client_id: g.clients.confidential.client_id, scope: g.apiScope } })
      // glewlwyd answers Accept: application/token-introspection+jwt (only that exact value) with a
      // signed JWT whose aud is the token's audience, not the client that asked (RFC 9701 §5):
      // tokentool does not accept it, and says why
      const jwt = await runCli(['introspect', ...c(), '--jwt', '-v', token])
      expect(jwt.stderr).toMatch(/^< content-type: application\/token-introspection\+jwt$/im)
      expect(jwt.code, jwt.stderr).toBe(3)
      expect(jwt.stderr).toMatch(new RegExp(`^tokentool: introspection at .*: the JWT response's aud is "${g.apiScope}", not this client's id "${g.clients.confidential.client_id}" as RFC 9701 §5 requires; it was not accepted \\(without --jwt the plain JSON answer has no such check\\)$`, 'm'))
      ok(await runCli(['revoke', ...c(), token]))
      const after = await runCli(['introspect', ...c(), token])
      expect(after.code, after.stderr).toBe(1)
    })
  })
})
