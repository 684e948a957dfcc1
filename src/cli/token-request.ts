/**
 * `token`'s flags and the profile combined into one request: server, client, client
 * authentication (secrets and key files read here), what shapes the token, and the cache keys
 * to look under. Loads nothing heavy: a cached token must come back fast.
 * @module
 */
import { userTokenKey, machineTokenKey, type MachineGrant, type MachineShape } from '../core/token-decision.js'
import { decodeJwt } from '../core/jwt/split.js'
import { normalizeTokenText } from '../core/token-text.js'
import { InputError, TokenInvalidError, UsageError } from '../errors.js'
import type { AssertionAudience, ClientAuthChoice } from '../oauth/client-auth.js'
import type { Endpoints } from '../oauth/endpoints.js'
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type ProfileSettings } from '../store/profiles.js'
import type { Deps } from './deps.js'
import { readFileArg } from './input.js'
import { claimsText, endpointFlags, resolveClient, type RequestFlags, type ServerClientFlags } from './oauth-flags.js'
import { resolveSecretArg } from './secret-arg.js'
import { parseAuthorizationDetails } from '../core/rar.js'
import { dpopWanted, type DpopFlags, type ResolvedDpopKey } from './dpop-flags.js'
import type { TokenStore } from '../store/store.js'
import { registerSecret } from '../core/secret-values.js'
import { resolve as resolvePath } from 'node:path'

export interface TokenFlags extends ServerClientFlags, RequestFlags, DpopFlags {
  clientCert?: string
  clientCertKey?: string
  authorizationDetails?: string
  minTtl: string
  force?: boolean
  clientCredentials?: boolean
  clientAuth?: string
  clientKey?: string
  clientAssertion?: string
  assertionAudience?: string
  clientAssertionAudience?: string
  assertion?: string
  format?: string
}

/**
 * A client assertion fetched only when a grant needs one (never for a cached token):
 * `--client-assertion github`, the GitHub Actions OIDC token for `audience`.
 */
export interface DeferredAssertion {
  method: 'github_actions'
  audience?: string | undefined
}
/** A client secret the profile refers to (`env:VAR`, `@file`), read only when a request sends it. */
export interface DeferredSecret {
  method: 'deferred_secret'
  as: 'auto' | 'basic' | 'post'
  read: () => Promise<string>
}
/** The resolved secret, or the reader of one that is read only when it is sent. */
export type SecretSource = string | (() => Promise<string>) | undefined
export type TokenAuthChoice = ClientAuthChoice | DeferredAssertion | DeferredSecret

export interface TokenRequest {
  profile: string
  issuer: string
  server: { issuer?: string | undefined; endpoints: Endpoints }
  client: { clientId: string; clientSecret?: string | undefined; headers: Record<string, string>; auth: TokenAuthChoice | undefined; clientCert?: { cert: string; key: string } | undefined }
  /** The user's token (login/refresh): its shape and cache key; absent with `--client-credentials`/`--assertion`. */
  user?: { shape: { scope?: string | undefined; audience?: string | readonly string[] | undefined; resource?: string | readonly string[] | undefined; claims?: string | undefined; dpopJkt?: string | undefined }; key: string } | undefined
  refreshParams: { scope?: string | undefined; resources?: readonly string[] | undefined; audience?: string | undefined; extra?: readonly (readonly [string, string])[] | undefined }
  /** A machine grant the credentials allow: its shape (without issuer/client), key and assertion. */
  machine?: { shape: Omit<MachineShape, 'issuer' | 'clientId'>; key: string; assertion?: string | undefined } | undefined
  claims: string | undefined
  /** The DPoP key when the token is to be DPoP-bound (`--dpop`, or the profile says so). */
  dpop?: ResolvedDpopKey | undefined
}

/** A client certificate and its key, read and checked: what the TLS handshakes offer. */
export interface ClientCert {
  cert: string
  key: string
  /** RFC 8705 §3.1: base64url SHA-256 of the DER certificate, what `cnf.x5t#S256` of a bound token says. */
  x5t: string
}

