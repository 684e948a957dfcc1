/**
 * `tokentool logout [--profile P] [--keep-config]`: revokes the profile's refresh token and
 * its live access tokens at the server (RFC 7009) when it has a revocation endpoint, says so
 * when it has none, then removes the tokens, and without `--keep-config` the whole profile
 * (issuer, client, secret). When the server cannot be reached the local sign-out still
 * happens, with a warning that the tokens stay valid there until they expire.
 * @see https://www.rfc-editor.org/rfc/rfc7009
 * @module
 */
import type { Command } from 'commander'
import { epochSeconds } from '../../core/time.js'
import { NetworkError, TokentoolError } from '../../errors.js'
import { renderLogout, type LogoutView } from '../../render/logout.js'
import { noSuchProfile, openStore } from '../../store/store.js'
import type { ProfileTokens } from '../../store/tokens.js'
import type { Deps } from '../deps.js'

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('logout')
    .summary("revoke the profile's tokens at the server, then remove them (and the profile)")
    .description(
      "Revokes the profile's refresh token and its unexpired access tokens at the server's revocation endpoint " +
        '(RFC 7009), then removes them from the store, and the profile itself (issuer, client, secret) unless ' +
        '--keep-config. A server without a revocation endpoint, or one that cannot be reached, gets a warning: ' +
        'the tokens are removed here and stay valid there until they expire.',
    )
    .option('--keep-config', 'keep the profile (issuer, client, settings): remove only its tokens')
    .addHelpText('after', '\nExamples:\n  $ tokentool logout\n  $ tokentool logout --profile ci --keep-config   # sign out, sign in again later with: tokentool login --profile ci\n')
    .action((o: { keepConfig?: boolean }) => runLogout(o, deps))
}

/** The tokens worth revoking: the refresh token, and access tokens that have not expired. */
function revocable(tokens: ProfileTokens | undefined, now: Date): { refresh?: string; access: string[] } {
  const nowSec = epochSeconds(now)
  const access = [...new Set(Object.values(tokens?.accessTokens ?? {}).filter((e) => e.expiresAt === undefined || e.expiresAt > nowSec).map((e) => e.accessToken))]
  return { ...(tokens?.refreshToken ? { refresh: tokens.refreshToken.value } : {}), access }
}

export async function runLogout(o: { keepConfig?: boolean }, deps: Deps): Promise<void> {
  const profile = deps.global.profile
  const store = openStore(deps)
  const settings = await store.getSettings(profile)
  const tokens = await store.getTokens(profile)
  if (!settings && !tokens) throw noSuchProfile(profile)
  const toRevoke = revocable(tokens, deps.now())
  const view: LogoutView = { profile, endpoint: null, revoked: { refreshToken: false, accessTokens: 0 }, removed: o.keepConfig ? 'tokens' : 'profile', warnings: [] }

  if (toRevoke.refresh || toRevoke.access.length) {
    await revokeAll(toRevoke, tokens, view, deps)
  }
  if (o.keepConfig) await store.withLock(profile, () => store.removeTokens(profile))
  else await store.removeProfile(profile)
  renderLogout(deps.io, view, { json: deps.global.json })
}

async function revokeAll(t: { refresh?: string; access: string[] }, tokens: ProfileTokens | undefined, view: LogoutView, deps: Deps): Promise<void> {
  const stays = 'they were removed here but stay valid at the server until they expire'
  // loaded only here: the OAuth client is heavy, and a profile without tokens needs none of it
  const { serviceClient } = await import('../service-client.js')
  const { revokeToken } = await import('../../oauth/revoke.js')
  let oc
  try {
    oc = (await serviceClient({}, deps)).oc
  } catch (e) {
    if (!(e instanceof TokentoolError)) throw e
    view.warnings.push(e instanceof NetworkError ? `could not reach the server to revoke the tokens (${e.message}): ${stays}` : `cannot revoke the tokens (${e.message}): ${stays}`)
    return
  }
  // a stored token goes only to the server that issued it
  if (tokens?.issuer !== undefined && tokens.issuer !== oc.metadata.issuer) {
    view.warnings.push(`the tokens are from ${tokens.issuer}, not the profile's issuer ${oc.metadata.issuer}: not sent there; ${stays}`)
    return
  }
  const endpoint = oc.metadata.revocation_endpoint
  if (typeof endpoint !== 'string') {
    view.warnings.push(`${oc.metadata.issuer} has no revocation endpoint: ${stays}`)
    return
  }
  view.endpoint = endpoint
  const failures: string[] = []
  // the refresh token first: revoking it ends the grant, and on many servers its access tokens with it
  if (t.refresh) {
    try {
      await revokeToken(oc, t.refresh, 'refresh_token')
      view.revoked.refreshToken = true
    } catch (e) {
      if (!(e instanceof TokentoolError)) throw e
      failures.push(`the refresh token: ${e.message}`)
    }
  }
  for (const token of t.access) {
    try {
      await revokeToken(oc, token, 'access_token')
      view.revoked.accessTokens++
    } catch (e) {
      if (!(e instanceof TokentoolError)) throw e
      failures.push(`an access token: ${e.message}`)
    }
  }
  for (const f of failures) view.warnings.push(`revocation failed for ${f}; it was removed here but may stay valid at the server until it expires`)
}
