/**
 * `tokentool status [--profile P | --all]`: for each profile, whether `tokentool token` can
 * give a token without a person (cached, refresh, machine grant), with the access token's time
 * left, the refresh token, the client credentials and the issuer. Exit 0 when every profile
 * shown can, 4 when one needs a sign-in (as `gh auth status`, oauth2l `test`). No network.
 * @module
 */
import type { Command } from 'commander'
import { profileStatus, type ProfileStatus, type StatusInput } from '../../core/profile-status.js'
import { decideToken } from '../../core/token-decision.js'
import { SignInRequiredError, TokentoolError } from '../../errors.js'
import { renderStatus } from '../../render/status.js'
import { noSuchProfile, openStore, type TokenStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import { resolveTokenRequest, type TokenFlags } from '../token-request.js'

/** `token`'s default: a cached token needs more than this left to count. */
const MIN_TTL = 60

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('status')
    .summary('whether each profile can give a token without a person (exit 0) or needs a sign-in (exit 4)')
    .description(
      "Per profile: the access token's time left, whether a refresh token or client credentials are there, the " +
        'issuer, and whether `tokentool token` can give a token without a person (from the cache, a refresh or a ' +
        'machine grant). Exit 0 when it can, 4 when a sign-in is needed. Reads only the store: no request is made.',
    )
    .option('--all', 'every stored profile (default: --profile, TOKENTOOL_PROFILE or "default")')
    .addHelpText('after', '\nExamples:\n  $ tokentool status\n  $ tokentool status --all --json | jq -r \'.profiles[] | select(.ready | not) | .profile\'\n  $ tokentool status --profile ci || tokentool login --profile ci\n')
    .action((o: { all?: boolean }) => runStatus(o, deps))
}

export async function runStatus(o: { all?: boolean }, deps: Deps): Promise<void> {
  const store = openStore(deps)
  const names = o.all ? await store.listProfiles() : [deps.global.profile]
  const items: ProfileStatus[] = []
  for (const name of names) items.push(await statusOf(store, name, deps, !o.all))
  renderStatus(deps.io, items, { json: deps.global.json })
  const waiting = items.filter((p) => !p.ready)
  if (names.length === 0) throw new SignInRequiredError('no profiles are stored', { hint: 'sign in with: tokentool login' })
  if (waiting.length) {
    const first = waiting[0]!
    throw new SignInRequiredError(waiting.length === 1 ? `profile "${first.profile}" needs a sign-in` : `${waiting.length} profiles need a sign-in: ${waiting.map((p) => p.profile).join(', ')}`, first.fix ? { hint: `run: ${first.fix}` } : {})
  }
}

async function statusOf(store: TokenStore, profile: string, deps: Deps, mustExist: boolean): Promise<ProfileStatus> {
  const settings = await store.getSettings(profile)
  const tokens = await store.getTokens(profile)
  if (!settings && !tokens && mustExist) throw noSuchProfile(profile)
  const now = deps.now()
  let decision: StatusInput['decision']
  let machine = false
  try {
    // exactly what `tokentool token --profile P` would look at
    const req = await resolveTokenRequest({ minTtl: `${MIN_TTL}s` } as TokenFlags, settings, profile, deps)
    machine = req.machine !== undefined
    decision = decideToken({
      tokens,
      now,
      minTtl: MIN_TTL,
      force: false,
      claims: false,
      clientId: req.client.clientId,
      userKey: req.user?.key,
      machine: req.machine ? { grant: req.machine.shape.grant, key: req.machine.key } : undefined,
    })
    // `token` reads a secret the profile refers to (env:VAR, @file) only when it sends it: a
    // refresh or a machine grant would, so a secret that cannot be read means a person must act
    const auth = req.client.auth
    if ((decision.kind === 'refresh' || decision.kind === 'grant') && auth?.method === 'deferred_secret') await auth.read()
  } catch (e) {
    if (!(e instanceof TokentoolError)) throw e
    decision = { kind: 'error', message: e.message }
  }
  return profileStatus({ profile, settings, tokens, now, decision, machine })
}
