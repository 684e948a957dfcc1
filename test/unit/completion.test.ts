/**
 * The completion script writers (pure): every command, flag and value kind of a spec appears in
 * each shell's script, quoting survives any description, and the bash script is valid bash.
 */
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bashScript } from '../../src/core/completion/bash.js'
import { fishScript } from '../../src/core/completion/fish.js'
import { zshScript } from '../../src/core/completion/zsh.js'
import { shQuote, walk, type CompletionSpec } from '../../src/core/completion/spec.js'

const spec: CompletionSpec = {
  program: 'tokentool',
  globals: [
    { long: '--profile', description: "named set of issuer, client and stored tokens", value: { kind: 'profile' } },
    { long: '--json', description: 'machine-readable output' },
  ],
  commands: [
    {
      name: 'simulate',
      aliases: [],
      description: "timeline of a session's policy: it's \"fun\"",
      flags: [
        { long: '--preset', description: 'a policy', value: { kind: 'choices', values: ['e-government', 'enterprise', 'consumer'] } },
        { long: '--absolute', description: 'limit', value: { kind: 'free' } },
      ],
      subcommands: [],
    },
    {
      name: 'profiles',
      aliases: [],
      description: 'profiles',
      flags: [],
      subcommands: [
        { name: 'show', aliases: [], description: 'show one', flags: [{ long: '--reveal', description: 'print secrets' }], subcommands: [], positional: { kind: 'profile' } },
        { name: 'remove', aliases: ['rm'], description: 'remove one', flags: [], subcommands: [], positional: { kind: 'profile' } },
      ],
    },
    { name: 'decode', aliases: [], description: 'decode', flags: [{ long: '--file', short: '-f', description: 'read a file', value: { kind: 'file' } }], subcommands: [] },
  ],
}

describe('completion scripts', () => {
  it('bash: valid syntax (bash -n) and every command, flag and choice present', () => {
    const script = bashScript(spec)
    execFileSync('bash', ['-n'], { input: script })
    for (const w of ['simulate', 'profiles', 'decode', '--preset', '--absolute', '--reveal', '-f', '--file', 'e-government', 'show', 'rm', 'complete -o default -F _tokentool tokentool']) {
      expect(script).toContain(w)
    }
    // the value of --absolute is free text: no completion, but it is known to take a value
    expect(script).toMatch(/simulate\) case "\$2" in --preset\|--absolute\) return 0/)
  })

  it('zsh: descriptions next to commands and flags; registers itself when sourced', () => {
    const script = zshScript(spec)
    expect(script).toMatch(/^#compdef tokentool\n/)
    expect(script).toContain(`'simulate:timeline of a session'\\''s policy: it'\\''s "fun"'`)
    expect(script).toContain("'--reveal:print secrets'")
    expect(script).toContain('compdef _tokentool tokentool')
  })

  it('fish: one complete line per command, subcommand and flag, profile names from the store', () => {
    const script = fishScript(spec)
    expect(script).toContain("complete -c tokentool -n '__fish_use_subcommand' -a 'simulate'")
    expect(script).toContain("-l preset -x -a 'e-government enterprise consumer'")
    expect(script).toContain("-l file -s f -r -F")
    expect(script).toContain("complete -c tokentool -n '__fish_seen_subcommand_from profiles; and __fish_seen_subcommand_from show' -x -a '(command tokentool completion --list-profiles 2>/dev/null)'")
  })

  it('walk lists commands and subcommands by path', () => {
    expect(walk(spec.commands).map(([p]) => p)).toEqual(['simulate', 'profiles', 'profiles show', 'profiles remove', 'decode'])
  })

  it('shQuote: the shell reads back exactly the text quoted (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }).filter((s) => !s.includes('\0')), (text) => {
        expect(execFileSync('sh', ['-c', `printf %s ${shQuote(text)}`], { encoding: 'utf8' })).toBe(text)
      }),
      { numRuns: 40 },
    )
  })
})
