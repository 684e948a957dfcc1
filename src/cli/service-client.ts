/**
 * What `exchange`, `introspect`, `revoke` and `userinfo` share: the client flags (server,
 * client id and secret, `--client-auth`), the OAuth client built from them over the profile,
 * and the token to act on when none is given (the profile's stored one).
 * @module
 */
import type { Command } from 'commander'
import { TokenInvalidError, UsageError } from '../errors.js'
import { buildClientAuth, lazySecretAuth } from '../oauth/client-auth.js'
import { createOAuthClient, type EndpointField, type OAuthClient } from '../oauth/client.js'
import { openStore, type TokenStore } from '../store/store.js'
import type { ProfileSettings } from '../store/profiles.js'
import { latestAccessToken } from '../store/tokens.js'
import { relative } from '../core/time.js'
import type { Deps } from './deps.js'
import { readStream, readTokenInput, tokenFromText } from './input.js'
import { addClientCertFlags, addServerClientFlags, resolveClient, type RequestFlags, type ServerClientFlags } from './oauth-flags.js'
import { authChoice, readClientCert, type TokenFlags } from './token-request.js'
import { resolveDpopKey, type DpopFlags } from './dpop-key.js'

export interface ServiceClientFlags extends ServerClientFlags, DpopFlags {
  clientCert?: string
  clientCertKey?: string
  clientAuth?: string
  clientKey?: string
  clientAssertion?: string
  clientAssertionAudience?: string
}

/**
 * The server/client flags of login, plus client authentication as `token` has it. `endpoints`:
 * the endpoint flags that apply to the command (the one it calls, the token endpoint for a
 * server without discovery, jwks_uri for a signed response): listed in its help and
 * completion, not login's authorization and device endpoints.
 */
export function addServiceClientFlags(cmd: Command, endpoints?: readonly EndpointField[]): Command {
  addServerClientFlags(cmd, endpoints ? { endpoints } : {})
  for (const opt of cmd.options) {
    // these commands use the profile's settings but, unlike login, never change them
    opt.description = opt.description.replace('; saved in the profile', "; default: the profile's")
  }
  cmd
    .option('--client-auth <method>', 'basic, post, private_key_jwt, none, tls_client_auth or self_signed_tls_client_auth (default: basic with a secret, else none)')
    .option('--client-key <file>', 'private key (PEM or JWK) for private_key_jwt; also env:VAR')
    .option('--client-assertion <file>', 'a ready-made client assertion JWT (e.g. a CI job\'s OIDC token); also env:VAR')
    .option('--client-assertion-audience <aud>', "aud of the private_key_jwt assertion: issuer (default), token-endpoint or a URL; default: the profile's")
  return addClientCertFlags(cmd)
}

export interface ServiceContext {
  oc: OAuthClient
  store: TokenStore
  profile: string
  settings: ProfileSettings | undefined
}

/** The OAuth client: flags over the profile's settings (a profile is not required when flags say it all). */
export async function serviceClient(o: ServiceClientFlags, deps: Deps, opts: { dpop?: boolean } = {}): Promise<ServiceContext> {
  const profile = deps.global.profile
  const store = openStore(deps)
  const saved = await store.getSettings(profile)
  // userinfo with a token in hand sends no client secret: the profile's is read when a request sends it
  const resolved = await resolveClient(o, saved, deps, profile, { lazySecret: true })
  // the same choice as `token` makes (flags over the profile); none: a public client
  const choice = await authChoice(o, resolved.settings, resolved.readSecret ?? resolved.clientSecret, deps)
  const auth = choice?.method === 'deferred_secret' ? lazySecretAuth(choice.as, choice.read) : choice ? await buildClientAuth(choice) : undefined
  const issuer = resolved.issuer ?? new URL(resolved.endpoints.token_endpoint!).origin
  // only the commands that obtain or present tokens sign proofs (exchange, userinfo)
  const dpop = opts.dpop ? await resolveDpopKey(o, saved, { store, profile, issuer, create: 'create' }, deps) : undefined
  // the profile's mTLS certificate (RFC 8705): TLS client auth, and certificate-bound tokens at userinfo
  const clientCert = await readClientCert(o, deps, resolved.settings)
  const spec = { clientId: resolved.clientId, clientSecret: resolved.clientSecret, headers: resolved.headers, ...(auth ? { auth } : {}), ...(dpop ? { dpop } : {}), ...(clientCert ? { clientCert } : {}) }
  const oc = await createOAuthClient({ issuer: resolved.issuer, endpoints: resolved.endpoints }, spec, deps)
  return { oc, store, profile, settings: saved }
}

const loginHint = (profile: string) => `sign in with: tokentool login${profile === 'default' ? '' : ` --profile ${profile}`}`

