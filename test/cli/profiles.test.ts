import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempHome } from '../helpers/run-cli.js'

// Seeded the way a user's store looks on disk, so the test also pins the file format.
const ACCESS = 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.ACCESS-SIGNATURE-tail-1'
const REFRESH = 'rt-0123456789-REFRESH-secret-tail-2'
const ID = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImF1ZCI6ImNsaSJ9.ID-SIGNATURE-tail-3'
const LITERAL_SECRET = 'client-secret-LITERAL-tail-4'
const SECRETS = [ACCESS, REFRESH, ID, LITERAL_SECRET]
const FUTURE = 4_102_444_800 // 2100-01-01
const PAST = 946_684_800 // 2000-01-01

function seed(): string {
  const home = tempHome()
  mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
  chmodSync(home, 0o700)
  const write = (f: string, v: unknown) => writeFileSync(join(home, f), JSON.stringify(v, null, 2), { mode: 0o600 })
  write('config.json', {
    version: 1,
    profiles: {
      default: { issuer: 'https://login.example.com', clientId: 'cli-app', scope: 'openid offline_access', redirect: { host: 'localhost', path: '/cb' } },
      ci: { issuer: 'https://login.example.com', clientId: 'ci-robot', clientAuth: 'basic', clientSecret: 'env:CI_SECRET', audience: ['https://api.example.com'] },
      lit: { issuer: 'https://other.example', clientId: 'lit-client', clientAuth: 'post' },
    },
  })
  write('secrets.json', { version: 1, clientSecrets: { lit: LITERAL_SECRET } })
  write('tokens/default.json', {
    version: 1,
    issuer: 'https://login.example.com',
    clientId: 'cli-app',
    accessTokens: {
      'ck1-user': { accessToken: ACCESS, tokenType: 'Bearer', expiresAt: FUTURE, scope: 'openid offline_access', cacheKey: 'ck1-user', obtainedAt: PAST, shape: { v: 1, issuer: 'https://login.example.com', clientId: 'cli-app', grant: 'authorization_code', scope: ['offline_access', 'openid'] } },
    },
    refreshToken: { value: REFRESH, obtainedAt: PAST, scope: 'openid offline_access' },
    idToken: { value: ID, obtainedAt: PAST, expiresAt: PAST + 3600 },
  })
  write('tokens/ci.json', {
    version: 1,
    accessTokens: { 'ck1-cc': { accessToken: 'opaque-ci-token-value-0001', tokenType: 'Bearer', expiresAt: PAST, cacheKey: 'ck1-cc', obtainedAt: PAST } },
  })
  return home
}

const run = (home: string, args: string[], env: Record<string, string> = {}) => runCli(args, { env: { TOKENTOOL_HOME: home, TOKENTOOL_PROFILE: undefined, ...env } })
const mode = (p: string) => statSync(p).mode & 0o777

