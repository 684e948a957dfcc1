/**
 * `tokentool completion bash|zsh|fish`: prints a shell completion script generated from the
 * command registry and every command's own flags, so it never lists a flag that does not
 * exist. `--list-profiles` (hidden) prints the profile names the scripts complete.
 * @module
 */
import { Argument, Command, Option } from 'commander'
import { UsageError } from '../../errors.js'
import { PRESETS } from '../../core/simulate/policy.js'
import { bashScript } from '../../core/completion/bash.js'
import { fishScript } from '../../core/completion/fish.js'
import { zshScript } from '../../core/completion/zsh.js'
import type { CommandSpec, CompletionSpec, FlagSpec, ValueKind } from '../../core/completion/spec.js'
import { openStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import type { CommandContext } from './command-module.js'

const SHELLS = ['bash', 'zsh', 'fish'] as const

export function register(parent: Command, deps: Deps, ctx?: CommandContext): Command {
  return parent
    .command('completion')
    .description('Print a shell completion script: commands, flags, profile names and presets')
    .addArgument(new Argument('[shell]', 'the shell').choices([...SHELLS]))
    .addOption(new Option('--list-profiles', 'print the stored profile names, one per line (used by the scripts)').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ source <(tokentool completion bash)              # add to ~/.bashrc to keep it
  $ tokentool completion zsh > "\${fpath[1]}/_tokentool"  # then restart zsh (compinit)
  $ tokentool completion fish > ~/.config/fish/completions/tokentool.fish
`,
    )
    .action(async (shell: (typeof SHELLS)[number] | undefined, o: { listProfiles?: boolean }) => {
      if (o.listProfiles) {
        const names = await openStore({ ...deps, io: { err: nullStream() } }).listProfiles().catch(() => [])
        deps.io.out.write(names.map((n) => `${n}\n`).join(''))
        return
      }
      if (!shell) throw new UsageError('completion needs a shell: bash, zsh or fish', { hint: 'source <(tokentool completion bash)' })
      if (!ctx) throw new Error('completion was registered without the command list')
      const spec = await completionSpec(deps, ctx)
      const write = { bash: bashScript, zsh: zshScript, fish: fishScript }[shell]
      deps.io.out.write(write(spec))
    })
}

/** Registers every command on a throwaway program (loading each module) and reads its flags. */
export async function completionSpec(deps: Deps, ctx: Pick<CommandContext, 'commands' | 'rootProgram'>): Promise<CompletionSpec> {
  const root = ctx.rootProgram()
  for (const entry of ctx.commands) (await entry.load()).register(root, deps)
  return {
    program: 'tokentool',
    globals: [...flagsOf(root), { long: '--help', short: '-h', description: 'show help' }],
    commands: root.commands.map((c) => commandSpec(c as Command)),
  }
}

function commandSpec(c: Command): CommandSpec {
  const spec: CommandSpec = {
    name: c.name(),
    aliases: c.aliases(),
    description: c.summary() || c.description(),
    flags: flagsOf(c),
    subcommands: (c.commands as Command[]).filter((s) => !(s as unknown as { _hidden?: boolean })._hidden && s.name() !== 'help').map(commandSpec),
  }
  const arg = c.registeredArguments[0]
  if (arg) {
    const v = arg.argChoices ? { kind: 'choices' as const, values: arg.argChoices } : arg.name() === 'name' && c.parent?.name() === 'profiles' ? { kind: 'profile' as const } : undefined
    if (v) spec.positional = v
  }
  return spec
}

function flagsOf(c: Command): FlagSpec[] {
  return c.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const f: FlagSpec = { description: o.description }
      if (o.long) f.long = o.long
      if (o.short) f.short = o.short
      if (o.required) f.value = valueKind(o)
      return f
    })
}

function valueKind(o: Option): ValueKind {
  if (o.long === '--profile') return { kind: 'profile' }
  if (o.long === '--preset') return { kind: 'choices', values: Object.keys(PRESETS) }
  if (o.argChoices) return { kind: 'choices', values: o.argChoices }
  if (/<[^>]*(file|path|dir)[^>]*>/i.test(o.flags)) return { kind: 'file' }
  return { kind: 'free' }
}

function nullStream(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream
}
