/**
 * `login --resource URL` with no issuer: everything the sign-in needs, found from the URL
 * alone. The resource's metadata (RFC 9728) names its authorization servers; the chosen one
 * is discovered (RFC 8414 / OpenID); without a client id, tokentool registers itself there
 * as a native public client (RFC 7591) with a fixed loopback redirect URI, and keeps the
 * registration in the profile for the next sign-in.
 * @module
 */
import { freeLoopbackPort } from '../http/free-port.js'
import { chooseAuthorizationServer, type ResourceMetadata } from '../core/resource-metadata.js'
import { printable } from '../core/printable.js'
import { NetworkError, UsageError } from '../errors.js'
import { discoverIssuer } from '../oauth/discovery.js'
import { redirectUriFor, type RedirectHost } from '../oauth/loopback.js'
import { registerNativeClient } from '../oauth/registration.js'
import { fetchResourceMetadata } from '../oauth/resource-metadata.js'
import type { ProfileSettings } from '../store/profiles.js'
import type { TokenStore } from '../store/store.js'
import { canPrompt, type Deps } from './deps.js'

/** What the sign-in takes from the resource: the flags login would otherwise need. */
export interface ResourceSignInFlags {
  issuer?: string | undefined
  clientId?: string | undefined
  scope?: string | undefined
  resource?: string[] | undefined
  port?: string | undefined
  redirectHost?: string | undefined
  redirectPath?: string | undefined
  /** Set by `call`: sign in for this resource even when the profile has a server and client. */
  fromResource?: boolean | undefined
}

/**
 * Whether `login` must start from the resource: a `--resource` and no client to sign in
 * with, or no issuer at all. A profile that has its issuer and client signs in as before.
 */
export function needsResourceDiscovery(o: ResourceSignInFlags, saved: ProfileSettings | undefined): boolean {
  if (!o.resource?.length || o.clientId) return false
  if (o.fromResource) return true
  const issuer = o.issuer ?? saved?.issuer
  return !issuer || !saved?.clientId || (o.issuer !== undefined && o.issuer !== saved.issuer)
}


async function pickServer(metadata: ResourceMetadata, wanted: string | undefined, deps: Deps, resource: string): Promise<string> {
  const choice = chooseAuthorizationServer(metadata, wanted)
  switch (choice.kind) {
    case 'chosen':
      return choice.issuer
    case 'none':
      throw new NetworkError(`the metadata of ${resource} names no authorization server ("authorization_servers")`, { hint: 'sign in with --issuer URL --client-id ID instead' })
    case 'not-listed':
      throw new UsageError(`${choice.wanted} is not an authorization server of ${resource}; it names ${choice.servers.join(', ') || 'none'}`)
    case 'ask': {
      if (!canPrompt(deps.io)) {
        throw new UsageError(`${resource} names ${choice.servers.length} authorization servers: ${choice.servers.join(', ')}`, { hint: 'choose one with --issuer URL' })
      }
      const { select } = await import('@inquirer/prompts')
      return select(
        { message: `Sign in to ${printable(resource)} through which authorization server?`, choices: choice.servers.map((s) => ({ name: printable(s), value: s })) },
        { input: deps.io.in, output: deps.io.err },
      )
    }
  }
}

/**
 * The login flags completed from the resource's metadata: issuer, client id (registered now
 * when there is none for that issuer), a fixed port for a registered redirect URI, and the
 * metadata's `scopes_supported` unless `--scope` was given.
 */
export async function resourceSignIn<F extends ResourceSignInFlags>(
  o: F,
  store: TokenStore,
  profile: string,
  deps: Deps,
  saved?: ProfileSettings | undefined,
): Promise<F> {
  if (o.resource!.length > 1) throw new UsageError('login --resource without --issuer finds the server from one resource: give one --resource URL')
  const resource = o.resource![0]!
  const note = (line: string) => void deps.io.err.write(`${line}\n`)
  const found = await fetchResourceMetadata(resource, deps)
  for (const w of found.warnings) note(`tokentool: warning: protected resource metadata at ${printable(found.url)}: ${printable(w)}`)
  const scope = o.scope ?? (found.metadata.scopes_supported?.length ? found.metadata.scopes_supported.join(' ') : undefined)
  // the profile's own server and client, when the resource names that server
  if (o.issuer === undefined && saved?.issuer && saved.clientId && found.metadata.authorization_servers?.includes(saved.issuer)) {
    return { ...o, issuer: saved.issuer, clientId: saved.clientId, ...(scope !== undefined ? { scope } : {}) }
  }
  const issuer = await pickServer(found.metadata, o.issuer, deps, resource)
  const flags: F = { ...o, issuer, ...(scope !== undefined ? { scope } : {}) }

  const kept = await store.getRegistration(profile)
  if (kept && kept.issuer === issuer) {
    // the registered redirect URI must be sent as registered
    const uri = new URL(kept.redirectUri)
    return { ...flags, clientId: kept.clientId, port: uri.port, redirectPath: uri.pathname, redirectHost: uri.hostname }
  }

  const { metadata: as } = await discoverIssuer(issuer, deps)
  const host = (o.redirectHost ?? '127.0.0.1') as RedirectHost
  const port = o.port !== undefined && o.port !== '0' ? Number(o.port) : await freeLoopbackPort()
  const path = o.redirectPath ?? '/callback'
  const redirectUri = redirectUriFor(host, port, path).href
  const registered = await registerNativeClient(as, redirectUri, deps)
  await store.saveRegistration(profile, {
    issuer,
    clientId: registered.clientId,
    redirectUri,
    ...(registered.registrationAccessToken !== undefined ? { registrationAccessToken: registered.registrationAccessToken } : {}),
    ...(registered.registrationClientUri !== undefined ? { registrationClientUri: registered.registrationClientUri } : {}),
    ...(registered.issuedAt !== undefined ? { issuedAt: registered.issuedAt } : {}),
  })
  note(`Registered tokentool at ${printable(issuer)} as client ${printable(registered.clientId)} (redirect URI ${redirectUri})`)
  return { ...flags, clientId: registered.clientId, port: String(port), redirectPath: path, redirectHost: host }
}
