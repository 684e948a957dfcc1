/**
 * The store as found on disk, through the built binary: a corrupt tokens file is reported in
 * one line and kept aside byte for byte (never silently overwritten), the next run starts
 * clean; modes that let others read a secret are repaired on read and said so.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCli, tempHome } from '../helpers/run-cli.js'

it('a corrupt tokens file is reported, kept aside unchanged, and the next run starts clean; loose modes are repaired', async () => {
  const home = tempHome()
  chmodSync(home, 0o755)
  const dir = join(home, 'tokens')
  mkdirSync(dir, { mode: 0o700 })
  const damaged = '{"version":1,"refreshToken":{"value":"rt_half-written-secret-0123456789'
  writeFileSync(join(dir, 'default.json'), damaged, { mode: 0o644 })
  chmodSync(join(dir, 'default.json'), 0o644)

  const first = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: home } })
  expect(first.code).toBe(2)
  const lines = first.stderr.trimEnd().split('\n')
  expect(lines.filter((l) => l.startsWith('tokentool: warning: '))).toEqual([
    `tokentool: warning: ${home} had mode 0755, others could read it; changed to 0700`,
    `tokentool: warning: ${join(dir, 'default.json')} had mode 0644, others could read it; changed to 0600`,
  ])
  const errors = lines.filter((l) => !l.startsWith('tokentool: warning: '))
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(new RegExp(`^tokentool: corrupt store file ${join(dir, 'default.json')}: not JSON .*; kept as ${join(dir, 'default.json')}\\.corrupt-\\d{8}T\\d{6}\\d*Z`))
  // the secret inside is not echoed
  expect(first.stderr).not.toContain('rt_half-written-secret')
  expect(statSync(home).mode & 0o777).toBe(0o700)

  const kept = readdirSync(dir).filter((n) => n.startsWith('default.json.corrupt-'))
  expect(kept).toHaveLength(1)
  expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(damaged)
  expect(statSync(join(dir, kept[0]!)).mode & 0o777).toBe(0o600)

  const second = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: home } })
  expect(second.code, second.stderr).toBe(0)
  expect(second.stderr).toBe('')
  expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(damaged)
})

it('the corrupt-file line never quotes the file (a bare token pasted into it stays unseen)', async () => {
  const home = tempHome()
  mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 })
  writeFileSync(join(home, 'tokens', 'default.json'), 'rt_secretvalue0123456789abcdef\n', { mode: 0o600 })
  const r = await runCli(['profiles', 'list'], { env: { TOKENTOOL_HOME: home } })
  expect(r.code).toBe(2)
  expect(r.stderr).toMatch(/corrupt store file .*: not JSON/)
  expect(r.stderr).not.toContain('rt_secret')
})
