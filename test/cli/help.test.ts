import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/cli/commands/registry.js'
import { runCli } from '../helpers/run-cli.js'

const NESTED = [['cae', 'decode'], ['profiles', 'list'], ['profiles', 'show'], ['profiles', 'remove']]

describe('--help', () => {
  it.each([...COMMANDS.map((c) => [c.name]), ...NESTED])('tokentool %s --help exits 0 and ends with a real example', async (...cmd: string[]) => {
    const r = await runCli([...cmd, '--help'])
    expect(r.code).toBe(0)
    // examples wrapped to the width go on after ` \` on indented lines
    expect(r.stdout).toMatch(/Examples:\n(\s+\$ .*\n(\s{6}.*\n)*)+/)
    expect(r.stdout.slice(r.stdout.indexOf('Examples:'))).toMatch(/^\s+\$ .*tokentool /m)
    expect(r.stdout).toContain(`Usage: tokentool ${cmd.join(' ')}`)
  })

  it('the root help lists every command', async () => {
    const r = await runCli(['--help'])
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'))
  })
})
