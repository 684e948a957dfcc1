/**
 * Issue #19, the contract items, run as the newcomer ran them: `--json` failures as a JSON
 * document on stdout, a token argument that names a file, usage errors in tokentool's one line
 * with the suggestion in the user's notation, mistyped flags shown whole, and --help wrapped
 * to COLUMNS at spaces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { hs256 } from '../helpers/jwt-fixtures.js'
import { runCli, type CliResult } from '../helpers/run-cli.js'

const SECRET = 'a-realm-secret-of-32-bytes-long!!'
let dir: string
let jwt: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokentool-newcomer-'))
  jwt = await hs256({ sub: 'alice', iss: 'https://issuer.test' })
  writeFileSync(join(dir, 'token.txt'), `${jwt}\n`)
  writeFileSync(join(dir, 'token.jwt'), jwt)
})

/** One `tokentool:` line on stderr, exit 2, nothing on stdout. */
function usageLine(r: CliResult): string {
  expect(r.code, r.stderr).toBe(2)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^tokentool: /)
  expect(r.stderr).not.toMatch(/^error:|Did you mean|Allowed choices|command-argument/m)
  return lines[0]!
}

describe('--json failures', () => {
  it('write {"error":{code,message,hint,exitCode}} on stdout besides the stderr line', async () => {
    const r = await runCli(['--json', 'decode', 'abc.!!.def'])
    expect(r.code).toBe(2)
    const doc = JSON.parse(r.stdout) as { error: Record<string, unknown> }
    expect(doc).toEqual({ error: { code: 'ERR_INPUT', message: expect.any(String), hint: null, exit_code: 2, exitCode: 2 } })
    expect(r.stderr).toBe(`tokentool: ${doc.error.message as string}\n`)
  })

  it('a usage error found by the parser too, with its hint, and --json after the command', async () => {
    const r = await runCli(['verify', '--json', '--isuer', 'https://x.test'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'ERR_USAGE', message: "unknown option '--isuer'", hint: 'did you mean --issuer?', exit_code: 2, exitCode: 2 } })
  })

  it('a failed verify writes its own report, and only that one document', async () => {
    const r = await runCli(['--json', 'verify', '--secret', 'another-secret-of-32-bytes-long!!!', jwt])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as { valid: boolean }
    expect(doc.valid).toBe(false)
    expect(r.stdout).not.toContain('"error"')
  })

  it('a --json after -- is an argument, not the flag', async () => {
    const r = await runCli(['decode', '--', '--json'])
    expect(r.stdout).not.toContain('"error"')
  })
})

