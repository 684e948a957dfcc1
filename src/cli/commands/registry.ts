/**
 * The list of commands with their loaders. Only names and one-line summaries (commands/list.ts)
 * are known before a command runs, so that the root help can list every command while a run
 * loads just the module of the command it runs (start-up time: `decode` must not pay for the
 * OAuth client, undici or inquirer). Imported by cli/main only: it points at every command.
 * @module
 */
import { COMMAND_LIST, type CommandName } from './list.js'
import type { CommandEntry, CommandModule } from './command-module.js'

export type { CommandContext, CommandEntry, CommandModule } from './command-module.js'

const LOAD: Record<CommandName, () => Promise<CommandModule>> = {
  decode: () => import('./decode.js'),
  inspect: () => import('./inspect.js'),
  verify: () => import('./verify.js'),
  sign: () => import('./sign.js'),
  keygen: () => import('./keygen.js'),
  cae: () => import('./cae.js'),
  explain: () => import('./explain.js'),
  discover: () => import('./discover.js'),
  login: () => import('./login.js'),
  refresh: () => import('./refresh.js'),
  token: () => import('./token.js'),
  'git-credential': () => import('./git-credential.js'),
  call: () => import('./call.js'),
  dpop: () => import('./dpop.js'),
  exchange: () => import('./exchange.js'),
  introspect: () => import('./introspect.js'),
  revoke: () => import('./revoke.js'),
  userinfo: () => import('./userinfo.js'),
  status: () => import('./status.js'),
  logout: () => import('./logout.js'),
  profiles: () => import('./profiles.js'),
  simulate: () => import('./simulate.js'),
  completion: () => import('./completion.js'),
}

export const COMMANDS: CommandEntry[] = COMMAND_LIST.map((c) => ({ name: c.name, summary: c.summary, load: LOAD[c.name] }))
