/**
 * No secret leaks: every network command run with `-v` against the test provider, as the
 * confidential client, and every secret of the run collected afterwards (what the provider
 * received: codes, verifiers, refresh tokens, client secrets, subject tokens; what the profile
 * stored: access, refresh and ID tokens). None may appear whole on stderr, and none on stdout
 * unless the command prints that token because the user asked for it (`token`, `--json` of
 * login/refresh/exchange). The traces themselves must be there: a silent `-v` proves nothing.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { browserlessDeviceApproval } from './browserless-login.js'
import { startResourceServer, type ResourceServer } from './resource-server.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { runCli, type CliResult } from '../helpers/run-cli.js'
import { spawnCli } from '../helpers/spawn-cli.js'
import { encodings } from '../../src/core/secret-values.js'

let provider: TestProvider
let api: ResourceServer
beforeAll(async () => {
  provider = await startProvider()
  api = await startResourceServer(provider.issuer)
})
afterAll(async () => {
  await api?.close()
  await provider?.stop()
})

const SECRET_PARAMS = new Set(['code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'assertion', 'subject_token', 'actor_token', 'token', 'device_code', 'access_token', 'id_token'])

/** Every string value under a token-ish key in the profile's stored tokens. */
function storedSecrets(home: string): string[] {
  const out: string[] = []
  const walk = (v: unknown, key = '') => {
    if (typeof v === 'string' && v.length >= 16 && /token|value/i.test(key)) out.push(v)
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, Array.isArray(v) ? key : k)
  }
  for (const f of readdirSync(join(home, 'tokens')).filter((n) => n.endsWith('.json'))) walk(JSON.parse(readFileSync(join(home, 'tokens', f), 'utf8')))
  return out
}

/** What must not appear: the whole value, and for a JWT its signature (the part that makes it usable). */
function forms(secret: string): string[] {
  const parts = secret.split('.')
  // and every encoding it may travel in: percent/form-encoded, JSON-escaped, base64
  const all = [...encodings(secret)]
  return parts.length === 3 && parts[2]!.length >= 16 ? [...all, parts[2]!] : all
}

interface Run {
  name: string
  r: CliResult
  /** Tokens this command prints on stdout because the user asked for them. */
  printsOnPurpose: (s: string) => boolean
}