/**
 * `--client-cert FILE --client-cert-key FILE` (RFC 8705): both PEM, the key the certificate's,
 * checked before any request; the certificate's `x5t#S256` names the binding in the cache key.
 * Without either flag, the pair the profile saved at login (`saved`, already bound to the
 * server: see settingsForTarget); flags are taken only as a pair, never mixed with the profile's.
 */
export async function readClientCert(o: Pick<TokenFlags, 'clientCert' | 'clientCertKey'>, deps: Pick<Deps, 'env' | 'cwd'>, saved?: Pick<ProfileSettings, 'clientCert' | 'clientCertKey'>): Promise<ClientCert | undefined> {
  const fromFlags = o.clientCert !== undefined || o.clientCertKey !== undefined
  const certArg = fromFlags ? o.clientCert : saved?.clientCert
  const keyArg = fromFlags ? o.clientCertKey : saved?.clientCertKey
  if (certArg === undefined && keyArg === undefined) return undefined
  const where = fromFlags ? '' : ` (saved in the profile)`
  if (certArg === undefined || keyArg === undefined) {
    throw new UsageError(certArg === undefined ? `--client-cert-key${where} needs its certificate: mTLS takes both --client-cert FILE and --client-cert-key FILE` : `--client-cert${where} needs its private key: mTLS takes both --client-cert FILE and --client-cert-key FILE`)
  }
  const cert = await readFileArg(certArg.replace(/^@/, ''), deps, `--client-cert${where} file`)
  const key = keyArg.startsWith('env:') ? await resolveSecretArg(keyArg, deps, '--client-cert-key') : await readFileArg(keyArg.replace(/^@/, ''), deps, `--client-cert-key${where} file`)
  // a secret of the run from the moment it is read: even an error below must not quote it
  registerSecret(key.trim())
  const { X509Certificate, createPrivateKey, createHash } = await import('node:crypto')
  let x509
  try {
    x509 = new X509Certificate(cert)
  } catch {
    throw new InputError(`--client-cert ${certArg}${where} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`)
  }
  let pk
  try {
    pk = createPrivateKey(key)
  } catch {
    throw new InputError(`--client-cert-key${where} is not a private key (PEM, unencrypted)`, { hint: `the key that belongs to --client-cert ${certArg}` })
  }
  if (pk.asymmetricKeyType === undefined || !x509.checkPrivateKey(pk)) throw new InputError(`--client-cert-key${where} is not the private key of --client-cert ${certArg}`)
  return { cert, key, x5t: createHash('sha256').update(x509.raw).digest('base64url') }
}

/** `--client-cert`/`--client-cert-key` as the profile saves them: absolute paths (later runs start elsewhere), `env:VAR` as is. */
export function clientCertSetting(value: string, cwd: string): string {
  return value.startsWith('env:') ? value : resolvePath(cwd, value.replace(/^@/, ''))
}

/** `--authorization-details JSON` or `@file` (RFC 9396), checked before any request. */
export async function readAuthorizationDetails(value: string, deps: Pick<Deps, 'env' | 'cwd'>): Promise<string> {
  const text = value.startsWith('@') ? await resolveSecretArg(value, deps, '--authorization-details') : value
  return parseAuthorizationDetails(text)
}

const CHOICES: ReadonlyMap<string, ClientAuthMethod> = new Map([
  ['basic', 'basic'],
  ['client_secret_basic', 'basic'],
  ['post', 'post'],
  ['client_secret_post', 'post'],
  ['private_key_jwt', 'private_key_jwt'],
  ['none', 'none'],
  ['tls_client_auth', 'tls_client_auth'],
  ['self_signed_tls_client_auth', 'self_signed_tls_client_auth'],
])

/** `--client-auth`, also spelt as the metadata names (`client_secret_basic`, ...). */
export function parseClientAuth(v: string): ClientAuthMethod {
  const m = CHOICES.get(v.trim().toLowerCase())
  if (!m) throw new UsageError(`--client-auth must be one of ${CLIENT_AUTH_METHODS.join(', ')}: ${v}`)
  return m
}

