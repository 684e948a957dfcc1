/**
 * What `exchange`, `introspect`, `revoke` and `userinfo` share: the client flags (server,
 * client id and secret, `--client-auth`), the OAuth client built from them over the profile,
 * and the token to act on when none is given (the profile's stored one).
 * @module
 */
import { Option, type Command } from 'commander'
import { TokenInvalidError, UsageError } from '../errors.js'
import { createOAuthClient, type ClientSpec, type OAuthClient } from '../oauth/client.js'
import { openStore, type TokenStore } from '../store/store.js'
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from '../store/profiles.js'
import { latestAccessToken } from '../store/tokens.js'
import { relative } from '../core/time.js'
import type { Deps } from './deps.js'
import { readStream, readTokenInput } from './input.js'
import { addServerClientFlags, resolveClient, type ServerClientFlags } from './oauth-flags.js'
import { normalizeTokenText } from '../core/token-text.js'

export interface ServiceClientFlags extends ServerClientFlags {
  clientAuth?: ClientAuthMethod
}

/** The server/client flags of login, plus `--client-auth`. */
export function addServiceClientFlags(cmd: Command): Command {
  addServerClientFlags(cmd)
  cmd.addOption(
    new Option('--client-auth <method>', 'how the client authenticates (default: basic with a secret, else none)').choices(CLIENT_AUTH_METHODS as string[]),
  )
  return cmd
}

export interface ServiceContext {
  oc: OAuthClient
  store: TokenStore
  profile: string
}

/** The OAuth client: flags over the profile's settings (a profile is not required when flags say it all). */
export async function serviceClient(o: ServiceClientFlags, deps: Deps): Promise<ServiceContext> {
  const profile = deps.global.profile
  const store = openStore(deps)
  const saved = await store.getSettings(profile)
  const resolved = await resolveClient(o, saved, deps, profile)
  const clientAuth = o.clientAuth ?? saved?.clientAuth
  // `clientAuth` is read by oauth/client.ts where it supports the method; basic/post/none
  // otherwise follow from the secret and the server's metadata
  const spec: ClientSpec & { clientAuth?: ClientAuthMethod } = {
    clientId: resolved.clientId,
    clientSecret: clientAuth === 'none' ? undefined : resolved.clientSecret,
    headers: resolved.headers,
    ...(clientAuth ? { clientAuth } : {}),
  }
  if ((clientAuth === 'basic' || clientAuth === 'post') && !spec.clientSecret) {
    throw new UsageError(`--client-auth ${clientAuth} needs a client secret: give --client-secret (or TOKENTOOL_CLIENT_SECRET)`)
  }
  const oc = await createOAuthClient({ issuer: resolved.issuer, endpoints: resolved.endpoints }, spec, deps)
  return { oc, store, profile }
}

const loginHint = (profile: string) => `sign in with: tokentool login${profile === 'default' ? '' : ` --profile ${profile}`}`

/**
 * The token the user named (argument, `-`/stdin, `--file`), or undefined when they named none.
 * Empty piped stdin counts as none, so scripts without a terminal still get the profile's token.
 */
export async function tokenArgument(arg: string | undefined, file: string | undefined, deps: Deps, what = 'token'): Promise<string | undefined> {
  if (arg !== undefined || file !== undefined) return readTokenInput(arg, file, deps, what)
  if (deps.io.stdinIsTTY) return undefined
  const text = normalizeTokenText(await readStream(deps.io.in))
  return text === '' ? undefined : text
}

export interface StoredChoice {
  token: string
  /** What it is, for messages: "the access token of profile default". */
  label: string
  kind: 'access_token' | 'refresh_token'
  expiresAt?: number | undefined
}

/** The profile's newest access token (or refresh token), whether or not it is still valid. */
export async function storedToken(store: TokenStore, profile: string, kind: 'access_token' | 'refresh_token' = 'access_token'): Promise<StoredChoice> {
  const tokens = await store.getTokens(profile)
  if (kind === 'refresh_token') {
    const rt = tokens?.refreshToken
    if (!rt) throw new UsageError(`no token given, and profile "${profile}" has no refresh token`, { hint: 'pass the token as an argument, on stdin or with --file' })
    return { token: rt.value, label: `the refresh token of profile "${profile}"`, kind, expiresAt: rt.expiresAt }
  }
  const at = latestAccessToken(tokens)
  if (!at) throw new UsageError(`no token given, and profile "${profile}" has no access token`, { hint: `pass the token as an argument, on stdin or with --file; or ${loginHint(profile)}` })
  return { token: at.accessToken, label: `the access token of profile "${profile}"`, kind, expiresAt: at.expiresAt }
}

/** Refuses a stored token that has expired where a valid one is needed (exit 1), saying how to get one. */
export function requireUnexpired(choice: StoredChoice, now: Date, profile: string): void {
  if (choice.expiresAt === undefined) return
  const left = choice.expiresAt - Math.floor(now.getTime() / 1000)
  if (left > 0) return
  throw new TokenInvalidError(`${choice.label} expired ${relative(left)}`, {
    hint: `get a new one with: tokentool refresh${profile === 'default' ? '' : ` --profile ${profile}`}`,
  })
}
