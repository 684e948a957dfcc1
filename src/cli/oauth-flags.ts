/**
 * Flags that `login` and `refresh` share (server, client, request shaping), and how they
 * combine with the profile: a flag wins, else what the profile saved at login, else the
 * contract's default. Login saves what it was given so that later commands need no flags.
 * @module
 */
import { resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { claimsParameter } from '../core/cae/claims.js'
import { UsageError } from '../errors.js'
import { checkEndpoints, ENDPOINT_FIELDS, flagFor, parseHeaders, type EndpointField, type Endpoints } from '../oauth/endpoints.js'
import type { Deps } from './deps.js'
import { resolveSecretArg } from './secret-arg.js'
import { registerClientCredentials } from '../core/secret-values.js'
import { boundName, otherServer } from '../core/credential-binding.js'
import { isSecretReference, type ProfileSettings } from '../store/profiles.js'

export const collect = (v: string, prev: string[] = []) => [...prev, v]

export interface ServerClientFlags {
  issuer?: string
  clientId?: string
  clientSecret?: string
  header?: string[]
  authorizationEndpoint?: string
  tokenEndpoint?: string
  jwksUri?: string
  deviceAuthorizationEndpoint?: string
  userinfoEndpoint?: string
  revocationEndpoint?: string
  introspectionEndpoint?: string
}

export interface RequestFlags {
  scope?: string
  claims?: string
  cae?: boolean
  resource?: string[]
  audience?: string
}

const camel = (field: string) => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** The endpoint flags listed in a command's help unless it says which apply to it. */
const LISTED_ENDPOINTS: readonly EndpointField[] = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'device_authorization_endpoint']

/**
 * `saves`: this command (login) writes issuer and client into the profile; the others only read them.
 * `endpoints`: the endpoint flags that apply to the command, listed in its help and completion;
 * the others stay accepted, unlisted, so a script can pass one server description to every command.
 */
export function addServerClientFlags(cmd: Command, { saves = false, endpoints = LISTED_ENDPOINTS }: { saves?: boolean; endpoints?: readonly EndpointField[] } = {}): Command {
  const where = saves ? 'saved in the profile' : "default: the profile's, saved at login"
  cmd
    .option('--issuer <url>', `authorization server issuer (OpenID discovery); ${where}`)
    .option('--client-id <id>', `OAuth client id; ${where}`)
    .option('--client-secret <secret>', 'client secret for a confidential client (also @file, env:VAR, TOKENTOOL_CLIENT_SECRET)')
    .option('-H, --header <header>', 'extra request header for the server, Name=value or "Name: value", e.g. Origin=https://app.example (repeatable)', collect)
  for (const field of ENDPOINT_FIELDS) {
    cmd.addOption(new Option(`${flagFor(field)} <url>`, `${field} for a server without discovery`).hideHelp(!endpoints.includes(field)))
  }
  return cmd
}

/** `--client-cert FILE --client-cert-key FILE` (RFC 8705 mTLS), for the commands that get or present tokens. */
export function addClientCertFlags(cmd: Command, { saves = false }: { saves?: boolean } = {}): Command {
  const where = saves ? '; saved in the profile (as a path)' : "; default: the profile's, saved at login"
  return cmd
    .option('--client-cert <file>', `mTLS (RFC 8705): client certificate (PEM) for tls_client_auth / self_signed_tls_client_auth and certificate-bound tokens${where}`)
    .option('--client-cert-key <file>', `mTLS: the private key (PEM) of --client-cert (also env:VAR)${where}`)
}

export function addRequestFlags(cmd: Command, scopeHelp: string): Command {
  return cmd
    .option('--scope <scopes>', scopeHelp)
    .option('--claims <json>', 'claims request: JSON, or the base64 claims value of a WWW-Authenticate challenge')
    .option('--cae', 'announce the client capability cp1 (xms_cc) for continuous access evaluation')
    .option('--resource <uri>', 'RFC 8707 resource indicator (repeatable)', collect)
    .option('--audience <aud>', 'audience parameter (Auth0 and others)')
}

/** Endpoint flags as metadata names. */
export function endpointFlags(o: ServerClientFlags): Endpoints {
  const out: Endpoints = {}
  for (const f of ENDPOINT_FIELDS) {
    const v = (o as Record<string, unknown>)[camel(f)]
    if (typeof v === 'string') out[f] = v
  }
  checkEndpoints(out)
  return out
}

/** The server and client to use: flags over the profile. */
export interface ResolvedClient {
  issuer?: string | undefined
  clientId: string
  clientSecret?: string | undefined
  /**
   * With `lazySecret`: the profile's stored secret reference (`env:VAR`, `@file`), read only
   * when a request sends it, so a cached token or a userinfo call works with VAR unset.
   */
  readSecret?: (() => Promise<string>) | undefined
  /** The secret as the user wrote it (`env:VAR` / `@file` kept), for the profile. */
  clientSecretSetting?: string | undefined
  endpoints: Endpoints
  headers: Record<string, string>
  /** The profile's settings as this run may use them: without its stored credentials when the target is another server. */
  settings: ProfileSettings | undefined
}

/** The flags that give a client credential for this run (any one of them makes the stored ones unnecessary). */
export interface CredentialFlags {
  clientSecret?: string | undefined
  clientKey?: string | undefined
  clientAssertion?: string | undefined
  clientAuth?: string | undefined
  clientCert?: string | undefined
}

