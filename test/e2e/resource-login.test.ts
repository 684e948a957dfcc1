/**
 * Sign-in from nothing but a protected resource's URL (RFC 9728 + RFC 8414 + RFC 7591), with
 * the built binary against the real test provider (open dynamic registration, resource
 * indicators) and a resource server that publishes its metadata as MCP servers do: the
 * registration and the authorization request seen on the provider side, the access token's
 * audience, the second sign-in reusing the registered client, `call`, `discover --resource`,
 * and the refusal cases.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { errors } from 'oidc-provider'
import { browserlessLogin } from './browserless-login.js'
import { startProtectedResource, type ProtectedResource } from './protected-resource.js'
import { startProvider, type TestProvider } from './provider.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { openUrl, spawnCli } from '../helpers/spawn-cli.js'
import { KEY, startPty } from '../helpers/pty.js'

let provider: TestProvider
let api: ProtectedResource
/** Set by a test: the provider refuses registrations (invalid_client_metadata). */
let refuseRegistration = false
/** The resources the provider issues JWT access tokens for (the test resource servers' URLs). */
const knownResources = new Set<string>()

beforeAll(async () => {
  provider = await startProvider({
    configure(config: any) {
      config.features.registration = { enabled: true }
      // the provider's registration refusal, as a server whose policy rejects the metadata
      config.extraClientMetadata = {
        properties: ['client_name'],
        validator(_ctx: unknown, key: string) {
          if (key === 'client_name' && refuseRegistration) throw new errors.InvalidClientMetadata('client_name "tokentool" is not allowed here')
        },
      }
      const ri = config.features.resourceIndicators
      const stock = ri.getResourceServerInfo
      ri.getResourceServerInfo = (ctx: unknown, indicator: string, client: unknown) =>
        knownResources.has(indicator) ? { scope: 'api:read', accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } } : stock(ctx, indicator, client)
    },
  })
  api = await startProtectedResource(provider.issuer)
  knownResources.add(api.resource)
})
afterAll(async () => {
  await api?.close()
  await provider?.stop()
})
beforeEach(() => {
  api.setMode('normal')
  refuseRegistration = false
})

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'))
const registrations = () => provider.requestsTo('/reg').filter((r) => r.method === 'POST')

/** `tokentool login --resource URL` completed by the browserless user. */
async function loginFromResource(home: string, args: string[] = []) {
  const cli = spawnCli(['login', '--resource', api.resource, '--no-open', ...args], { home })
  const url = new URL(await openUrl(cli))
  await browserlessLogin(url.href, { deliver: true })
  return { ...(await cli.done), authorizationUrl: url }
}