/** A file flag that also takes `@file` and `env:VAR` (a CI job's token often sits in a variable). */
async function readCredential(value: string, deps: Pick<Deps, 'env' | 'cwd'>, what: string): Promise<string> {
  const text = value.startsWith('env:') ? await resolveSecretArg(value, deps, what) : await readFileArg(value.replace(/^@/, ''), deps, `${what} file`)
  const t = text.trim()
  if (!t) throw new InputError(`${what} is empty`)
  // a private key or an assertion: a secret of the run like a client secret
  registerSecret(t)
  return t
}

/** A JWT given as an assertion: checked for shape (exit 2 when malformed), its `iss`/`sub` read. */
export function readAssertion(text: string, what: string, now?: Date): { jwt: string; iss?: string; sub?: string } {
  const jwt = normalizeTokenText(text)
  let parts
  try {
    parts = decodeJwt(jwt)
  } catch (e) {
    throw new InputError(`${what} is not a JWT: ${(e as Error).message}`)
  }
  if (!('payload' in parts)) throw new InputError(`${what} is encrypted (a JWE): an assertion must be a signed JWT`)
  const p = parts.payload
  // sending an expired assertion only earns an invalid_client; say what is wrong instead
  if (now && typeof p.exp === 'number' && Number.isFinite(p.exp) && p.exp <= Math.floor(now.getTime() / 1000)) {
    const ago = Math.floor(now.getTime() / 1000) - p.exp
    throw new TokenInvalidError(`${what} expired ${ago}s ago (exp ${p.exp})`, { hint: 'a projected or federated token is renewed by its issuer: read a fresh one (file:PATH is re-read on every run)' })
  }
  return { jwt, ...(typeof p.iss === 'string' ? { iss: p.iss } : {}), ...(typeof p.sub === 'string' ? { sub: p.sub } : {}) }
}

/** Nothing to get a token with: no usable cached token, no refresh token, no client credential. Exit 2. */
export class NoCredentialsError extends UsageError {}

export function noCredentials(profile: string, what: string, clientKnown = false): UsageError {
  const machine = '--client-secret (or set TOKENTOOL_CLIENT_SECRET), --client-key FILE or --client-assertion FILE'
  return new NoCredentialsError(`${what}: nothing to get a token with`, {
    hint: clientKnown
      ? `give ${machine} for the client credentials grant, or sign in with: tokentool login --profile ${profile}`
      : `sign in with: tokentool login --profile ${profile}; or, for a machine client, give --issuer, --client-id and ${machine}`,
  })
}

/** Client authentication from flags, the profile and the resolved secret; undefined when there are no client credentials. */
export async function authChoice(o: Pick<TokenFlags, 'clientAuth' | 'clientKey' | 'clientAssertion' | 'clientAssertionAudience'>, saved: ProfileSettings | undefined, secret: SecretSource, deps: Pick<Deps, 'env' | 'cwd'>): Promise<ClientAuthChoice | DeferredSecret | undefined> {
  const choice = await tokenAuthChoice(o, saved, secret, deps)
  if (choice?.method === 'github_actions') throw new UsageError('--client-assertion github is for `tokentool token` (and the helpers built on it)', { hint: 'elsewhere give the assertion as file:PATH or env:VAR' })
  return choice
}

/**
 * `--client-assertion` sources: `github` (deferred: fetched only when a grant runs), `file:PATH`
 * (re-read on every run: a Kubernetes projected service-account token, AZURE_FEDERATED_TOKEN_FILE),
 * `env:VAR`, `@FILE` or a plain path.
 */
