/**
 * Whether stdout is a terminal decides colour and width (src/cli/deps.ts isTerminal: on Linux the
 * name /proc gives the descriptor, elsewhere fstat; node:tty only for a device). In a real
 * pseudo-terminal decode is coloured and wraps to the terminal's width; through a pipe, a file
 * or /dev/null it is plain.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isTerminal } from '../../src/cli/deps.js'
import { startPty } from '../helpers/pty.js'
import { BIN, tempHome } from '../helpers/run-cli.js'
import { b64 } from '../helpers/jwt-fixtures.js'

// a value long enough to wrap at 60 columns
const TOKEN = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: 'https://issuer.example', sub: 'alice', scope: 'read write admin delete export import audit billing reports' })}.${b64('sig')}`
const SGR = /\u001b\[[0-9;]*m/

describe('decode and the terminal', () => {
  it('in a pseudo-terminal: coloured, wrapped to its 60 columns', async () => {
    const s = startPty(['decode', TOKEN], { cols: 60, env: { NO_COLOR: undefined, COLUMNS: undefined } })
    expect(await s.exited).toBe(0)
    expect(s.raw()).toMatch(SGR)
    const lines = s.screen().split('\n')
    expect(lines.some((l) => l.includes('scope'))).toBe(true)
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60)
  })

  it('through a pipe, into a file and into /dev/null: no colour', () => {
    const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TOKENTOOL_HOME: tempHome() }
    const piped = spawnSync(process.execPath, [BIN, 'decode', TOKEN], { env, encoding: 'utf8' })
    expect(piped.status).toBe(0)
    expect(piped.stdout).toContain('SIGNATURE NOT VERIFIED')
    expect(piped.stdout).not.toMatch(SGR)
    const file = join(tempHome(), 'out.txt')
    const fd = openSync(file, 'w')
    const toFile = spawnSync(process.execPath, [BIN, 'decode', TOKEN], { env, stdio: ['ignore', fd, 'pipe'] })
    closeSync(fd)
    expect(toFile.status).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('SIGNATURE NOT VERIFIED')
    expect(readFileSync(file, 'utf8')).not.toMatch(SGR)
    const devNull = openSync('/dev/null', 'w')
    const toNull = spawnSync(process.execPath, [BIN, 'decode', TOKEN], { env, stdio: ['ignore', devNull, 'pipe'] })
    closeSync(devNull)
    expect(toNull.status).toBe(0)
    expect(toNull.stderr.toString()).toBe('')
  })

  it('isTerminal: a file and /dev/null (a device, not a terminal) are not terminals', () => {
    const file = openSync(join(tempHome(), 'f'), 'w')
    const devNull = openSync('/dev/null', 'r')
    try {
      expect(isTerminal(file)).toBe(false)
      expect(isTerminal(devNull)).toBe(false)
    } finally {
      closeSync(file)
      closeSync(devNull)
    }
  })
})