describe('login --resource URL with nothing else', { timeout: 60_000 }, () => {
  it('finds the server, registers a public client, signs in for the resource; the second sign-in reuses the client', async () => {
    const home = tempHome()
    const before = registrations().length
    const r = await loginFromResource(home, ['--json'])
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)

    // RFC 7591 registration, as the provider received it
    const regs = registrations().slice(before)
    expect(regs).toHaveLength(1)
    const reg = regs[0]!.params as Record<string, unknown>
    expect(reg.token_endpoint_auth_method).toBe('none')
    expect(reg.client_name).toBe('tokentool')
    expect(reg.grant_types).toEqual(['authorization_code', 'refresh_token'])
    const redirect = new URL((reg.redirect_uris as string[])[0]!)
    expect(redirect.hostname).toBe('127.0.0.1')
    expect(Number(redirect.port)).toBeGreaterThan(0) // a fixed port: a registered URI may be matched exactly

    // the authorization request: that client, that redirect URI, resource=URL, the metadata's scopes
    const auth = r.authorizationUrl.searchParams
    expect(auth.get('resource')).toBe(api.resource)
    expect(auth.get('scope')).toBe(api.scopes.join(' '))
    expect(auth.get('redirect_uri')).toBe(redirect.href)
    expect(auth.get('code_challenge_method')).toBe('S256')

    // the access token is for the resource
    const out = JSON.parse(r.stdout)
    const payload = JSON.parse(Buffer.from(out.access_token.split('.')[1], 'base64url').toString())
    expect(payload.aud).toBe(api.resource)
    expect(payload.iss).toBe(provider.issuer)

    // the profile keeps the server, the registered client, its redirect; the registration 0600
    const profile = readJson(join(home, 'config.json')).profiles.default
    expect(profile).toMatchObject({ issuer: provider.issuer, clientId: auth.get('client_id'), resource: [api.resource], redirect: { port: Number(redirect.port) } })
    const secrets = readJson(join(home, 'secrets.json'))
    expect(secrets.registrations.default).toMatchObject({ issuer: provider.issuer, clientId: auth.get('client_id'), redirectUri: redirect.href })
    expect(statSync(join(home, 'secrets.json')).mode & 0o777).toBe(0o600)
    expect(JSON.stringify(profile)).not.toContain(secrets.registrations.default.registrationAccessToken ?? '\u0000')

    // call now succeeds with that token
    const called = await runCli(['call', api.resource], { env: { TOKENTOOL_HOME: home } })
    expect(called.stderr).toBe('')
    expect(called.code).toBe(0)
    expect(JSON.parse(called.stdout)).toMatchObject({ hello: 'alice' })
    expect(api.requests.at(-1)).toMatchObject({ path: '/mcp', token: true, ok: true, aud: api.resource })

    // a second sign-in: no new registration, the same client and redirect URI
    const again = await loginFromResource(home)
    expect(again.code).toBe(0)
    expect(registrations().length - before).toBe(1)
    expect(again.authorizationUrl.searchParams.get('client_id')).toBe(auth.get('client_id'))
    expect(again.authorizationUrl.searchParams.get('redirect_uri')).toBe(redirect.href)
  })

  it('-v traces the registration without its registration access token', async () => {
    const home = tempHome()
    const r = await loginFromResource(home, ['-v'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/reg/)
    const rat = readJson(join(home, 'secrets.json')).registrations.default.registrationAccessToken as string
    expect(rat.length).toBeGreaterThan(10)
    expect(r.stderr).not.toContain(rat)
  })

  it('follows the resource_metadata of the 401 when there is no well-known document', async () => {
    api.setMode('challenge-only')
    const r = await loginFromResource(tempHome())
    expect(r.stderr).not.toMatch(/^tokentool: /m)
    expect(r.code).toBe(0)
    expect(api.requests.some((q) => q.path === '/meta/resource.json')).toBe(true)
  })

  it.each([
    ['mismatch', /is for the resource ".*\/other", not ".*\/mcp" \(RFC 9728 §3\.3/],
    ['no-server', /names no authorization server/],
    ['not-json', /protected resource metadata at \S+ is not JSON/],
  ] as const)('metadata that cannot be used (%s): one line, exit 3', async (mode, message) => {
    api.setMode(mode)
    const before = registrations().length
    const r = await runCli(['login', '--resource', api.resource, '--no-open'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('tokentool: ')).length).toBe(1)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(registrations().length).toBe(before)
  })

  it('a registration the server refuses: its words, exit 4, and what to do', async () => {
    refuseRegistration = true
    const r = await runCli(['login', '--resource', api.resource, '--no-open'])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/invalid_client_metadata/)
    expect(r.stderr).toMatch(/not allowed here/)
    expect(r.stderr).toMatch(/--client-id/)
  })

  it('an --issuer the resource does not name is a usage error', async () => {
    const r = await runCli(['login', '--resource', api.resource, '--issuer', 'https://elsewhere.example', '--no-open'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/https:\/\/elsewhere\.example is not an authorization server of .*; it names http:\/\/127\.0\.0\.1:\d+/)
  })
})

describe('discover --resource URL', () => {
  it('shows the metadata, validated, and the command that signs in', async () => {
    const r = await runCli(['discover', '--resource', api.resource])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`resource\\s+${api.resource.replace(/[.]/g, '\\.')}\\s+✓ matches`))
    expect(r.stdout).toMatch(/authorization servers\s+http:\/\/127\.0\.0\.1:\d+/)
    expect(r.stdout).toMatch(/scopes\s+api:read/)
    expect(r.stdout).toMatch(/bearer methods\s+header/)
    expect(r.stdout).toContain(`sign in with: tokentool login --resource ${api.resource}`)
    const j = await runCli(['--json', 'discover', '--resource', api.resource])
    expect(j.code).toBe(0)
    expect(JSON.parse(j.stdout)).toMatchObject({ resource: api.resource, via: 'well-known', metadata: { authorization_servers: [provider.issuer], scopes_supported: ['api:read'] } })
  })

  it('a mismatching document is refused (exit 3)', async () => {
    api.setMode('mismatch')
    const r = await runCli(['discover', '--resource', api.resource])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/must not be used/)
  })
})

