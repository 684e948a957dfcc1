/**
 * `tokentool completion bash|zsh|fish`: the scripts are loaded into a real shell, which then
 * completes a command, a flag, a flag value (preset, choices) and a profile name read from the
 * store at completion time. Without zsh or fish their test says loudly it did not run (a
 * failure under CI=true: test/helpers/system-program.ts).
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/cli/commands/registry.js'
import { fileStore } from '../../src/store/store.js'
import { BIN, runCli, tempHome } from '../helpers/run-cli.js'
import { FISH, ZSH, describeWithProgram, findProgram } from '../helpers/system-program.js'

let home: string
let binDir: string
let env: Record<string, string>

beforeAll(async () => {
  home = tempHome()
  const store = fileStore(home)
  await store.saveSettings('ci', { issuer: 'https://login.example', clientId: 'ci-client' })
  await store.saveSettings('prod-eu', { issuer: 'https://eu.example', clientId: 'app' })
  // `tokentool` on PATH, as after an install: the scripts call it for profile names
  binDir = mkdtempSync(join(tmpdir(), 'tokentool-bin-'))
  writeFileSync(join(binDir, 'tokentool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
  chmodSync(join(binDir, 'tokentool'), 0o755)
  env = {}
  for (const [k, v] of Object.entries({ ...process.env, PATH: `${binDir}:${process.env.PATH}`, TOKENTOOL_HOME: home, NO_COLOR: '1' })) if (v !== undefined) env[k] = v
})

/** Completes the words (the last one being completed) in bash with the generated script. */
function bash(...words: string[]): string[] {
  const array = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')
  const script = `source <(tokentool completion bash) || exit 9
COMP_WORDS=(${array}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_tokentool
printf '%s\\n' "\${COMPREPLY[@]}"`
  return execFileSync('bash', ['-c', script], { env, encoding: 'utf8' }).split('\n').filter(Boolean)
}

describe('bash', () => {
  it('completes a command', () => {
    expect(bash('tokentool', 'ver')).toEqual(['verify'])
    expect(bash('tokentool', 'in')).toEqual(expect.arrayContaining(['inspect', 'introspect'].filter((n) => COMMANDS.some((c) => c.name === n))))
  })

  it('offers every registered command after the program name, and after global options', () => {
    expect(bash('tokentool', '').sort()).toEqual(COMMANDS.map((c) => c.name).sort())
    expect(bash('tokentool', '--profile', 'ci', '--no-color', 'sim')).toEqual(['simulate'])
  })

  it("completes a command's flags, and the global ones", () => {
    expect(bash('tokentool', 'verify', '--is')).toEqual(['--issuer', '--iss'])
    expect(bash('tokentool', 'simulate', '--')).toEqual(expect.arrayContaining(['--preset', '--absolute', '--sliding', '--revoke-at', '--json', '--profile']))
    // decode has no --issuer
    expect(bash('tokentool', 'decode', '--is')).toEqual([])
  })

  it('completes flag values: presets and fixed choices', () => {
    expect(bash('tokentool', 'simulate', '--preset', '')).toEqual(['e-government', 'enterprise', 'consumer'])
    expect(bash('tokentool', 'simulate', '--preset', 'e')).toEqual(['e-government', 'enterprise'])
    expect(bash('tokentool', 'completion', '')).toEqual(['bash', 'zsh', 'fish'])
  })

  it('completes profile names from the store, after --profile and as profiles show/remove arguments', () => {
    expect(bash('tokentool', '--profile', '')).toEqual(['ci', 'prod-eu'])
    expect(bash('tokentool', 'verify', '--profile', 'p')).toEqual(['prod-eu'])
    expect(bash('tokentool', 'profiles', '')).toEqual(['list', 'show', 'remove', 'rm'])
    expect(bash('tokentool', 'profiles', 'show', '')).toEqual(['ci', 'prod-eu'])
    expect(bash('tokentool', 'profiles', 'remove', 'c')).toEqual(['ci'])
  })

  it('a flag value is not mistaken for the command', () => {
    // "ci" is the value of --profile, so "ve" is still the command being typed
    expect(bash('tokentool', '--profile', 'ci', 've')).toEqual(['verify'])
  })
})

describe('the completion command', () => {
  it('--list-profiles prints the names one per line; an empty home prints nothing', async () => {
    const r = await runCli(['completion', '--list-profiles'], { env: { TOKENTOOL_HOME: home } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('ci\nprod-eu\n')
    const empty = await runCli(['completion', '--list-profiles'])
    expect(empty).toMatchObject({ code: 0, stdout: '' })
  })

  it('an unknown shell or none is a usage error (exit 2)', async () => {
    expect((await runCli(['completion', 'powershell'])).code).toBe(2)
    const none = await runCli(['completion'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/completion needs a shell: bash, zsh or fish/)
  })

  it('zsh and fish scripts name every command with its description', async () => {
    const zsh = await runCli(['completion', 'zsh'])
    expect(zsh.code).toBe(0)
    expect(zsh.stdout).toMatch(/^#compdef tokentool\n/)
    const fish = await runCli(['completion', 'fish'])
    expect(fish.code).toBe(0)
    for (const c of COMMANDS) {
      expect(zsh.stdout).toContain(`'${c.name}:`)
      expect(fish.stdout).toContain(`-a '${c.name}'`)
    }
  })

})

describeWithProgram(findProgram(ZSH), 'zsh completion', (zsh) => {
  it('zsh: the script loads and defines the completion function', () => {
    const out = execFileSync(zsh, ['-c', 'autoload -U compinit && compinit -u; source <(tokentool completion zsh) && whence -w _tokentool'], { env, encoding: 'utf8' })
    expect(out).toContain('_tokentool: function')
  })
})

describeWithProgram(findProgram(FISH), 'fish completion', (fish) => {
  it('fish: completes a command, a flag and a profile name', () => {
    const run = (line: string) => execFileSync(fish, ['-c', `tokentool completion fish | source; complete -C '${line}'`], { env, encoding: 'utf8' })
    expect(run('tokentool ver')).toMatch(/^verify\t/m)
    expect(run('tokentool verify --is')).toMatch(/^--issuer\t/m)
    expect(run('tokentool --profile ')).toMatch(/^prod-eu/m)
  })
})