it('no full secret, code, verifier or token in -v output of any network command', { timeout: 240_000 }, async () => {
  const basic = provider.clients.basic
  const client = ['--client-id', basic.client_id, '--client-secret', basic.client_secret]
  const runs: Run[] = []
  const secrets = new Set<string>()
  const never = () => false

  const login = await loginWithBrowserless(provider, ['-v', '--json', ...client, '--scope', 'openid offline_access email'])
  expect(login.code, login.stderr).toBe(0)
  const home = login.home
  const env = { TOKENTOOL_HOME: home }
  const loginOut = JSON.parse(login.stdout) as { access_token: string; id_token?: string }
  runs.push({ name: 'login -v --json', r: login, printsOnPurpose: (s) => s === loginOut.access_token || s === loginOut.id_token })

  const cli = async (name: string, args: string[], printsOnPurpose: Run['printsOnPurpose'] = never, opts: { input?: string; expect?: number; env?: Record<string, string> } = {}) => {
    const r = await runCli(['-v', ...args], { env: { ...env, ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: 60_000 })
    expect(r.code, `${name}: ${r.stderr}`).toBe(opts.expect ?? 0)
    expect(r.stderr, `${name} traced nothing`).toMatch(/^> (GET|POST) /m)
    runs.push({ name, r, printsOnPurpose })
    return r
  }
  const refreshed = await cli('refresh -v --json', ['refresh', '--json'])
  const rOut = JSON.parse(refreshed.stdout) as { access_token: string; id_token?: string }
  runs[runs.length - 1]!.printsOnPurpose = (s) => s === rOut.access_token || s === rOut.id_token
  const tok = await cli('token -v --force', ['token', '--force'])
  runs[runs.length - 1]!.printsOnPurpose = (s) => s === tok.stdout.trim()
  const cc = await cli('token -v client credentials (basic)', ['token', '--client-credentials', '--issuer', provider.issuer, ...client, '--profile', 'cc'])
  runs[runs.length - 1]!.printsOnPurpose = (s) => s === cc.stdout.trim()
  const post = await cli('token -v client credentials (post)', ['token', '--client-credentials', '--client-auth', 'post', '--issuer', provider.issuer, ...client, '--profile', 'ccpost', '--json'])
  const postOut = JSON.parse(post.stdout) as { access_token: string }
  runs[runs.length - 1]!.printsOnPurpose = (s) => s === postOut.access_token
  await cli('userinfo -v', ['userinfo'])
  await cli('introspect -v (profile token)', ['introspect'])
  await cli('introspect -v (stdin)', ['introspect', '-'], never, { input: `Bearer ${tok.stdout.trim()}\n` })
  await cli('discover -v', ['discover', '--issuer', provider.issuer])
  await cli('verify -v --issuer', ['verify', '--issuer', provider.issuer, '-'], never, { input: loginOut.id_token ?? '', expect: loginOut.id_token ? 0 : 2 })
  const ex = await cli('exchange -v --raw', ['exchange', '--raw', '--subject-token', '-', '--scope', 'openid'], never, { input: tok.stdout })
  runs[runs.length - 1]!.printsOnPurpose = (s) => s === ex.stdout.trim()
  // --debug adds stack traces and causes to every failure: the same search must find nothing
  await cli('refresh -v --debug', ['--debug', 'refresh'])
  await cli('userinfo -v --debug', ['--debug', 'userinfo'])
  await cli('introspect -v --debug (a refused client)', ['--debug', 'introspect', '--client-secret', 'env:WRONG'], never, { expect: 4, env: { WRONG: `${basic.client_secret}-but-wrong` } })
  await cli('revoke -v', ['revoke', '--hint', 'access_token', '--', tok.stdout.trim()])
  await cli('revoke -v refresh token', ['revoke', '--hint', 'refresh_token'])

  // the native client: the device flow, and an API called with the profile's token
  const device = spawnCli(['-v', 'login', '--device', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--scope', 'openid offline_access', '--profile', 'device'], { home })
  await browserlessDeviceApproval((await device.waitForStderr(/^Verify: (\S+)$/m))[1]!)
  const deviceRun = await device.done
  expect(deviceRun.code, deviceRun.stderr).toBe(0)
  runs.push({ name: 'login --device -v', r: deviceRun, printsOnPurpose: never })
  const apiLogin = await loginWithBrowserless(provider, ['-v', '--profile', 'api', '--resource', API_RESOURCE, '--scope', 'openid offline_access api:read'], { home })
  expect(apiLogin.code, apiLogin.stderr).toBe(0)
  runs.push({ name: 'login -v (API resource)', r: apiLogin, printsOnPurpose: never })
  await cli('call -v', ['call', '--profile', 'api', `${api.url}/me`])
  expect(api.requests.at(-1)?.status).toBe(200)
  for (const t of api.requests.map((q) => q.token)) if (t) secrets.add(t)

  // every secret of the run: what the provider received and what the profile keeps
  for (const s of [basic.client_secret, ...storedSecrets(home)]) secrets.add(s)
  for (const req of provider.requests) {
    for (const [k, v] of Object.entries(req.params)) {
      if (!SECRET_PARAMS.has(k)) continue
      for (const x of [v].flat()) if (typeof x === 'string' && x.length >= 16) secrets.add(x)
    }
  }
  for (const out of [loginOut.access_token, rOut.access_token, tok.stdout.trim(), cc.stdout.trim(), postOut.access_token, ex.stdout.trim()]) secrets.add(out)
  // the run really exercised the secrets this test is about
  const sentNames = new Set(provider.requests.flatMap((r) => Object.keys(r.params)))
  for (const n of ['code', 'code_verifier', 'refresh_token', 'client_secret', 'token', 'subject_token', 'device_code']) expect(sentNames, n).toContain(n)
  expect(secrets.size).toBeGreaterThan(10)

  const leaks: string[] = []
  for (const { name, r, printsOnPurpose } of runs) {
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        if (r.stderr.includes(form)) leaks.push(`${name}: stderr has ${form.slice(0, 12)}…`)
        if (r.stdout.includes(form) && !printsOnPurpose(secret)) leaks.push(`${name}: stdout has ${form.slice(0, 12)}…`)
      }
    }
  }
  expect(leaks).toEqual([])
})
