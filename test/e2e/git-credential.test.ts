/**
 * `tokentool git-credential` as git runs it: a profile signed in at the test provider claims a
 * git host (`configure --host`); `git credential fill` gets the profile's access token as the
 * password; `git ls-remote` against a stand-in smart-HTTP server that demands credentials sends
 * it (checked on the server side, and against the provider's keys); when the server refuses
 * it, git's `erase` drops the cached token and the next `get` refreshes.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { startGitServer, type GitServer } from './git-server.js'
import { BIN, runCli } from '../helpers/run-cli.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { describeWithProgram, findProgram, type ProgramSpec } from '../helpers/system-program.js'

const GIT: ProgramSpec = { name: 'git', commands: ['git'], enable: 'sudo apt-get install -y git' }

describeWithProgram(findProgram(GIT), 'git runs tokentool as its credential helper', (gitPath) => {
  let provider: TestProvider
  let git: GitServer
  let home: string
  let gitHome: string
  const refused = new Set<string>()

  beforeAll(async () => {
    provider = await startProvider()
    // the forge takes any token it did not refuse (a resource server would verify it; the test does)
    git = await startGitServer((password, path) => !(path.startsWith('/refuse') && refused.has(password)) && !path.startsWith('/refuse-all'))
    gitHome = mkdtempSync(join(tmpdir(), 'tokentool-git-'))
    const login = await loginWithBrowserless(provider, ['--profile', 'forge', '--scope', 'openid offline_access api:read', '--resource', API_RESOURCE])
    expect(login.code).toBe(0)
    home = login.home
  }, 60_000)
  afterAll(async () => {
    await provider?.stop()
    await git?.close()
  })

  const helper = () => `!"${process.execPath}" "${BIN}" git-credential`
  function runGit(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        gitPath,
        ['-c', `credential.helper=${helper()}`, ...args],
        { cwd: gitHome, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: gitHome, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', TOKENTOOL_HOME: home, NO_COLOR: '1' }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      )
      child.stdin?.end(input ?? '')
    })
  }
  const tokens = () => JSON.parse(readFileSync(join(home, 'tokens', 'forge.json'), 'utf8')) as { accessTokens: Record<string, { accessToken: string }>; refreshToken?: { value: string } }

  it('configure --host: the profile claims the git host and prints the git config line', async () => {
    const r = await runCli(['git-credential', 'configure', '--profile', 'forge', '--host', git.host], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`git config --global credential.https://${git.host}.helper '!tokentool git-credential'\n`)
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).profiles.forge.gitHosts).toEqual([git.host])
  })

  it('git credential fill: the profile\'s cached access token as the password, with its expiry; nothing else on stdout', async () => {
    const seen = provider.requests.length
    const r = await runGit(['credential', 'fill'], `protocol=http\nhost=${git.host}\npath=team/repo.git\n\n`)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const answer = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    const cached = Object.values(tokens().accessTokens)[0]!.accessToken
    expect(answer).toMatchObject({ protocol: 'http', host: git.host, username: 'oauth2', password: cached })
    expect(provider.requests.length).toBe(seen) // served from the cache
    // the helper's own answer, as git read it: only git's attributes
    const direct = await runCli(['git-credential', 'get'], { env: { TOKENTOOL_HOME: home }, input: `protocol=http\nhost=${git.host}\n\n` })
    expect(direct.stderr).toBe('')
    expect(direct.stdout).toMatch(new RegExp(`^username=oauth2\\npassword=${cached.replace(/[.]/g, '\\.')}\\npassword_expiry_utc=\\d{10}\\n$`))
  })

  it('git ls-remote sends the token the provider issued to the signed-in user', async () => {
    const seen = git.requests.length
    const r = await runGit(['ls-remote', `${git.url}/team/repo.git`])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const sent = git.requests.slice(seen).filter((q) => q.password !== undefined)
    expect(sent.length).toBeGreaterThan(0)
    expect(sent[0]!.username).toBe('oauth2')
    const { payload } = await jwtVerify(sent[0]!.password!, createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
    expect(payload).toMatchObject({ client_id: provider.clients.native.client_id, scope: 'api:read' })
    expect(git.requests.slice(seen)[0]!.status).toBe(401) // git asked the helper only after the challenge
  })

  it('the server refuses the token: git erases it, the cached token goes (the refresh token stays), the next get refreshes', async () => {
    const before = Object.values(tokens().accessTokens)[0]!.accessToken
    const refresh = tokens().refreshToken!.value
    refused.add(before)
    const r = await runGit(['ls-remote', `${git.url}/refuse/repo.git`])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/Authentication failed/)
    expect(Object.values(tokens().accessTokens).map((e) => e.accessToken)).not.toContain(before)
    expect(tokens().refreshToken?.value).toBe(refresh)

    const seen = provider.requestsTo('/token').length
    const again = await runGit(['ls-remote', `${git.url}/refuse/repo.git`])
    expect(again.stderr).toBe('')
    expect(again.code).toBe(0)
    const refreshes = provider.requestsTo('/token').slice(seen)
    expect(refreshes.map((q) => q.grantType)).toEqual(['refresh_token'])
    expect(git.requests.at(-1)!.password).not.toBe(before)
  })

  it('a host no profile claims: no answer and no noise (git goes on to ask elsewhere)', async () => {
    const r = await runCli(['git-credential', 'get'], { env: { TOKENTOOL_HOME: home }, input: 'protocol=https\nhost=github.com\n\n' })
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    // TOKENTOOL_PROFILE set in the shell does not make forge's token every host's password
    const env = await runCli(['git-credential', 'get'], { env: { TOKENTOOL_HOME: home, TOKENTOOL_PROFILE: 'forge' }, input: 'protocol=https\nhost=github.com\n\n' })
    expect(env).toMatchObject({ code: 0, stdout: '', stderr: '' })
    // --host on the helper line: that server only, even with --profile
    const other = await runCli(['git-credential', 'get', '--profile', 'forge', '--host', 'git.example.com'], { env: { TOKENTOOL_HOME: home }, input: 'protocol=https\nhost=github.com\n\n' })
    expect(other).toMatchObject({ code: 0, stdout: '', stderr: '' })
    const mine = await runCli(['git-credential', 'get', '--profile', 'forge', '--host', `http://${git.host}/`], { env: { TOKENTOOL_HOME: home }, input: `protocol=http\nhost=${git.host}\n\n` })
    expect(mine.stdout).toMatch(/^username=oauth2\npassword=\S+\n/)
    const fill = await runGit(['credential', 'fill'], 'protocol=https\nhost=github.com\n\n')
    expect(fill.code).not.toBe(0) // GIT_TERMINAL_PROMPT=0 and no helper answered
    expect(fill.stderr).not.toMatch(/tokentool/)
  })

  it('plain http to another machine: refused in one line, no token on stdout; store is accepted and ignored', async () => {
    const r = await runCli(['git-credential', 'get', '--profile', 'forge'], { env: { TOKENTOOL_HOME: home }, input: 'protocol=http\nhost=git.example.com\n\n' })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('tokentool: git-credential: not sending profile "forge"\'s token over http to git.example.com (use an https URL)\n')
    const s = await runCli(['git-credential', 'store', '--profile', 'forge'], { env: { TOKENTOOL_HOME: home }, input: 'protocol=https\nhost=git.example.com\nusername=oauth2\npassword=x\n\n' })
    expect(s).toMatchObject({ code: 0, stdout: '', stderr: '' })
  })
})
