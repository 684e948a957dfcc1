/**
 * Issue #19: revoke, userinfo, introspect (and exchange) list only the endpoint flags that
 * apply to them, in --help and in the completion the scripts are built from; login keeps its
 * authorization and device endpoints. The unlisted ones stay accepted, so a script can pass
 * one server description to every command.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const LISTED: Record<string, { yes: string[]; no: string[] }> = {
  revoke: { yes: ['--token-endpoint', '--revocation-endpoint'], no: ['--jwks-uri', '--userinfo-endpoint', '--introspection-endpoint'] },
  userinfo: { yes: ['--token-endpoint', '--userinfo-endpoint', '--jwks-uri'], no: ['--revocation-endpoint', '--introspection-endpoint'] },
  introspect: { yes: ['--token-endpoint', '--introspection-endpoint', '--jwks-uri'], no: ['--revocation-endpoint', '--userinfo-endpoint'] },
  exchange: { yes: ['--token-endpoint', '--jwks-uri'], no: ['--revocation-endpoint', '--introspection-endpoint'] },
}
const NEVER = ['--device-authorization-endpoint', '--authorization-endpoint']

/** The flags a help text lists, as words. */
const flagsIn = (text: string) => new Set(text.match(/--[a-z][a-z-]*/g) ?? [])

describe('endpoint flags that apply', () => {
  for (const [cmd, { yes, no }] of Object.entries(LISTED)) {
    it(`${cmd} --help lists ${yes.join(', ')} and no login endpoints`, async () => {
      const r = await runCli([cmd, '--help'])
      expect(r.code, r.stderr).toBe(0)
      const listed = flagsIn(r.stdout)
      for (const f of yes) expect(listed, f).toContain(f)
      for (const f of [...no, ...NEVER]) expect(listed, f).not.toContain(f)
    })
  }

  it('the bash completion offers the same flags', async () => {
    const r = await runCli(['completion', 'bash'])
    expect(r.code, r.stderr).toBe(0)
    for (const [cmd, { yes, no }] of Object.entries(LISTED)) {
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${cmd}) if [[ "$cur" == -* ]]`))
      expect(line, cmd).toBeDefined()
      const offered = flagsIn(line!)
      for (const f of yes) expect(offered, `${cmd} ${f}`).toContain(f)
      for (const f of [...no, ...NEVER]) expect(offered, `${cmd} ${f}`).not.toContain(f)
    }
  })

  it('login still lists its authorization and device endpoints', async () => {
    const listed = flagsIn((await runCli(['login', '--help'])).stdout)
    for (const f of ['--authorization-endpoint', '--token-endpoint', '--device-authorization-endpoint']) expect(listed, f).toContain(f)
  })

  it('an unlisted endpoint flag is still accepted (one server description for every command)', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'tokentool-flags-')), 'empty.txt')
    writeFileSync(empty, '')
    const server = ['--token-endpoint', 'http://127.0.0.1:9/token', '--revocation-endpoint', 'http://127.0.0.1:9/r', '--introspection-endpoint', 'http://127.0.0.1:9/i', '--device-authorization-endpoint', 'http://127.0.0.1:9/d', '--client-id', 'c']
    for (const cmd of ['revoke', 'introspect']) {
      const r = await runCli([cmd, ...server, '--file', empty])
      expect(r.stderr, cmd).not.toMatch(/unknown option/)
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(/^tokentool: .*empty/)
    }
  })
})
