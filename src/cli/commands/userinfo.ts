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
import { addServiceClientFlags, serviceClient, tokenArgument, validStoredAccessToken, type ServiceClientFlags, type ServiceContext } from '../service-client.js'
import { addDpopFlags, resolveDpopKey } from '../dpop-key.js'
import { confirmationOf } from '../../core/jwt/confirmation.js'

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
  addDpopFlags(cmd)
  for (const opt of cmd.options) {
    // userinfo presents a token; it obtains none
    if (opt.long === '--dpop') opt.description = "send the token DPoP-bound (RFC 9449) with a proof signed by the profile's DPoP key (default: when the token is DPoP-bound: token_type DPoP, or cnf.jkt)"
    if (opt.long === '--no-dpop') opt.description = 'send the token as Bearer even when it is DPoP-bound'
  }
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool userinfo\n' +
        '  $ tokentool userinfo --profile work --json | jq -r .claims.email\n' +
        '  $ tokentool userinfo --issuer https://id.example.com --client-id cli "$ACCESS_TOKEN"\n' +
        '\nA DPoP-bound token (the profile\'s with token_type DPoP, or a JWT with cnf.jkt) goes as\n' +
        '"Authorization: DPoP <token>" with a proof (htm, htu, iat, jti, ath) signed by the profile\'s DPoP key;\n' +
        'a use_dpop_nonce answer is retried once with the DPoP-Nonce given.\n',
    )
    .action((token: string | undefined, o: UserinfoFlags) => runUserinfo(token, o, deps))
  return cmd
}

export async function runUserinfo(arg: string | undefined, o: UserinfoFlags, deps: Deps): Promise<void> {
  const given = await tokenArgument(arg, o.file, deps, 'access token')
  const ctx = await serviceClient(o, deps)
  const chosen = given !== undefined ? { token: given, tokenType: undefined } : await validStoredAccessToken(ctx, o, deps)
  const dpop = dpopBound(o, chosen) ? await proofSigner(o, ctx, deps) : undefined
  renderUserinfo(deps.io, await fetchUserinfo(ctx.oc, chosen.token, dpop), { json: deps.global.json, now: deps.now() })
}

/**
 * Whether the token goes DPoP-bound: `--dpop`/`--dpop-key`, else `--no-dpop` says not, else the
 * token says so (the stored token's token_type DPoP, or a JWT access token's `cnf.jkt`).
 */
export function dpopBound(o: UserinfoFlags, chosen: { token: string; tokenType?: string | undefined }): boolean {
  if (o.dpop !== undefined) return o.dpop
  if (o.dpopKey !== undefined) return true
  if (chosen.tokenType !== undefined) return chosen.tokenType.toLowerCase() === 'dpop'
  return typeof confirmationOf(chosen.token)?.jkt === 'string'
}

/** openid-client's DPoP handle with the key the token is bound to: `--dpop-key`, else the profile's (never a new one). */
async function proofSigner(o: UserinfoFlags, ctx: ServiceContext, deps: Deps) {
  const key = await resolveDpopKey({ ...o, dpop: true }, ctx.settings, { store: ctx.store, profile: ctx.profile, issuer: ctx.oc.metadata.issuer, create: 'none' }, deps)
  const { dpopHandle } = await import('../../oauth/dpop.js')
  return dpopHandle(ctx.oc.config, key!)
}