describe('tokentool profiles list', () => {
  it('shows every profile with issuer, client id, stored tokens and expiry; * marks the selected one', async () => {
    const home = seed()
    const r = await run(home, ['profiles', 'list'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ {2}PROFILE +ISSUER +CLIENT ID +TOKENS +ACCESS TOKEN$/)
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}ci +https:\/\/login\.example\.com +ci-robot +access +expired .* ago \(2000-01-01T00:00:00Z\)$/),
      expect.stringMatching(/^\* default +https:\/\/login\.example\.com +cli-app +access\+refresh +expires in .* \(2100-01-01T00:00:00Z\)$/),
      expect.stringMatching(/^ {2}lit +https:\/\/other\.example +lit-client +none +-$/),
    ])
    expect(r.stdout).not.toMatch(/\x1b\[/)
    for (const s of SECRETS) expect(r.stdout).not.toContain(s.slice(-8))
  })

  it('"profiles" alone is "profiles list"', async () => {
    const home = seed()
    const [alone, list] = await Promise.all([run(home, ['profiles']), run(home, ['profiles', 'list'])])
    expect(alone.code).toBe(0)
    expect(alone.stdout).toContain('* default')
    const firstColumns = (out: string) => out.split('\n').map((l) => l.slice(0, 40))
    expect(firstColumns(alone.stdout)).toEqual(firstColumns(list.stdout))
  })

  it('--json gives one document; --profile and TOKENTOOL_PROFILE select', async () => {
    const home = seed()
    for (const [args, env] of [[['--json', '--profile', 'ci', 'profiles', 'list'], {}], [['profiles', 'list', '--json'], { TOKENTOOL_PROFILE: 'ci' }]] as const) {
      const r = await run(home, [...args], env)
      expect(r.code).toBe(0)
      const doc = JSON.parse(r.stdout)
      expect(doc.home).toBe(home)
      expect(doc.profiles).toEqual([
        { name: 'ci', selected: true, issuer: 'https://login.example.com', client_id: 'ci-robot', has_tokens: true, has_refresh_token: false, access_token_expires_at: PAST },
        { name: 'default', selected: false, issuer: 'https://login.example.com', client_id: 'cli-app', has_tokens: true, has_refresh_token: true, access_token_expires_at: FUTURE },
        { name: 'lit', selected: false, issuer: 'https://other.example', client_id: 'lit-client', has_tokens: false, has_refresh_token: false, access_token_expires_at: null },
      ].map((p) => expect.objectContaining(p)))
      // the 0.1 names, with their ISO times, until 0.3 (README "JSON output")
      expect(doc.profiles.map((p: Record<string, unknown>) => [p.clientId, p.hasTokens, p.hasRefreshToken, p.accessTokenExpiresAt])).toEqual([
        ['ci-robot', true, false, '2000-01-01T00:00:00Z'],
        ['cli-app', true, true, '2100-01-01T00:00:00Z'],
        ['lit-client', false, false, null],
      ])
    }
  })

  it('an empty or missing home lists nothing, says how to start, and creates no files', async () => {
    const home = join(tempHome(), 'not-yet')
    const r = await run(home, ['profiles', 'list'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`No profiles stored in ${home}.\nCreate one with: tokentool login --profile NAME --issuer URL --client-id ID\n`)
    expect(JSON.parse((await run(home, ['--json', 'profiles', 'list'])).stdout)).toEqual({ home, profiles: [] })
    expect(existsSync(home)).toBe(false)
  })

  it('repairs loose permissions with a warning on stderr, stdout still clean JSON', async () => {
    const home = seed()
    chmodSync(join(home, 'config.json'), 0o644)
    chmodSync(join(home, 'tokens'), 0o755)
    const r = await run(home, ['--json', 'profiles', 'list'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).profiles).toHaveLength(3)
    expect(r.stderr).toContain(`tokentool: warning: ${join(home, 'config.json')} had mode 0644, others could read it; changed to 0600\n`)
    expect(r.stderr).toContain(`tokentool: warning: ${join(home, 'tokens')} had mode 0755`)
    expect(mode(join(home, 'config.json'))).toBe(0o600)
    expect(mode(join(home, 'tokens'))).toBe(0o700)
    expect((await run(home, ['profiles', 'list'])).stderr).toBe('')
  })

  it('a corrupt tokens file is reported (exit 2, naming it), kept aside, and the next run works', async () => {
    const home = seed()
    const file = join(home, 'tokens/default.json')
    writeFileSync(file, '{"version":1,"accessTokens":', { mode: 0o600 })
    const r = await run(home, ['profiles', 'list'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(new RegExp(`^tokentool: corrupt store file ${file}: not JSON .*; kept as ${file}\\.corrupt-\\d{8}T\\d{9}Z, the next run starts with an empty one`))
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    const kept = readdirSync(join(home, 'tokens')).filter((f) => f.startsWith('default.json.corrupt-'))
    expect(kept).toHaveLength(1)
    expect(readFileSync(join(home, 'tokens', kept[0]!), 'utf8')).toBe('{"version":1,"accessTokens":')
    const again = await run(home, ['--json', 'profiles', 'list'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).profiles.find((p: { name: string }) => p.name === 'default')).toMatchObject({ hasTokens: false })
  })
})

describe('tokentool profiles show', () => {
  it('shows settings and a token summary with every secret masked', async () => {
    const home = seed()
    const r = await run(home, ['profiles', 'show'])
    expect(r.code).toBe(0)
    for (const s of SECRETS) expect(r.stdout).not.toContain(s.slice(-8))
    expect(r.stdout).toContain('Profile default (selected)')
    expect(r.stdout).toMatch(/issuer +https:\/\/login\.example\.com/)
    expect(r.stdout).toMatch(/redirect +http:\/\/localhost:0\/cb \(any free port\)/)
    expect(r.stdout).toContain(`refresh token   rt-012…(${REFRESH.length} chars), obtained `)
    expect(r.stdout).toContain(`id token        eyJhbG…(${ID.length} chars), expired `)
    expect(r.stdout).toMatch(/access token +JWT Bearer, expires in .* \(2100-01-01T00:00:00Z\)/)
    expect(r.stdout).toContain(`eyJhbG…(${ACCESS.length} chars)`)
    expect(r.stdout).toContain('grant authorization_code, requested scope "offline_access openid"')
    expect(r.stdout).toContain(`tokens file     ${join(home, 'tokens/default.json')}`)
    expect(r.stdout).toContain('--reveal shows them in full')
  })

  it('--reveal prints the tokens and the literal client secret in full', async () => {
    const home = seed()
    const r = await run(home, ['profiles', 'show', '--reveal'])
    expect(r.code).toBe(0)
    for (const s of [ACCESS, REFRESH, ID]) expect(r.stdout).toContain(s)
    const lit = await run(home, ['profiles', 'show', 'lit'])
    expect(lit.stdout).toMatch(/client secret +client…\(28 chars\)/)
    expect(lit.stdout).not.toContain(LITERAL_SECRET)
    expect((await run(home, ['profiles', 'show', 'lit', '--reveal'])).stdout).toMatch(new RegExp(`client secret +${LITERAL_SECRET}\n`))
  })

  it('a secret reference is shown as the reference, never resolved', async () => {
    const home = seed()
    const r = await run(home, ['--profile', 'ci', 'profiles', 'show'], { CI_SECRET: 'resolved-value-must-not-show' })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/client secret +env:CI_SECRET \(reference, read when used\)/)
    expect(r.stdout).not.toContain('resolved-value')
    expect(r.stdout).toMatch(/access token +opaque Bearer, expired .* ago/)
  })

  it('--json: previews and lengths only; values only with --reveal', async () => {
    const home = seed()
    const masked = JSON.parse((await run(home, ['--json', 'profiles', 'show'])).stdout)
    expect(JSON.stringify(masked)).not.toContain(REFRESH.slice(-8))
    expect(JSON.stringify(masked)).not.toContain(ACCESS.slice(-8))
    expect(masked).toMatchObject({
      name: 'default',
      selected: true,
      revealed: false,
      files: { config: join(home, 'config.json'), tokens: join(home, 'tokens/default.json') },
      settings: { issuer: 'https://login.example.com', clientId: 'cli-app', scope: 'openid offline_access' },
      tokens: {
        refreshToken: { obtainedAt: '2000-01-01T00:00:00Z', expiresAt: null, expired: null, scope: 'openid offline_access', token: { preview: `rt-012…(${REFRESH.length} chars)`, length: REFRESH.length } },
        idToken: { expired: true, token: { length: ID.length } },
        accessTokens: [{ cacheKey: 'ck1-user', kind: 'JWT', tokenType: 'Bearer', expiresAt: '2100-01-01T00:00:00Z', expired: false, scope: 'openid offline_access' }],
      },
    })
    expect(masked.tokens.refreshToken.token).not.toHaveProperty('value')
    const revealed = JSON.parse((await run(home, ['profiles', 'show', 'default', '--json', '--reveal'])).stdout)
    expect(revealed.revealed).toBe(true)
    expect(revealed.tokens.refreshToken.token.value).toBe(REFRESH)
    expect(revealed.tokens.idToken.token.value).toBe(ID)
    expect(revealed.tokens.accessTokens[0].token.value).toBe(ACCESS)
    const lit = JSON.parse((await run(home, ['--json', 'profiles', 'show', 'lit'])).stdout)
    expect(lit.settings.clientSecret).toEqual({ kind: 'literal', preview: `client…(${LITERAL_SECRET.length} chars)`, length: LITERAL_SECRET.length })
    expect(lit.tokens).toBeNull()
  })

  it('a missing profile exits 2 with one line; a bad name too', async () => {
    const home = seed()
    const r = await run(home, ['profiles', 'show', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('tokentool: no profile "nope" (tokentool profiles list shows the stored ones)\n')
    const bad = await run(home, ['profiles', 'show', '../etc'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^tokentool: invalid profile name "\.\.\/etc"/)
    expect((await run(home, ['profiles', 'show'], { TOKENTOOL_PROFILE: 'ghost' })).stderr).toContain('no profile "ghost"')
  })
})

describe('tokentool profiles remove', () => {
  it('removes settings, literal secret and tokens; a second remove exits 2', async () => {
    const home = seed()
    const r = await run(home, ['profiles', 'remove', 'default'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`Removed profile default (settings and tokens) from ${home}.\n`)
    expect(existsSync(join(home, 'tokens/default.json'))).toBe(false)
    expect(Object.keys(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).profiles)).toEqual(['ci', 'lit'])
    expect(readdirSync(join(home, 'tokens'))).toEqual(['ci.json']) // no lock left behind
    const again = await run(home, ['profiles', 'remove', 'default'])
    expect(again.code).toBe(2)
    expect(again.stderr).toBe('tokentool: no profile "default" (tokentool profiles list shows the stored ones)\n')

    const lit = await run(home, ['--json', 'profiles', 'rm', 'lit'])
    expect(JSON.parse(lit.stdout)).toEqual({ removed: 'lit' })
    expect(JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')).clientSecrets).toEqual({})
    expect(mode(join(home, 'config.json'))).toBe(0o600)
  })

  it('requires a name', async () => {
    const r = await run(seed(), ['profiles', 'remove'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: missing the name argument (see tokentool profiles remove --help)\n')
  })
})