function explicitCredential(o: CredentialFlags, env: NodeJS.ProcessEnv): boolean {
  return o.clientSecret !== undefined || Boolean(env.TOKENTOOL_CLIENT_SECRET) || o.clientKey !== undefined || o.clientAssertion !== undefined || o.clientCert !== undefined || o.clientAuth?.trim().toLowerCase() === 'none'
}

/**
 * The profile's settings as this run may use them (core/credential-binding.ts): unchanged for
 * the server they were saved for; for another server, without the stored client secret and
 * client key, and a refusal (exit 2) when nothing given on the command line replaces them.
 */
export function settingsForTarget(o: ServerClientFlags & CredentialFlags, saved: ProfileSettings | undefined, env: NodeJS.ProcessEnv, profile: string): ProfileSettings | undefined {
  if (!saved || (saved.clientSecret === undefined && saved.clientKey === undefined && saved.clientCertKey === undefined)) return saved
  const other = otherServer({ issuer: saved.issuer, endpoints: saved.endpoints }, { issuer: o.issuer, endpoints: endpointFlags(o) })
  if (other === undefined) return saved
  if (!explicitCredential(o, env)) {
    const what = saved.clientSecret !== undefined ? (isSecretReference(saved.clientSecret) ? `the client secret (${saved.clientSecret.startsWith('env:') ? saved.clientSecret : 'a file reference'})` : 'the client secret') : saved.clientKey !== undefined ? 'the client key' : 'the client certificate (mTLS)'
    throw new UsageError(`${what} of profile "${profile}" was saved for ${boundName(saved)}, not ${other}: tokentool does not send a stored credential to another server`, {
      hint: `give the credential for ${other} on the command line (--client-secret env:VAR, --client-key FILE, --client-assertion FILE or --client-cert FILE --client-cert-key FILE; --client-auth none for a public client), or use another --profile`,
    })
  }
  const { clientSecret: _s, clientKey: _k, clientAuth: _a, clientCert: _c, clientCertKey: _ck, ...rest } = saved
  return rest
}

export async function resolveClient(o: ServerClientFlags & CredentialFlags, savedSettings: ProfileSettings | undefined, deps: Pick<Deps, 'env' | 'cwd'>, profile: string, opts: { lazySecret?: boolean } = {}): Promise<ResolvedClient> {
  // stored credentials go only to the server they were saved for
  const saved = settingsForTarget(o, savedSettings, deps.env, profile)
  const clientId = o.clientId ?? saved?.clientId
  // endpoints saved for another server must not leak into a login at a new --issuer
  const sameServer = o.issuer === undefined || o.issuer === saved?.issuer
  const flagged = endpointFlags(o)
  const savedEndpoints = sameServer ? (saved?.endpoints as Endpoints | undefined) : undefined
  // a hand-edited config.json is checked as the flags are, and named as the profile's
  if (savedEndpoints) checkEndpoints(savedEndpoints, (f) => `the ${f} of profile "${profile}"`)
  const endpoints = { ...savedEndpoints, ...flagged }
  const issuer = o.issuer ?? saved?.issuer
  if (!issuer && !endpoints.token_endpoint) {
    throw new UsageError(saved ? `profile "${profile}" has no issuer: give --issuer URL` : `no issuer: give --issuer URL (profile "${profile}" does not exist yet)`, {
      hint: 'login saves it in the profile for later commands',
    })
  }
  if (!clientId) throw new UsageError(`no client id: give --client-id (profile "${profile}" has none saved)`)
  // an @file reference is saved with its absolute path: later runs start in other directories
  const given = o.clientSecret?.startsWith('@') ? `@${resolve(deps.cwd, o.clientSecret.slice(1))}` : o.clientSecret
  const setting = given ?? (deps.env.TOKENTOOL_CLIENT_SECRET ? undefined : saved?.clientSecret)
  const stored = o.clientSecret === undefined && !deps.env.TOKENTOOL_CLIENT_SECRET ? saved?.clientSecret : undefined
  if (opts.lazySecret && stored !== undefined && isSecretReference(stored)) {
    // what the user gives now is checked now; what the profile refers to, only when it is sent
    let read: Promise<string> | undefined
    const readSecret = (): Promise<string> =>
      (read ??= resolveSecretArg(stored, deps, `the client secret of profile "${profile}"`).then((s) => {
        registerClientCredentials(clientId, s)
        return s
      }))
    return { issuer, clientId, readSecret, clientSecretSetting: setting, settings: saved, endpoints, headers: { ...saved?.headers, ...parseHeaders(o.header ?? []) } }
  }
  const secret = o.clientSecret !== undefined
    ? await resolveSecretArg(o.clientSecret, deps, '--client-secret')
    : deps.env.TOKENTOOL_CLIENT_SECRET || (stored ? await resolveSecretArg(stored, deps, `the client secret of profile "${profile}"`) : undefined)
  // the secret and the Basic credential made of it are known by value from here on
  registerClientCredentials(clientId, secret)
  return {
    issuer,
    clientId,
    clientSecret: secret || undefined,
    clientSecretSetting: setting,
    settings: saved,
    endpoints,
    headers: { ...saved?.headers, ...parseHeaders(o.header ?? []) },
  }
}

/** `--claims` and `--cae` as the JSON text sent in the request, or undefined. */
export const claimsText = (o: RequestFlags): string | undefined => claimsParameter(o)

/** `--param k=v` pairs. */
export function parseParams(values: readonly string[]): [string, string][] {
  return values.map((v) => {
    const i = v.indexOf('=')
    if (i <= 0) throw new UsageError(`--param must look like name=value: ${v}`)
    return [v.slice(0, i), v.slice(i + 1)] as [string, string]
  })
}
