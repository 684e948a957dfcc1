/**
 * `tokentool introspect [token]`: asks the authorization server whether a token is active and
 * what it knows about it (RFC 7662); `--jwt` asks for the signed JWT response of RFC 9701 (the
 * phantom token pattern) and shows the JWT a gateway would receive. An inactive token exits 1.
 * @module
 */
import { Option, type Command } from 'commander'
import { TokenInvalidError } from '../../errors.js'
import { introspectToken, type TokenTypeHint } from '../../oauth/introspect.js'
import { renderIntrospect } from '../../render/introspect.js'
import type { Deps } from '../deps.js'
import { addServiceClientFlags, serviceClient, storedToken, tokenArgument, type ServiceClientFlags } from '../service-client.js'

export interface IntrospectFlags extends ServiceClientFlags {
  file?: string
  hint?: TokenTypeHint
  jwt?: boolean
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('introspect')
    .summary('Ask the server whether a token is active and what it stands for (RFC 7662; --jwt: RFC 9701)')
    .description(
      "Sends the token (argument, - or stdin, --file; default: the profile's access token) to the " +
        "introspection endpoint, authenticated as the client, and shows the server's answer. An " +
        'inactive token prints active: false and exits 1. --jwt asks for the signed JWT response ' +
        '(RFC 9701, the phantom token pattern) and shows it decoded, its signature checked against the ' +
        "issuer's keys.",
    )
    .argument('[token]', 'the token; - reads stdin')
    .option('-f, --file <path>', 'read the token from a file')
    .addOption(new Option('--hint <type>', 'token_type_hint for the server').choices(['access_token', 'refresh_token']))
    .option('--jwt', 'ask for the RFC 9701 JWT response (Accept: application/token-introspection+jwt)')
  addServiceClientFlags(cmd, ['introspection_endpoint', 'token_endpoint', 'jwks_uri'])
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool introspect\n' +
        '  $ tokentool introspect --client-id gateway --client-secret env:GATEWAY_SECRET --jwt "$TOKEN"\n' +
        '  $ tokentool introspect --hint refresh_token --file rt.txt --json | jq .active\n' +
        "  $ tokentool introspect -- \"$TOKEN\"          # after --: a token may begin with '-'\n",
    )
    .action((token: string | undefined, o: IntrospectFlags) => runIntrospect(token, o, deps))
  return cmd
}

export async function runIntrospect(arg: string | undefined, o: IntrospectFlags, deps: Deps): Promise<void> {
  const given = await tokenArgument(arg, o.file, deps)
  const { oc, store, profile } = await serviceClient(o, deps)
  const token = given ?? (await storedToken(store, profile, oc.metadata.issuer, o.hint ?? 'access_token')).token
  const result = await introspectToken(oc, { token, hint: o.hint, jwt: o.jwt })
  renderIntrospect(deps.io, result, { json: deps.global.json, now: deps.now() })
  if (!result.active) throw new TokenInvalidError('the token is not active (active: false)')
}
