/**
 * A literal client secret or refresh token on argv is visible to every local user (ps): one
 * warning line naming the safer forms, never the value; references (env:, @file) get none.
 */
import { describe, expect, it } from 'vitest'
import { literalSecretFlags } from '../../src/cli/argv-secrets.js'
import { runCli } from '../helpers/run-cli.js'

describe('literalSecretFlags', () => {
  it('finds literal values, in both option forms, and ignores references', () => {
    expect(literalSecretFlags(['token', '--client-secret', 's3cr3t-value'])).toEqual(['--client-secret'])
    expect(literalSecretFlags(['token', '--client-secret=s3cr3t-value', '--refresh-token', 'rt'])).toEqual(['--client-secret', '--refresh-token'])
    expect(literalSecretFlags(['token', '--client-secret', 'env:CI_SECRET', '--refresh-token=@rt.txt'])).toEqual([])
    expect(literalSecretFlags(['decode', '--', '--client-secret', 'x'])).toEqual([])
  })
})

describe('the warning', () => {
  const on = { TOKENTOOL_NO_ARGV_WARNING: undefined }
  it('is one line on stderr naming env:, @file and stdin, without the value', async () => {
    const r = await runCli(['token', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'c', '--client-secret', 'hunter2-hunter2', '--timeout', '1s'], { env: on })
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^tokentool: warning: a literal --client-secret on the command line is visible to other local users/)
    expect(lines[0]).toContain('env:VAR')
    expect(lines[0]).toContain('@FILE')
    expect(lines[0]).toContain('stdin')
    expect(r.stderr).not.toContain('hunter2')
    expect(r.stdout).toBe('')
  })

  it('is not given for env: and @file, nor with TOKENTOOL_NO_ARGV_WARNING=1', async () => {
    const a = await runCli(['token', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'c', '--client-secret', 'env:S', '--timeout', '1s'], { env: { ...on, S: 'hunter2-hunter2' } })
    expect(a.stderr).not.toMatch(/warning/)
    const b = await runCli(['token', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'c', '--client-secret', 'hunter2-hunter2', '--timeout', '1s'], { env: { TOKENTOOL_NO_ARGV_WARNING: '1' } })
    expect(b.stderr).not.toMatch(/warning/)
  })

  it('- really reads the secret from stdin', async () => {
    const r = await runCli(['token', '-v', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'c', '--client-secret', '-', '--timeout', '1s'], { env: on, input: 'hunter2-hunter2\n' })
    // it got as far as the network (port 9 refuses): the secret was read, and is nowhere in the trace
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr).not.toMatch(/warning/)
    expect(r.stderr).not.toContain('hunter2-hunter2')
  })
})