export async function tokenAuthChoice(o: Pick<TokenFlags, 'clientAuth' | 'clientKey' | 'clientAssertion' | 'assertionAudience' | 'clientAssertionAudience'>, saved: ProfileSettings | undefined, secret: SecretSource, deps: Pick<Deps, 'env' | 'cwd'>): Promise<TokenAuthChoice | undefined> {
  // the profile's TLS client auth goes with the profile's certificate (or one given now)
  const tls = (o.clientAuth ?? saved?.clientAuth)?.trim().toLowerCase()
  if (tls === 'tls_client_auth' || tls === 'self_signed_tls_client_auth') {
    const cert = (o as { clientCert?: string }).clientCert ?? saved?.clientCert
    if (cert === undefined) throw new UsageError(`--client-auth ${tls} authenticates with the TLS client certificate: give --client-cert FILE and --client-cert-key FILE`)
    return { method: tls }
  }
  const method = o.clientAuth !== undefined ? parseClientAuth(o.clientAuth) : saved?.clientAuth
  const keyArg = o.clientKey ?? saved?.clientKey
  const audience = assertionAudience(o.clientAssertionAudience ?? saved?.clientAssertionAudience, o.clientAssertionAudience !== undefined ? '--client-assertion-audience' : `the clientAssertionAudience of the profile`)
  if (o.clientAssertionAudience !== undefined && (o.clientAssertion !== undefined || (method !== undefined && method !== 'private_key_jwt'))) {
    throw new UsageError('--client-assertion-audience is the aud of the assertion tokentool signs with --client-key (private_key_jwt); a ready-made --client-assertion has its own')
  }
  if (o.assertionAudience !== undefined && o.clientAssertion?.trim() !== 'github') {
    throw new UsageError('--assertion-audience is the audience of the GitHub Actions OIDC token: it goes with --client-assertion github')
  }
  if (o.clientAssertion !== undefined) {
    if (method && method !== 'private_key_jwt') throw new UsageError(`--client-assertion is a private_key_jwt credential; it cannot go with --client-auth ${method}`)
    const source = o.clientAssertion.trim()
    if (source === 'github') return { method: 'github_actions', ...(o.assertionAudience !== undefined ? { audience: o.assertionAudience } : {}) }
    const text = await readCredential(source.startsWith('file:') ? source.slice('file:'.length) : source, deps, '--client-assertion')
    const { jwt } = readAssertion(text, '--client-assertion')
    return { method: 'client_assertion', assertion: jwt }
  }
  if (method === 'private_key_jwt' || (method === undefined && keyArg !== undefined)) {
    if (keyArg === undefined) throw new UsageError('--client-auth private_key_jwt needs --client-key FILE (a private PEM or JWK) or --client-assertion FILE')
    return { method: 'private_key_jwt', keyText: await readCredential(keyArg, deps, '--client-key'), keyWhat: '--client-key', ...(audience ? { audience } : {}) }
  }
  if (method === 'none') return { method: 'none' }
  if (method === 'basic' || method === 'post') {
    if (!secret) throw new UsageError(`--client-auth ${method} needs a client secret: give --client-secret or set TOKENTOOL_CLIENT_SECRET`)
    return typeof secret === 'function' ? { method: 'deferred_secret', as: method, read: secret } : { method, secret }
  }
  if (typeof secret === 'function') return { method: 'deferred_secret', as: 'auto', read: secret }
  return secret ? { method: 'auto', secret } : undefined
}

/** `issuer`, `token-endpoint` or a URL (as client-auth.ts takes it, without loading openid-client here). */
function assertionAudience(v: string | undefined, what: string): AssertionAudience | undefined {
  if (v === undefined) return undefined
  const t = v.trim()
  if (t === 'issuer' || t === 'token-endpoint') return t
  if (/^https?:\/\/[^\s/]/i.test(t) && URL.canParse(t)) return { url: t }
  throw new UsageError(`${what} must be issuer, token-endpoint or a URL: ${v}`)
}

