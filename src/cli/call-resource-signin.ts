/**
 * `call URL` with no usable token, at an API that publishes protected resource metadata
 * (RFC 9728): the request is asked without a token first; when the 401 names its metadata,
 * tokentool offers the sign-in `login --resource` would do (in a terminal) and then sends the
 * request with the new token, or (without one) says the exact command to run.
 * @module
 */
import { resourceLoginCommand } from '../core/resource-metadata.js'
import { printable } from '../core/printable.js'
import { NetworkError, TokenInvalidError, TokentoolError, UsageError } from '../errors.js'
import type { TokenSource } from '../oauth/call.js'
import { challengeMetadataUrl, fetchResourceMetadata } from '../oauth/resource-metadata.js'
import type { Deps } from './deps.js'

export interface ResourceSignInOffer {
  /** Whether a person can answer a prompt and follow a sign-in (stdin and stderr terminals). */
  terminal: boolean
  /** Runs the sign-in for `resource` (login --resource, its summary on stderr). */
  signIn(resource: string): Promise<void>
}

/**
 * Before `call` sends its request: when the profile holds no token to send and the API's
 * 401 names its metadata, sign in for it (returns true) or explain how (throws). Any other
 * case leaves the profile's own error (no token) as it was.
 */
export async function signInForResourceIfNeeded(url: URL, tokens: TokenSource, deps: Deps, offer: ResourceSignInOffer): Promise<boolean> {
  let noToken: TokentoolError
  try {
    await tokens.current()
    return false
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof TokenInvalidError)) throw e
    noToken = e
  }
  // best effort: an API that cannot be reached now leaves the plain "no token" error
  const named = await challengeMetadataUrl(url, deps).catch((e: unknown) => {
    if (e instanceof NetworkError) return undefined
    throw e
  })
  if (!named) throw noToken
  const found = await fetchResourceMetadata(url.href, deps, { metadataUrl: named, covering: true })
  const resource = found.metadata.resource
  const servers = found.metadata.authorization_servers ?? []
  const profile = deps.global.profile
  const command = resourceLoginCommand(resource, { profile })
  if (!offer.terminal) {
    throw new UsageError(`${url.href} needs a sign-in: it is the protected resource ${resource} (RFC 9728) and profile "${profile}" has no token for it`, {
      hint: `sign in with: ${command}`,
    })
  }
  const { confirm } = await import('@inquirer/prompts')
  const via = servers.length === 1 ? ` through ${printable(servers[0]!)}` : ''
  const yes = await confirm({ message: `${printable(resource)} asks for a sign-in${via}. Sign in now?`, default: true }, { input: deps.io.in, output: deps.io.err })
  if (!yes) throw new UsageError(`not signed in to ${resource}`, { hint: `sign in later with: ${command}` })
  await offer.signIn(resource)
  return true
}
