/**
 * What a command module is, and what the program hands it besides the deps: types only, so that
 * a command that needs the others (completion lists their flags, inspect runs them from the
 * menu) gets them injected instead of importing the registry or cli/main, which import it.
 * @module
 */
import type { Command } from 'commander'
import type { Deps } from '../deps.js'
import type { CommandRunner } from '../../interactive/session.js'

export interface CommandEntry {
  name: string
  summary: string
  load: () => Promise<CommandModule>
}

export interface CommandContext {
  /** Every command (completion registers them all to read their flags). */
  commands: readonly CommandEntry[]
  /** A new root program with the global options and nothing else. */
  rootProgram: () => Command
  /** Runs `tokentool <argv>` in this process as if typed (the interactive walk runs commands). */
  run: CommandRunner
}

export interface CommandModule {
  /** Adds the command (with its flags, help and action) to `parent`. */
  register(parent: Command, deps: Deps, ctx?: CommandContext): Command
}