/**
 * The token the user named (argument, `-`/stdin, `--file`), or undefined when they named none.
 * Empty piped stdin counts as none, so scripts without a terminal still get the profile's token.
 */
export async function tokenArgument(arg: string | undefined, file: string | undefined, deps: Deps, what = 'token'): Promise<string | undefined> {
  if (arg !== undefined || file !== undefined) return readTokenInput(arg, file, deps, what)
  if (deps.io.stdinIsTTY) return undefined
  const text = tokenFromText(await readStream(deps.io.in), what)
  return text === '' ? undefined : text
}

export interface StoredChoice {
  token: string
  /** `Bearer`, `DPoP`, ... as stored with an access token. */
  tokenType?: string | undefined
  /** What it is, for messages: "the access token of profile default". */
  label: string
  kind: 'access_token' | 'refresh_token'
  expiresAt?: number | undefined
}

/**
 * The profile's newest access token (or refresh token), whether or not it is still valid.
 * Never one from another issuer than `issuer`: a stored token goes only to the server that issued it.
 */
export async function storedToken(store: TokenStore, profile: string, issuer: string, kind: 'access_token' | 'refresh_token' = 'access_token'): Promise<StoredChoice> {
  const tokens = await store.getTokens(profile)
  if (tokens?.issuer !== undefined && tokens.issuer !== issuer) {
    throw new UsageError(`no token given, and the tokens of profile "${profile}" are from ${tokens.issuer}, not ${issuer}`, {
      hint: 'pass the token as an argument, on stdin or with --file (tokentool does not send a stored token to another server)',
    })
  }
  if (kind === 'refresh_token') {
    const rt = tokens?.refreshToken
    if (!rt) throw new UsageError(`no token given, and profile "${profile}" has no refresh token`, { hint: 'pass the token as an argument, on stdin or with --file' })
    return { token: rt.value, label: `the refresh token of profile "${profile}"`, kind, expiresAt: rt.expiresAt }
  }
  const at = latestAccessToken(tokens)
  if (!at) throw new UsageError(`no token given, and profile "${profile}" has no access token`, { hint: `pass the token as an argument, on stdin or with --file; or ${loginHint(profile)}` })
  return { token: at.accessToken, tokenType: at.tokenType, label: `the access token of profile "${profile}"`, kind, expiresAt: at.expiresAt }
}

/** A stored token needs this many seconds left to be sent: the request itself takes a moment. */
const MIN_TTL = 30

/**
 * The profile's access token where a valid one is needed (userinfo, exchange's subject): what
 * `token` would hand out — the cached one while it has time left, else a refresh under the
 * profile lock (a rotated refresh token stored before the lock is released, never spent
 * twice) — through the same acquisition path; only a new machine grant is not made. With
 * nothing to refresh with: TokenInvalidError (exit 1) or UsageError (exit 2) saying how to sign in.
 */
export async function validStoredAccessToken(ctx: ServiceContext, o: ServiceClientFlags, deps: Deps): Promise<StoredChoice> {
  const { store, profile, oc } = ctx
  const tokens = await store.getTokens(profile)
  const label = `the access token of profile "${profile}"`
  if (!tokens?.refreshToken) {
    // nothing to refresh with: the stored token as it is, or the reason there is none (checks the issuer too)
    const choice = await storedToken(store, profile, oc.metadata.issuer)
    const left = choice.expiresAt === undefined ? Infinity : choice.expiresAt - Math.floor(deps.now().getTime() / 1000)
    if (left > MIN_TTL) return choice
    throw new TokenInvalidError(`${choice.label} ${left > 0 ? `expires ${relative(left)}` : `expired ${relative(left)}`} and there is no refresh token`, { hint: loginHint(profile) })
  }
  if (tokens.issuer !== undefined && tokens.issuer !== oc.metadata.issuer) await storedToken(store, profile, oc.metadata.issuer)
  const { acquireToken } = await import('./acquire-token.js')
  // only the server and client flags: exchange's --scope/--audience/--resource shape the new
  // token, not the subject; the subject's DPoP binding is the profile's (no --dpop saved here)
  const { scope: _s, audience: _a, resource: _r, claims: _c, dpop: _d, dpopKey: _k, ...client } = o as ServiceClientFlags & RequestFlags
  const view = await acquireToken({ ...client, minTtl: `${MIN_TTL}s` } as TokenFlags, { profile, minTtl: MIN_TTL, force: false, machineGrant: false }, deps)
  return { token: view.accessToken, tokenType: view.tokenType, label: view.source === 'cache' ? label : `${label} (refreshed)`, kind: 'access_token', expiresAt: view.expiresAt }
}