describe('a token argument that names a file', () => {
  it('decode token.txt decodes the token in the file, not the file name', async () => {
    const r = await runCli(['--json', 'decode', 'token.txt'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).payload.sub).toBe('alice')
  })

  it("the root help's own example verify --issuer … token.jwt reads the file (here with --secret)", async () => {
    const r = await runCli(['verify', '--secret', SECRET, 'token.jwt'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^VALID: every check passed/)
  })

  it('@FILE always means a file, and says so when it cannot be read', async () => {
    const ok = await runCli(['--json', 'decode', `@${join(dir, 'token.txt')}`])
    expect(JSON.parse(ok.stdout).payload.sub).toBe('alice')
    const missing = await runCli(['decode', '@nope.txt'], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('tokentool: cannot read token file nope.txt: no such file\n')
  })

  it('a name that is not a file is still taken as an opaque token', async () => {
    const r = await runCli(['--json', 'decode', 'not-a-file.txt'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).kind).toBe('opaque')
  })
})

describe("usage errors in tokentool's words", () => {
  it.each([
    [['profiles', 'lst'], "tokentool: unknown command 'profiles lst' (did you mean tokentool profiles list?)"],
    [['help', 'decod'], "tokentool: unknown command 'decod' (did you mean tokentool decode?)"],
    [['decod', 'x'], "tokentool: unknown command 'decod' (did you mean tokentool decode?)"],
    [['--profile', 'ci', 'decod'], "tokentool: unknown command 'decod' (did you mean tokentool decode?)"],
    [['cae', 'decod', 'x'], "tokentool: unknown command 'cae decod' (did you mean tokentool cae decode?)"],
    [['completion', 'powershell'], "tokentool: unknown shell 'powershell' (choose bash, zsh or fish)"],
    [['simulate', '--active', '0-3h,2h-5h'], 'tokentool: --active: windows 0-3h and 2h-5h overlap'],
    [['verify', '--isuer', 'https://x.test'], "tokentool: unknown option '--isuer' (did you mean --issuer?)"],
    [['revoke', '--hint', 'id_token', 'x'], "tokentool: --hint: 'id_token' is not one of access_token or refresh_token"],
  ])('tokentool %j', async (args, line) => {
    expect(usageLine(await runCli(args))).toBe(line)
  })

  it('a mistyped long flag is shown whole; only a token-looking one is masked', async () => {
    expect(usageLine(await runCli(['decode', '--client-assertion-audience', 'x']))).toBe("tokentool: unknown option '--client-assertion-audience' (see tokentool decode --help)")
    const token = '-eyJhbGciOiJIUzI1NiJ9.e30.c2ln'
    const line = usageLine(await runCli(['decode', token]))
    expect(line).not.toContain(token)
    expect(line).toContain('put -- before it')
  })
})

describe('--help wraps to the width, never mid-word', () => {
  const commands = [['login'], ['refresh'], ['token'], ['exchange'], ['introspect'], ['revoke'], ['userinfo'], ['verify'], ['cae', 'decode']]
  it.each([80, 60])('at COLUMNS=%i every line fits, and every word of the help is whole', async (columns) => {
    for (const cmd of commands) {
      const r = await runCli([...cmd, '--help'], { env: { COLUMNS: String(columns) } })
      expect(r.code).toBe(0)
      const lines = r.stdout.split('\n')
      // only an example's unbreakable piece (one long word, one quoted shell argument) may
      // overflow; prose and the option table always fit
      const examples = lines.indexOf('Examples:')
      for (const [i, l] of lines.entries()) {
        if (l.length <= columns) continue
        expect(examples >= 0 && i > examples, `${cmd.join(' ')}: ${l}`).toBe(true)
        expect(l, `${cmd.join(' ')}: ${l}`).toMatch(/^( {2}\$ | {6})/)
      }
      expect(r.stdout, cmd.join(' ')).not.toMatch(/\(OpenID dis\n/)
    }
    const login = await runCli(['login', '--help'], { env: { COLUMNS: String(columns) } })
    expect(login.stdout.replace(/\s+/g, ' ')).toContain('authorization server issuer (OpenID discovery); saved in the profile')
    // refresh reads the profile's client authentication but never writes it: its help must not promise that
    const refresh = (await runCli(['refresh', '--help'], { env: { COLUMNS: String(columns) } })).stdout.replace(/\s+/g, ' ')
    expect(refresh).not.toContain('saved in the profile')
    expect(refresh).toMatch(/--client-auth <method> client authentication .*; default: the profile's, saved at login/)
    expect(login.stdout.replace(/\s+/g, ' ')).toMatch(/--client-auth <method> client authentication .*; saved in the profile/)
  })
})

describe('-f and -H forms', () => {
  it('-f is --file on every command that reads a token or header from a file', async () => {
    const v = await runCli(['verify', '--secret', SECRET, '-f', join(dir, 'token.jwt')])
    expect(v.code, v.stderr).toBe(0)
    writeFileSync(join(dir, 'challenge.txt'), 'WWW-Authenticate: Bearer error="invalid_token"\n')
    const c = await runCli(['--json', 'cae', 'decode', '-f', join(dir, 'challenge.txt')])
    expect(c.code, c.stderr).toBe(0)
    expect(JSON.parse(c.stdout).challenges[0].params.error).toBe('invalid_token')
    for (const cmd of ['introspect', 'revoke', 'userinfo', 'explain']) {
      const h = await runCli([cmd, '--help'])
      expect(h.stdout, cmd).toMatch(/^ {2}-f, --file <path>/m)
    }
  })

  it('-H "Name: value" and --header Name=value both reach the authorization server', async () => {
    const { startHttpServer } = await import('../helpers/http-server.js')
    const as = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"access_token":"opaque-at-1","token_type":"Bearer","expires_in":600}')
    })
    try {
      const r = await runCli(['token', '--client-credentials', '--token-endpoint', `${as.url}/token`, '--issuer', as.url, '--client-id', 'c', '--client-secret', 's', '-H', 'X-One: first', '--header', 'X-Two=second'])
      expect(r.stdout, r.stderr).toBe('opaque-at-1\n')
      expect(as.requests[0]!.headers).toMatchObject({ 'x-one': 'first', 'x-two': 'second' })
    } finally {
      await as.close()
    }
  })
})
