/**
 * `tokentool inspect [token]`: the interactive walk of one token (decode view, claims with
 * their meaning, embedded tokens, verify, save). Needs a terminal; without one it shows its
 * help and exits 2, like `tokentool` alone.
 * @module
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { decodeToken } from '../../core/jwt/decode.js'
import { canPrompt, type Deps } from '../deps.js'
import { readTokenInput } from '../input.js'
import { interactive } from '../terminal-session.js'
import type { CommandContext } from './command-module.js'

export function register(parent: Command, deps: Deps, ctx?: CommandContext): Command {
  const cmd = parent
    .command('inspect')
    .description('Walk a token interactively: decoded view, each claim with its meaning, embedded tokens, verify against an issuer, save as JSON')
    .argument('[token]', 'the token (or paste it at the prompt, where it is not echoed)')
    .option('-f, --file <path>', 'read the token from a file')
    .addHelpText(
      'after',
      `
Needs a terminal (stdin and stdout); without one it prints this help and exits 2: use
"tokentool decode" in scripts. Esc or an empty answer goes back, Ctrl-C leaves (exit 130).

Examples:
  $ tokentool inspect                          # paste the token at the prompt
  $ tokentool inspect "$(pbpaste)"
  $ tokentool --profile ci inspect --file id_token.txt
`,
    )
    .action(async (arg: string | undefined, flags: { file?: string }) => {
      if (!canPrompt(deps.io)) {
        deps.io.err.write(cmd.helpInformation())
        throw new UsageError('inspect is interactive and needs a terminal', { hint: 'use tokentool decode in scripts and pipes' })
      }
      let text: string | undefined
      // as for every token argument: `@FILE`, a file name, or the token itself
      if (flags.file !== undefined || arg !== undefined) text = await readTokenInput(arg, flags.file, deps)
      // a malformed token fails here, like decode (exit 2), before any prompt
      if (text !== undefined) decodeToken(text, { now: deps.now() })
      if (!ctx) throw new Error('inspect was registered without a command runner')
      const { runInspect } = await import('../../interactive/menu.js')
      const globals = [...(deps.global.color ? [] : ['--no-color']), ...(deps.global.verbose ? ['-v'] : [])]
      const token = text === undefined ? undefined : { text, label: flags.file ? `token from ${flags.file}` : 'token from the command line' }
      await interactive(deps, () => runInspect(deps, { profile: deps.global.profile, globals, run: ctx.run, commands: ctx.commands.map((c) => c.name) }, token))
    })
  return cmd
}
