import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0='
const CHALLENGE = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${CLAIMS}"`
const ANSWER = `'{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}'`

describe('tokentool cae decode', () => {
  it('shows every parameter, the claims pretty-printed and explained, and the answering commands', async () => {
    // wide enough for an answering command on one line (the wrapping at 40/60/100 is width.test.ts's)
    const r = await runCli(['cae', 'decode', CHALLENGE], { env: { COLUMNS: '120' } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Challenge: Bearer\n')
    expect(r.stdout).toMatch(/^ {2}realm +""$/m)
    expect(r.stdout).toMatch(/^ {2}authorization_uri +https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize$/m)
    expect(r.stdout).toMatch(/^ {2}error +insufficient_claims$/m)
    expect(r.stdout).toContain(`  claims             ${CLAIMS}`)
    expect(r.stdout).toContain('    {\n      "access_token": {\n        "nbf": {\n          "essential": true,\n          "value": "1604106651"\n        }\n      }\n    }\n')
    expect(r.stdout).toContain('present a token issued after 2020-10-31T01:10:51Z')
    expect(r.stdout).toContain(`    $ tokentool refresh --claims ${ANSWER}\n`)
    expect(r.stdout).toContain(`    $ tokentool login --claims ${ANSWER}\n`)
    expect(r.stdout).not.toMatch(/\x1b\[/)
  })

  it('--json: { challenges: [{ scheme, params, claims, ... }] } and nothing else on stdout', async () => {
    const r = await runCli(['--json', 'cae', 'decode', `Basic realm="legacy", ${CHALLENGE}`])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { challenges: Record<string, unknown>[] }
    expect(doc.challenges).toHaveLength(2)
    expect(doc.challenges[0]).toMatchObject({ scheme: 'Basic', params: { realm: 'legacy' }, claims: null, commands: null })
    expect(doc.challenges[1]).toMatchObject({
      scheme: 'Bearer',
      params: { realm: '', error: 'insufficient_claims', claims: CLAIMS },
      claims: { access_token: { nbf: { essential: true, value: '1604106651' } } },
      token68: null,
      commands: { refresh: `tokentool refresh --claims ${ANSWER}`, login: `tokentool login --claims ${ANSWER}` },
    })
    expect((doc.challenges[1]!.explanation as string[]).join('\n')).toContain('2020-10-31T01:10:51Z')
  })

  it('reads a pasted response head from stdin (no argument, and "-")', async () => {
    const head = `HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nWWW-Authenticate: Basic realm="a"\r\nWWW-Authenticate: ${CHALLENGE}\r\n\r\n`
    for (const args of [['cae', 'decode'], ['cae', 'decode', '-']]) {
      const r = await runCli(['--json', ...args], { input: head })
      expect(r.code).toBe(0)
      const doc = JSON.parse(r.stdout) as { challenges: { scheme: string }[] }
      expect(doc.challenges.map((c) => c.scheme)).toEqual(['Basic', 'Bearer'])
    }
  })

  it('reads the log form with typographic quotes from --file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-cae-'))
    const file = join(dir, 'log.txt')
    writeFileSync(file, `HTTP 401; Unauthorized WWW-Authenticate=Bearer authorization_uri=\u201c\u201d, error=\u201cinsufficient_claims\u201d, claims=\u201c${CLAIMS.replace(/=+$/, '')}\u201d\n`)
    const r = await runCli(['cae', 'decode', '--file', file])
    expect(r.code).toBe(0)
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('present a token issued after 2020-10-31T01:10:51Z')
  })

  it('non-conformant input is read with warnings naming the column, exit 0', async () => {
    const r = await runCli(['cae', 'decode', 'Bearer realm=x, error insufficient_claims'])
    expect(r.code).toBe(0) // valid RFC 9110: "error" starts a second challenge with a token68...
    expect(r.stdout).toContain('was "error=..." meant?') // ...which the view warns about

    const quoted = await runCli(['cae', 'decode', 'Bearer realm=x, error "insufficient_claims"'])
    expect(quoted.code).toBe(0)
    expect(quoted.stderr).toBe('')
    expect(quoted.stdout).toMatch(/error\s+insufficient_claims/)
    expect(quoted.stdout).toContain('warning: column 23: expected "=" after parameter name "error", found "\\""')

    const unquotedUrl = await runCli(['--json', 'cae', 'decode', 'Bearer authorization_uri=https://login.microsoftonline.com/t/oauth2/authorize resource_id=https://storage.azure.com'])
    expect(unquotedUrl.code).toBe(0)
    const doc = JSON.parse(unquotedUrl.stdout)
    expect(doc.challenges[0].params).toEqual({ authorization_uri: 'https://login.microsoftonline.com/t/oauth2/authorize', resource_id: 'https://storage.azure.com' })
    expect(doc.challenges[0].warnings.length).toBeGreaterThan(0)
  })

  it('on stdin the warning names the line and column; a bad claims value is a warning on that parameter', async () => {
    const r = await runCli(['cae', 'decode'], { input: 'HTTP/1.1 401\nWWW-Authenticate: Bearer realm="x" error="y"\n' })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('warning: line 2, column 36: expected "," or the end')
    const c = await runCli(['--json', 'cae', 'decode', 'Bearer claims="%%%"'])
    expect(c.code).toBe(0)
    const doc = JSON.parse(c.stdout)
    expect(doc.challenges[0].claims).toBeNull()
    expect(doc.challenges[0].claimsError).toBe('the claims parameter of challenge 1 (Bearer) is not base64 or base64url: "%" at position 1 (the parameter is at column 8)')
    const none = await runCli(['cae', 'decode', '@@@'])
    expect(none.code).toBe(2)
    expect(none.stdout).toBe('')
    expect(none.stderr).toMatch(/^tokentool: cannot parse WWW-Authenticate at column 1: expected an authentication scheme/)
  })

  it('an unquoted header split by the shell gets a hint', async () => {
    const r = await runCli(['cae', 'decode', 'Bearer', 'realm=', 'error=insufficient_claims'])
    expect(r.stderr).toContain('put the header in single quotes')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('empty input and --file with an argument are usage errors', async () => {
    const empty = await runCli(['cae', 'decode'], { input: '\n' })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toBe('tokentool: no WWW-Authenticate value given (the input is empty)\n')
    const both = await runCli(['cae', 'decode', CHALLENGE, '--file', 'x.txt'])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('either as an argument or with --file')
    const missing = await runCli(['cae', 'decode', '--file', '/nonexistent/h.txt'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read header file /nonexistent/h.txt: no such file')
  })

  it('--profile shows up in the suggested commands', async () => {
    const r = await runCli(['--profile', 'work', 'cae', 'decode', CHALLENGE], { env: { COLUMNS: '120' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`$ tokentool --profile work refresh --claims ${ANSWER}`)
  })

  it('cae without a subcommand, or with an unknown one, is a usage error', async () => {
    const none = await runCli(['cae'])
    expect(none.code).toBe(2)
    expect(none.stderr).toBe("tokentool: cae needs a subcommand: decode (see 'tokentool cae --help')\n")
    const unknown = await runCli(['cae', 'decdoe', 'x'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe("tokentool: unknown command 'cae decdoe' (did you mean tokentool cae decode?)\n")
  })

  it('help lists decode with examples', async () => {
    const r = await runCli(['cae', 'decode', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Examples:')
    expect(r.stdout).toContain('--file <path>')
  })
})
