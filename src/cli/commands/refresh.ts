/**
 * `tokentool refresh`: spend the profile's refresh token (or `--refresh-token`) for new
 * tokens, under the profile lock, storing a rotated refresh token before the lock is
 * released; `--scope` narrows, `--claims` asks for claims.
 * @module
 */
import type { Command } from 'commander'
import { createOAuthClient } from '../../oauth/client.js'
import { refreshProfile } from '../../oauth/user-session.js'
import { renderLogin } from '../../render/login.js'
import { openStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import { addClientCertFlags, addRequestFlags, addServerClientFlags, claimsText, resolveClient, type RequestFlags, type ServerClientFlags } from '../oauth-flags.js'
import { resolveSecretArg } from '../secret-arg.js'
import type { ClientAuthMethod } from '../../store/profiles.js'
import { addClientAuthFlags, chosenClientAuth } from './login.js'
import { readAuthorizationDetails, readClientCert } from '../token-request.js'
import { addDpopFlags, resolveDpopKey, type DpopFlags } from '../dpop-key.js'

export interface RefreshFlags extends ServerClientFlags, RequestFlags, DpopFlags {
  authorizationDetails?: string
  clientAuth?: ClientAuthMethod
  clientKey?: string
  clientCert?: string
  clientCertKey?: string
  refreshToken?: string
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('refresh')
    .summary("exchange the profile's refresh token for new tokens")
    .description(
      "Uses the profile's refresh token (or --refresh-token) at the token endpoint. A rotated refresh " +
        'token replaces the stored one atomically, under a per-profile lock: concurrent refresh or ' +
        'token runs for one profile never spend one refresh token twice. A refresh token the server ' +
        'rejects (invalid_grant) is removed from the profile; sign in again with login.',
    )
  addRequestFlags(cmd, 'narrow the scope of the new access token (a subset of the granted scope)')
  cmd.option('--refresh-token <token>', 'use this refresh token instead of the stored one (also @file, env:VAR)')
  addServerClientFlags(cmd)
  addClientAuthFlags(cmd)
  addClientCertFlags(cmd)
  addDpopFlags(cmd)
  cmd.option('--authorization-details <json>', 'RFC 9396: ask for these authorization details (a JSON array; also @file), within what was granted')
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool refresh\n' +
        '  $ tokentool refresh --profile work --scope "openid profile"\n' +
        "  $ tokentool refresh --claims 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ'\n",
    )
    .action((o: RefreshFlags) => runRefresh(o, deps))
  return cmd
}

export async function runRefresh(o: RefreshFlags, deps: Deps): Promise<void> {
  const profile = deps.global.profile
  const store = openStore(deps)
  const saved = await store.getSettings(profile)
  const client = await resolveClient(o, saved, deps, profile)
  const claims = claimsText(o)
  // the resources and audience the profile signed in for, so the new access token is for the same API
  const resources = o.resource?.length ? o.resource : saved?.resource
  const audience = o.audience ?? saved?.audience?.[0]
  const refreshToken = o.refreshToken !== undefined ? await resolveSecretArg(o.refreshToken, deps, '--refresh-token') : undefined
  const auth = await chosenClientAuth(o, client.settings, client.clientSecret, deps)
  const authorizationDetails = o.authorizationDetails !== undefined ? await readAuthorizationDetails(o.authorizationDetails, deps) : undefined
  const issuer = client.issuer ?? new URL(client.endpoints.token_endpoint!).origin
  const dpop = await resolveDpopKey(o, saved, { store, profile, issuer, create: 'create' }, deps)
  // a certificate-bound session (RFC 8705) refreshes over mTLS with the same certificate
  const clientCert = await readClientCert(o, deps, client.settings)
  const oc = await createOAuthClient({ issuer: client.issuer, endpoints: client.endpoints }, { ...client, auth, dpop, ...(clientCert ? { clientCert } : {}) }, deps)
  const result = await refreshProfile(
    store,
    profile,
    oc,
    { refreshToken, scope: o.scope, claims, resources, audience, ...(authorizationDetails ? { extra: [['authorization_details', authorizationDetails]] as const } : {}) },
    // the cache key names what the new access token answers: the narrowed scope, else the profile's
    { clientId: client.clientId, scope: o.scope ?? saved?.scope, audience, resource: resources, claims, dpopJkt: dpop?.jkt, authorizationDetails: authorizationDetails ?? saved?.authorizationDetails, mtlsX5t: clientCert?.x5t },
    deps.now,
    {
      onWait: () => void deps.io.err.write(`waiting for another tokentool process to finish with profile "${profile}"...\n`),
      // a refresh token bound to the profile's certificate (RFC 8705 §4) is refused with another
      // one: that says nothing against the stored refresh token, which is kept
      ...(clientCert && (o.clientCert !== undefined || o.clientCertKey !== undefined) ? { keepOnRejection: `the stored refresh token was kept: it may be bound to another certificate than --client-cert ${o.clientCert}; refresh without --client-cert uses the profile's` } : {}),
    },
  )
  renderLogin(
    deps.io,
    {
      action: 'Refreshed',
      profile,
      issuer: oc.metadata.issuer,
      tokenType: result.tokenType,
      accessToken: result.accessToken,
      expiresAt: result.expiresAt,
      scope: result.scope,
      idToken: result.idToken,
      idTokenClaims: result.idTokenClaims,
      refreshTokenStored: result.refreshTokenStored,
      rotated: result.rotated,
      storedIn: store.tokensLocation(profile),
      authorizationDetails: result.authorizationDetails,
    },
    { json: deps.global.json, now: deps.now() },
  )
}