describe('call URL without a token, at a resource that names its metadata', () => {
  it('without a terminal: exit 2 with the exact login command, and the API saw no token', async () => {
    const r = await runCli(['--profile', 'mcp', 'call', `${api.resource}/tools`])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`sign in with: tokentool --profile mcp login --resource ${api.resource}`)
    expect(r.stdout).toBe('')
  })

  it('in a terminal: offers the sign-in, signs in through the resource\'s server, then sends the request once with the new token', { timeout: 60_000 }, async () => {
    const before = api.requests.length
    const t = startPty(['call', `${api.resource}/tools`, '--no-open'])
    try {
      await t.waitFor(/asks for a sign-in through http:\/\/127\.0\.0\.1:\d+\. Sign in now\?/)
      t.type(KEY.enter)
      const url = (await t.waitFor(/Open: (\S+)/))[1]!
      await browserlessLogin(url, { deliver: true })
      expect(await t.exited).toBe(0)
      expect(t.screen()).toMatch(/Registered tokentool at http:\/\/127\.0\.0\.1:\d+ as client /)
      expect(t.screen()).toMatch(/"hello":\s*"alice"/)
      // the API: one request without a token (the probe), then exactly one with the new token
      const seen = api.requests.slice(before).filter((q) => q.path === '/mcp/tools')
      expect(seen.map((q) => [q.token, q.ok])).toEqual([[false, false], [true, true]])
      expect(seen[1]!.aud).toBe(api.resource)
    } finally {
      t.kill()
    }
  })
})

describe('a resource that names several authorization servers', { timeout: 60_000 }, () => {
  let two: ProtectedResource
  beforeAll(async () => {
    two = await startProtectedResource(provider.issuer, { moreServers: ['https://other-as.example'] })
    knownResources.add(two.resource)
  })
  afterAll(async () => {
    await two?.close()
  })

  it('without a terminal: exit 2 listing them, and the way to choose', async () => {
    const r = await runCli(['login', '--resource', two.resource, '--no-open'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/names 2 authorization servers: http:\/\/127\.0\.0\.1:\d+, https:\/\/other-as\.example \(choose one with --issuer URL\)/)
  })

  it('in a terminal: a choice at the prompt, then the sign-in through the chosen one', async () => {
    const t = startPty(['login', '--resource', two.resource, '--no-open'])
    try {
      await t.waitFor(/through which authorization server\?/)
      await t.choose(provider.issuer)
      const url = (await t.waitFor(/Open: (\S+)/))[1]!
      expect(new URL(url).origin).toBe(provider.issuer)
      await browserlessLogin(url, { deliver: true })
      const code = await t.exited
      expect(t.screen()).toMatch(/Signed in at http:\/\/127\.0\.0\.1:\d+/)
      expect(code).toBe(0)
    } finally {
      t.kill()
    }
  })
})