/** Resolves flags over the profile's settings into a TokenRequest. */
export async function resolveTokenRequest(o: TokenFlags, saved: ProfileSettings | undefined, profile: string, deps: Pick<Deps, 'env' | 'cwd'>, store?: TokenStore): Promise<TokenRequest> {
  const endpoints = { ...(saved?.endpoints as Endpoints | undefined), ...endpointFlags(o) }
  if (!(o.issuer ?? saved?.issuer) && !endpoints.token_endpoint && !(o.clientId ?? saved?.clientId)) {
    throw noCredentials(profile, saved ? `profile "${profile}" has no issuer or client` : `no profile "${profile}" and no --issuer/--client-id`)
  }
  // a cached token needs no client secret: the profile's is read when a grant sends it
  const client = await resolveClient(o, saved, deps, profile, { lazySecret: true })
  // as createOAuthClient names it: the issuer, else the token endpoint's origin
  const issuer = client.issuer ?? new URL(client.endpoints.token_endpoint!).origin
  const claims = claimsText(o)
  const auth = await tokenAuthChoice(o, client.settings, client.readSecret ?? client.clientSecret, deps)
  const resources = o.resource?.length ? o.resource : undefined
  const machineOnly = Boolean(o.clientCredentials || o.assertion !== undefined)
  // the key is part of what shapes the token (cnf.jkt): made now, so the cache key names it
  // (dpop-key.ts and its node:crypto load only for a DPoP-bound request)
  const dpop = store && dpopWanted(o, saved) ? await (await import('./dpop-key.js')).resolveDpopKey(o, saved, { store, profile, issuer, create: 'create' }, deps) : undefined
  const dpopJkt = dpop?.jkt
  const clientCert = await readClientCert(o, deps, client.settings)
  const mtlsX5t = clientCert?.x5t
  const authorizationDetails = o.authorizationDetails !== undefined ? await readAuthorizationDetails(o.authorizationDetails, deps) : undefined

  let machine: TokenRequest['machine']
  // a public client (`none`, e.g. saved by login) has no credential: only an explicit --client-auth none asks for the grant
  const credential = auth !== undefined && (auth.method !== 'none' || o.clientAuth !== undefined)
  const grant: MachineGrant | undefined = o.assertion !== undefined ? 'jwt_bearer' : credential ? 'client_credentials' : undefined
  if (grant) {
    const assertion = o.assertion !== undefined ? readAssertion(await readCredential(o.assertion, deps, '--assertion'), '--assertion') : undefined
    // a machine grant asks for exactly what the flags say (the profile's scope is the user's)
    const shape: Omit<MachineShape, 'issuer' | 'clientId'> = {
      grant,
      scope: o.scope,
      audience: o.audience,
      resource: resources,
      claims,
      dpopJkt,
      authorizationDetails,
      mtlsX5t,
      ...(assertion ? { assertionSubject: { iss: assertion.iss, sub: assertion.sub } } : {}),
    }
    machine = { shape, key: machineTokenKey({ ...shape, issuer, clientId: client.clientId }), ...(assertion ? { assertion: assertion.jwt } : {}) }
  } else if (o.clientCredentials) {
    throw new UsageError(`--client-credentials needs a client credential for client "${client.clientId}"`, {
      hint: 'give --client-secret (or set TOKENTOOL_CLIENT_SECRET), --client-key FILE, --client-assertion FILE, or --client-auth none for a public client',
    })
  }

  let user: TokenRequest['user']
  if (!machineOnly) {
    // the cache key names what login/refresh stored: flags over the profile's request settings
    const shape = { scope: o.scope ?? saved?.scope, audience: o.audience ?? saved?.audience, resource: resources ?? saved?.resource, claims, dpopJkt, authorizationDetails: authorizationDetails ?? saved?.authorizationDetails, mtlsX5t }
    user = { shape, key: userTokenKey({ ...shape, issuer, clientId: client.clientId }) }
  }
  return {
    profile,
    issuer,
    server: { issuer: client.issuer, endpoints: client.endpoints },
    client: { clientId: client.clientId, clientSecret: client.clientSecret, headers: client.headers, auth, ...(clientCert ? { clientCert: { cert: clientCert.cert, key: clientCert.key } } : {}) },
    user,
    refreshParams: { scope: o.scope, resources, audience: o.audience, ...(authorizationDetails ? { extra: [['authorization_details', authorizationDetails]] as const } : {}) },
    machine,
    claims,
    ...(dpop ? { dpop } : {}),
  }
}
