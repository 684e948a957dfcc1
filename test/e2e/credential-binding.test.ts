/**
 * Stored credentials are bound to the issuer they were saved for. Two local issuers, each a
 * hostile server that records every request's headers and body: A, for which the profiles
 * hold a client secret (literal and `env:VAR`), a client key and a refresh token; and B, which
 * every command is pointed at with `--issuer B` (or an endpoint flag on B). B must never see
 * any of A's credentials, in any encoding; every command refuses with exit 2 and says how to
 * give credentials for B; and A does receive them (so the profiles really hold them).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodings, formEncode } from '../../src/core/secret-values.js'
import { fileStore } from '../../src/store/store.js'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'
import { startFaultServers, type FaultLogEntry, type FaultServers } from './fault-servers.js'

const SECRET = 'A-secret/with+chars=0123456789'
const ENV_SECRET = 'A-env-secret-0123456789abcdef'
const RT = 'A-refresh-token-0123456789abcdefghij'
const B_SECRET = 'B-secret-given-on-the-command-line'

let a: FaultServers
let b: FaultServers
let home: string
let A: string
let B: string

beforeAll(async () => {
  a = await startFaultServers()
  b = await startFaultServers()
  A = a.issuer('ok')
  B = b.issuer('ok')
  home = tempHome()
  const key = await runCli(['keygen', '--alg', 'ES256'], { env: { TOKENTOOL_HOME: home } })
  expect(key.code, key.stderr).toBe(0)
  const keyFile = join(home, 'client-key.jwk')
  writeFileSync(keyFile, key.stdout, { mode: 0o600 })
  const store = fileStore(home)
  const now = Math.floor(Date.now() / 1000)
  await store.saveSettings('literal', { issuer: A, clientId: 'ci', clientAuth: 'basic', clientSecret: SECRET })
  await store.saveSettings('envref', { issuer: A, clientId: 'ci', clientSecret: 'env:A_SECRET' })
  await store.saveSettings('key', { issuer: A, clientId: 'ci', clientAuth: 'private_key_jwt', clientKey: keyFile })
  await store.saveSettings('session', { issuer: A, clientId: 'app', clientAuth: 'none' })
  for (const p of ['literal', 'envref', 'key', 'session']) {
    await store.saveTokens(p, { version: 1, issuer: A, clientId: p === 'session' ? 'app' : 'ci', accessTokens: {}, refreshToken: { value: RT, obtainedAt: now } })
  }
})
afterAll(async () => {
  await a?.close()
  await b?.close()
})

const env = () => ({ TOKENTOOL_HOME: home, A_SECRET: ENV_SECRET, B_SECRET })

/** Every way a secret can travel: raw, percent/form-encoded, base64, and inside a Basic credential. */
function travelForms(secret: string, clientId = 'ci'): string[] {
  const basic = [`${clientId}:${secret}`, `${formEncode(clientId)}:${formEncode(secret)}`].map((p) => Buffer.from(p).toString('base64'))
  return [...encodings(secret), ...basic]
}

function seen(log: FaultLogEntry[], secret: string): boolean {
  const forms = travelForms(secret)
  return log.some((e) => {
    const text = `${e.body}\n${JSON.stringify(e.headers)}`
    return forms.some((f) => text.includes(f))
  })
}

const A_CREDENTIALS = [SECRET, ENV_SECRET, RT]

describe('the profiles really hold credentials for A (control)', () => {
  it('A receives the stored secret, the env: secret, a client assertion and the refresh token', async () => {
    for (const [p, args] of [
      ['literal', ['token', '--client-credentials']],
      ['envref', ['token', '--client-credentials']],
      ['key', ['token', '--client-credentials']],
      ['session', ['refresh']],
    ] as const) {
      const r = await runCli(['--profile', p, ...args], { env: env() })
      expect(r.code, `${p}: ${r.stderr}`).toBe(0)
    }
    expect(seen(a.log, SECRET)).toBe(true)
    expect(seen(a.log, ENV_SECRET)).toBe(true)
    expect(seen(a.log, RT)).toBe(true)
    expect(a.log.some((e) => e.body.includes('client_assertion='))).toBe(true)
  })
})

