/**
 * `tokentool revoke [token]`: RFC 7009 revocation, authenticated as the client. Without a
 * token argument it revokes the profile's access token (or, with `--hint refresh_token`, its
 * refresh token: a sign-out) and removes it from the profile.
 * @module
 */
import { Option, type Command } from 'commander'
import type { TokenTypeHint } from '../../oauth/introspect.js'
import { revokeToken } from '../../oauth/revoke.js'
import { renderRevoke } from '../../render/introspect.js'
import { withRefreshToken } from '../../store/tokens.js'
import type { TokenStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import { addServiceClientFlags, serviceClient, storedToken, tokenArgument, type ServiceClientFlags } from '../service-client.js'

export interface RevokeFlags extends ServiceClientFlags {
  file?: string
  hint?: TokenTypeHint
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('revoke')
    .summary('Revoke a token at the server (RFC 7009)')
    .description(
      'Sends the token (argument, - or stdin, --file) to the revocation endpoint, authenticated as ' +
        "the client. Without one, revokes the profile's access token, or with --hint refresh_token its " +
        'refresh token (signing the profile out), and removes it from the profile.',
    )
    .argument('[token]', 'the token; - reads stdin')
    .option('-f, --file <path>', 'read the token from a file')
    .addOption(new Option('--hint <type>', 'token_type_hint: which kind of token this is').choices(['access_token', 'refresh_token']))
  addServiceClientFlags(cmd, ['revocation_endpoint', 'token_endpoint'])
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  $ tokentool revoke                          # the profile's access token\n" +
        '  $ tokentool revoke --hint refresh_token     # sign the profile out\n' +
        '  $ tokentool revoke --client-id api --client-secret @secret.txt -- "$TOKEN"\n',
    )
    .action((token: string | undefined, o: RevokeFlags) => runRevoke(token, o, deps))
  return cmd
}

export async function runRevoke(arg: string | undefined, o: RevokeFlags, deps: Deps): Promise<void> {
  const given = await tokenArgument(arg, o.file, deps)
  const { oc, store, profile } = await serviceClient(o, deps)
  const stored = given === undefined ? await storedToken(store, profile, oc.metadata.issuer, o.hint ?? 'access_token') : undefined
  const token = given ?? stored!.token
  // the hint is ours to give when we know what the stored token is
  const hint = o.hint ?? stored?.kind
  const result = await revokeToken(oc, token, hint)
  const removed = stored ? await forget(store, profile, token) : false
  renderRevoke(deps.io, { ...result, from: stored ? stored.label : 'the token', removedFromProfile: removed }, { json: deps.global.json })
}

/** Removes a revoked token from the profile so that later commands do not keep using it. */
async function forget(store: TokenStore, profile: string, token: string): Promise<boolean> {
  return store.withLock(profile, async () => {
    const tokens = await store.getTokens(profile)
    if (!tokens) return false
    if (tokens.refreshToken?.value === token) {
      await store.saveTokens(profile, withRefreshToken(tokens, undefined))
      return true
    }
    const kept = Object.fromEntries(Object.entries(tokens.accessTokens).filter(([, e]) => e.accessToken !== token))
    if (Object.keys(kept).length === Object.keys(tokens.accessTokens).length) return false
    await store.saveTokens(profile, { ...tokens, accessTokens: kept })
    return true
  })
}
