/**
 * `tokentool userinfo`: the OpenID Connect userinfo endpoint with the profile's access token
 * (or one given); JSON or signed JWT (`application/jwt`) responses, the latter decoded with
 * its signature checked against the issuer's keys.
 * @module
 */
import type { Command } from 'commander'
import { fetchUserinfo } from '../../oauth/userinfo.js'
import { renderUserinfo } from '../../render/introspect.js'
import type { Deps } from '../deps.js'
import { addServiceClientFlags, serviceClient, tokenArgument, validStoredAccessToken, type ServiceClientFlags } from '../service-client.js'

export interface UserinfoFlags extends ServiceClientFlags {
  file?: string
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('userinfo')
    .summary("Fetch the user's claims from the userinfo endpoint (JSON or signed JWT)")
    .description(
      "Calls the OpenID Connect userinfo endpoint with the profile's access token (or the access token " +
        'given as argument, - or stdin, --file) and shows the claims. A signed JWT response ' +
        "(application/jwt) is decoded and its signature checked against the issuer's keys.",
    )
    .argument('[token]', 'an access token; - reads stdin')
    .option('-f, --file <path>', 'read the access token from a file')
  addServiceClientFlags(cmd, ['userinfo_endpoint', 'token_endpoint', 'jwks_uri'])
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool userinfo\n' +
        '  $ tokentool userinfo --profile work --json | jq -r .claims.email\n' +
        '  $ tokentool userinfo --issuer https://id.example.com --client-id cli "$ACCESS_TOKEN"\n',
    )
    .action((token: string | undefined, o: UserinfoFlags) => runUserinfo(token, o, deps))
  return cmd
}

export async function runUserinfo(arg: string | undefined, o: UserinfoFlags, deps: Deps): Promise<void> {
  const given = await tokenArgument(arg, o.file, deps, 'access token')
  const ctx = await serviceClient(o, deps)
  const token = given ?? (await validStoredAccessToken(ctx, o, deps)).token
  renderUserinfo(deps.io, await fetchUserinfo(ctx.oc, token), { json: deps.global.json, now: deps.now() })
}
