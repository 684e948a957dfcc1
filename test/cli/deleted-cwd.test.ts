/**
 * A shell left in a directory that was deleted since: process.cwd() throws there (ENOENT), and
 * tokentool used to die on it at start with Node.js's stack trace, whatever the command. Now a
 * run that needs no relative path works, a relative path is "not found" with its name, and only
 * without an absolute $PWD does a relative path get the one line about the directory.
 * Both paths: the decode fast path (dist/start) and the full program (status, profiles).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, FULL_PROGRAM, tempHome } from '../helpers/run-cli.js'
import { b64 } from '../helpers/jwt-fixtures.js'

const JWT = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ sub: 'alice', iss: 'https://issuer.example' })}.${b64('sig')}`

/** `tokentool args` run from a directory removed just before (by the shell that sits in it). */
function fromDeletedDir(args: string[], { keepPwd = true, bin = BIN } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-gone-'))
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const script = `cd '${dir}' && rmdir '${dir}' && ${keepPwd ? '' : 'unset PWD; '}exec ${quoted}`
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TOKENTOOL_HOME: tempHome() } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |uv_cwd|node:internal/)

describe('run from a deleted working directory', () => {
  it('decode of an argument works as anywhere (fast path and full program)', () => {
    for (const bin of [BIN, FULL_PROGRAM]) {
      const r = fromDeletedDir(['decode', '--json', JWT], { bin })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout).payload.sub).toBe('alice')
    }
  })
  it('an absolute --file path reads as ever', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokentool-abs-')), 't.jwt')
    writeFileSync(file, JWT)
    const r = fromDeletedDir(['decode', '--json', '--file', file])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).payload.sub).toBe('alice')
  })
  it('a relative --file path is not found, named, exit 2: one line', () => {
    const r = fromDeletedDir(['decode', '--file', 't.jwt'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: cannot read token file t.jwt: no such file\n')
  })
  it('without $PWD, a relative path gets one line about the directory, exit 2', () => {
    const r = fromDeletedDir(['decode', '--file', 't.jwt'], { keepPwd: false })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tokentool: the current directory cannot be read (ENOENT): it was deleted or is no longer reachable (cd to a directory that exists)\n')
  })
  it('commands of the full program (status, profiles list) answer as anywhere, without a stack trace', () => {
    const status = fromDeletedDir(['status'])
    noStackTrace(status.stderr)
    expect(status.stderr).toMatch(/^tokentool: no profile "default"/)
    expect(status.code).toBe(2)
    const list = fromDeletedDir(['profiles', 'list'], { keepPwd: false })
    noStackTrace(list.stderr)
    expect(list.code).toBe(0)
  })
})
