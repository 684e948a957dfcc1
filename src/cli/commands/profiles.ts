/**
 * `tokentool profiles list|show|remove`: the stored profiles (settings and tokens under
 * TOKENTOOL_HOME). `show` never prints a secret, refresh token or token unless `--reveal`.
 * @module
 */
import type { Command } from 'commander'
import { renderProfileList, renderProfileRemoved, renderProfileShow, profileListItem, profileShowView } from '../../render/profiles.js'
import { storePaths } from '../../store/paths.js'
import { noSuchProfile, openStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import { UsageError } from '../../errors.js'
import { unknownSubcommand } from '../usage-message.js'

export function register(parent: Command, deps: Deps): Command {
  const profiles = parent
    .command('profiles')
    .description('List, show and remove stored profiles (issuer, client settings and tokens)')
    .addHelpText(
      'after',
      `
Profiles live in TOKENTOOL_HOME (default $XDG_CONFIG_HOME/tokentool): settings in config.json,
literal client secrets in secrets.json, tokens in tokens/<profile>.json; all mode 0600.

Examples:
  $ tokentool profiles                     # same as: tokentool profiles list
  $ tokentool --profile ci profiles show --json | jq .tokens.accessTokens
  $ tokentool profiles remove old-tenant
`,
    )

  profiles
    .command('list', { isDefault: true }) // `tokentool profiles` alone lists them
    .description('every stored profile: issuer, client id, stored tokens and when the access token expires')
    .addHelpText('after', '\nExamples:\n  $ tokentool profiles list\n  $ tokentool --json profiles list | jq -r ".profiles[].name"\n')
    // `profiles lst` reaches this default command as an argument: say it is an unknown command
    .allowExcessArguments()
    .action(async (_o: unknown, cmd: Command) => {
      const [extra] = cmd.args
      if (extra !== undefined) {
        if (cmd.parent?.args[0] === 'list') throw new UsageError(`profiles list takes no arguments, got '${extra}'`)
        throw unknownSubcommand('profiles', extra, ['list', 'show', 'remove'])
      }
      const store = openStore(deps)
      const names = await store.listProfiles()
      const items = []
      for (const name of names) {
        items.push(profileListItem(name, name === deps.global.profile, await store.getSettings(name), await store.getTokens(name)))
      }
      renderProfileList(deps.io, { home: store.location, profiles: items }, { json: deps.global.json, now: deps.now() })
    })

  profiles
    .command('show')
    .description('one profile\'s settings and tokens, secrets masked (first 6 characters and length)')
    .argument('[name]', 'profile name (default: --profile, TOKENTOOL_PROFILE or "default")')
    .option('--reveal', 'print client secret, refresh token and tokens in full')
    .addHelpText('after', '\nExamples:\n  $ tokentool profiles show\n  $ tokentool profiles show ci --json\n  $ tokentool profiles show ci --reveal     # prints secrets: mind your screen and scrollback\n')
    .action(async (name: string | undefined, o: { reveal?: boolean }) => {
      const profile = name ?? deps.global.profile
      const store = openStore(deps)
      const settings = await store.getSettings(profile)
      const tokens = await store.getTokens(profile)
      if (!settings && !tokens) throw noSuchProfile(profile)
      const paths = storePaths(deps.home)
      const view = profileShowView({
        name: profile,
        selected: profile === deps.global.profile,
        reveal: Boolean(o.reveal),
        files: { config: paths.config, tokens: store.tokensLocation(profile) },
        settings,
        tokens,
        now: deps.now(),
      })
      renderProfileShow(deps.io, view, { json: deps.global.json, now: deps.now() })
    })

  profiles
    .command('remove')
    .alias('rm')
    .description('delete a profile: its settings, client secret and tokens (tokens are not revoked at the server)')
    .argument('<name>', 'profile name')
    .addHelpText('after', '\nExamples:\n  $ tokentool profiles remove old-tenant\n  $ tokentool revoke --profile ci --hint refresh_token && tokentool profiles remove ci\n')
    .action(async (name: string) => {
      const store = openStore(deps)
      if (!(await store.removeProfile(name))) throw noSuchProfile(name)
      renderProfileRemoved(deps.io, { name, home: store.location }, { json: deps.global.json })
    })
  return profiles
}