describe('a command aimed at another issuer never sends them there', () => {
  const refused = (r: CliResult, what: string) => {
    expect(r.code, `${what}: ${r.stderr}`).toBe(2)
    expect(r.stderr, what).toMatch(/^tokentool: .*(saved for|issued by|are from) .*127\.0\.0\.1/m)
    expect(r.stdout, what).toBe('')
  }
  const TOKEN = 'opaque-token-from-the-command-line-0123'
  const commands = (issuerFlags: string[]): [string, string[]][] => [
    ['token --force', ['token', ...issuerFlags, '--force']],
    ['token --client-credentials', ['token', ...issuerFlags, '--client-credentials']],
    ['refresh', ['refresh', ...issuerFlags]],
    ['login', ['login', ...issuerFlags, '--no-open', '--timeout', '3s']],
    ['exchange', ['exchange', ...issuerFlags, '--subject-token', TOKEN]],
    ['userinfo', ['userinfo', ...issuerFlags]],
    ['introspect', ['introspect', ...issuerFlags, TOKEN]],
    ['revoke', ['revoke', ...issuerFlags, TOKEN]],
  ]

  it.each(['literal', 'envref', 'key'])('profile %s: every command with --issuer B refuses, exit 2, and says how', async (profile) => {
    for (const [name, args] of commands(['--issuer', B])) {
      const r = await runCli(['--profile', profile, ...args], { env: env(), timeoutMs: 30_000 })
      refused(r, `${profile}: ${name}`)
      if (/saved for/.test(r.stderr)) expect(r.stderr, name).toMatch(/--client-secret env:VAR|--client-key FILE|--client-auth none/)
    }
    for (const s of A_CREDENTIALS) expect(seen(b.log, s), s).toBe(false)
    // nothing at all reached B: the refusal comes before discovery
    expect(b.log.filter((e) => e.method === 'POST')).toEqual([])
  })

  it('an endpoint flag on another host counts as another server', async () => {
    const r = await runCli(['--profile', 'literal', 'token', '--client-credentials', '--token-endpoint', `${B}/token`], { env: env() })
    refused(r, '--token-endpoint B')
    const i = await runCli(['--profile', 'envref', 'introspect', '--introspection-endpoint', `${B}/introspect`, TOKEN], { env: env() })
    refused(i, '--introspection-endpoint B')
    for (const s of A_CREDENTIALS) expect(seen(b.log, s), s).toBe(false)
  })

  it("the session's refresh token is not sent to B either (token --force, refresh, revoke of the stored one)", async () => {
    for (const args of [['token', '--issuer', B, '--force'], ['refresh', '--issuer', B], ['revoke', '--issuer', B, '--hint', 'refresh_token']]) {
      const r = await runCli(['--profile', 'session', ...args], { env: env() })
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
    }
    expect(seen(b.log, RT)).toBe(false)
  })

  it('credentials given for B on the command line are used, and only those', async () => {
    const before = b.log.length
    const r = await runCli(['--profile', 'literal', 'token', '--issuer', B, '--client-credentials', '--client-secret', 'env:B_SECRET'], { env: env() })
    expect(r.code, r.stderr).toBe(0)
    const toB = b.log.slice(before)
    expect(seen(toB, B_SECRET)).toBe(true)
    for (const s of A_CREDENTIALS) expect(seen(toB, s), s).toBe(false)
  })

  it('a login at B on a profile of A does not carry the old secret over to B', async () => {
    const home2 = tempHome()
    const store = fileStore(home2)
    await store.saveSettings('p', { issuer: A, clientId: 'ci', clientSecret: SECRET })
    const { settingsAfterLogin } = await import('../../src/cli/commands/login.js')
    const next = settingsAfterLogin(await store.getSettings('p'), {} as never, { issuer: B, clientId: 'ci', clientSecret: undefined, scope: 'openid' }, {})
    expect(next.issuer).toBe(B)
    expect(next.clientSecret).toBeUndefined()
  })
})
