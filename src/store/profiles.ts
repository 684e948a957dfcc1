/**
 * Profiles' settings: issuer, client and request defaults. They live in `config.json`, which
 * holds no secret and no token so that it can be shared or committed; a literal client
 * secret goes to `secrets.json` (0600) instead, while a reference (`env:VAR`, `@file`) stays
 * in config.json unresolved, and is resolved only when a command needs it.
 * @module
 */
import { isObject, versionMismatch, type ShapeCheck } from './atomic-write.js'

export type ClientAuthMethod = 'basic' | 'post' | 'private_key_jwt' | 'none' | 'tls_client_auth' | 'self_signed_tls_client_auth'
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['basic', 'post', 'private_key_jwt', 'none', 'tls_client_auth', 'self_signed_tls_client_auth']

export interface RedirectSettings {
  /** `127.0.0.1` (default), `localhost` or `[::1]`. */
  host?: string
  /** 0 = any free port. */
  port?: number
  /** Default `/callback`. */
  path?: string
}

export interface ProfileSettings {
  issuer?: string
  clientId?: string
  clientAuth?: ClientAuthMethod
  /** A literal secret, or a reference kept as given: `env:VAR` or `@path/to/file`. */
  clientSecret?: string
  /** private_key_jwt: path of the private key file (PEM or JWK). */
  clientKey?: string
  /** private_key_jwt: the assertion's `aud`: `issuer` (default), `token-endpoint` or a URL. */
  clientAssertionAudience?: string
  /** mTLS (RFC 8705): path of the client certificate (PEM), for TLS client auth and certificate-bound tokens. */
  clientCert?: string
  /** mTLS: path of the certificate's private key (PEM), or `env:VAR`. */
  clientCertKey?: string
  scope?: string
  audience?: string[]
  resource?: string[]
  redirect?: RedirectSettings
  /** Overrides for servers without discovery, by metadata name: `token_endpoint`, `jwks_uri`, ... */
  endpoints?: Record<string, string>
  /** Extra authorization/token request parameters (`--param k=v`). */
  params?: Record<string, string>
  /** Extra request headers (`--header k=v`). */
  headers?: Record<string, string>
  /** Git servers (`host[:port]`) whose credential `git-credential get` answers with this profile's token. */
  gitHosts?: string[]
  /** RFC 9396 authorization details of the last login (compact JSON): part of the session's cache key, as scope is. */
  authorizationDetails?: string
  /** DPoP-bound tokens (RFC 9449): `--dpop` at login, remembered for refresh, token and call. */
  dpop?: boolean
  /** `--dpop-key FILE`: the user's own DPoP key (path); without it the profile's generated key. */
  dpopKey?: string
}

/** Whether a client secret setting is a reference (`env:VAR`, `@file`) rather than the secret itself. */
export function isSecretReference(value: string): boolean {
  return /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value) || (value.startsWith('@') && value.length > 1)
}

export interface ConfigFile {
  version: 1
  profiles: Record<string, ProfileSettings>
}

export interface SecretsFile {
  version: 1
  /** Literal client secrets by profile name. */
  clientSecrets: Record<string, string>
  /** Clients tokentool registered itself (RFC 7591), by profile name: they hold management tokens. */
  registrations?: Record<string, StoredRegistration>
}

/** A client registered by `login --resource` (RFC 7591), bound to the server that issued it. */
export interface StoredRegistration {
  issuer: string
  clientId: string
  redirectUri: string
  /** RFC 7592 management credentials, when the server issued them (a secret). */
  registrationAccessToken?: string
  registrationClientUri?: string
  /** Epoch seconds. */
  issuedAt?: number
}

function registrationProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object'
  for (const f of ['issuer', 'clientId', 'redirectUri'] as const) if (typeof v[f] !== 'string') return `"${f}" is not a string`
  // taken apart when the profile signs in again (resource-login.ts): a hand-edited one must not crash it
  if (!URL.canParse(v.redirectUri as string)) return '"redirectUri" is not a URL'
  for (const f of ['registrationAccessToken', 'registrationClientUri'] as const) if (v[f] !== undefined && typeof v[f] !== 'string') return `"${f}" is not a string`
  if (v.issuedAt !== undefined && typeof v.issuedAt !== 'number') return '"issuedAt" is not a number'
  return undefined
}

const STRING_FIELDS = ['issuer', 'clientId', 'clientSecret', 'clientKey', 'clientAssertionAudience', 'clientCert', 'clientCertKey', 'scope', 'authorizationDetails', 'dpopKey'] as const
const LIST_FIELDS = ['audience', 'resource', 'gitHosts'] as const
const MAP_FIELDS = ['endpoints', 'params', 'headers'] as const

/** Why `v` is not a valid ProfileSettings, or undefined when it is. Unknown fields are kept (newer versions). */
export function settingsProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object'
  for (const f of STRING_FIELDS) if (v[f] !== undefined && typeof v[f] !== 'string') return `"${f}" is not a string`
  for (const f of LIST_FIELDS) {
    const l = v[f]
    if (l !== undefined && !(Array.isArray(l) && l.every((x) => typeof x === 'string'))) return `"${f}" is not a list of strings`
  }
  for (const f of MAP_FIELDS) {
    const m = v[f]
    if (m !== undefined && !(isObject(m) && Object.values(m).every((x) => typeof x === 'string'))) return `"${f}" is not an object of strings`
  }
  if (v.dpop !== undefined && typeof v.dpop !== 'boolean') return '"dpop" is not true or false'
  if (v.clientAuth !== undefined && !CLIENT_AUTH_METHODS.includes(v.clientAuth as ClientAuthMethod)) return `"clientAuth" is not one of ${CLIENT_AUTH_METHODS.join(', ')}`
  const r = v.redirect
  if (r !== undefined) {
    if (!isObject(r)) return '"redirect" is not an object'
    if (r.host !== undefined && typeof r.host !== 'string') return '"redirect.host" is not a string'
    if (r.path !== undefined && typeof r.path !== 'string') return '"redirect.path" is not a string'
    if (r.port !== undefined && !(Number.isInteger(r.port) && (r.port as number) >= 0 && (r.port as number) < 65536)) return '"redirect.port" is not a port number'
  }
  return undefined
}

/**
 * A map read from a store file, keyed by profile name, without a prototype: a profile named
 * "constructor" or "toString" (a valid name) must find nothing when it has no entry, not
 * Object.prototype's member (`profiles show constructor` crashed: exit 70), and one named
 * "__proto__" is an entry like any other. JSON.parse makes "__proto__" an own property; so
 * does assigning it here, as the target has no prototype whose setter would take it.
 */
export function byName<T>(entries: Record<string, T> | undefined): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries)
}

export const checkConfig: ShapeCheck<ConfigFile> = (v) => {
  if (!isObject(v)) return { ok: false, reason: 'not a JSON object' }
  const bad = versionMismatch(v)
  if (bad) return bad
  if (!isObject(v.profiles)) return { ok: false, reason: '"profiles" is not an object' }
  for (const [name, s] of Object.entries(v.profiles)) {
    const p = settingsProblem(s)
    if (p) return { ok: false, reason: `profile "${name}" ${p}` }
  }
  return { ok: true, value: { ...(v as unknown as ConfigFile), profiles: byName(v.profiles as Record<string, ProfileSettings>) } }
}

export const checkSecrets: ShapeCheck<SecretsFile> = (v) => {
  if (!isObject(v)) return { ok: false, reason: 'not a JSON object' }
  const bad = versionMismatch(v)
  if (bad) return bad
  if (!isObject(v.clientSecrets) || !Object.values(v.clientSecrets).every((x) => typeof x === 'string')) {
    return { ok: false, reason: '"clientSecrets" is not an object of strings' }
  }
  if (v.registrations !== undefined) {
    if (!isObject(v.registrations)) return { ok: false, reason: '"registrations" is not an object' }
    for (const [name, r] of Object.entries(v.registrations)) {
      const p = registrationProblem(r)
      if (p) return { ok: false, reason: `registration of profile "${name}" ${p}` }
    }
  }
  const value = { ...(v as unknown as SecretsFile), clientSecrets: byName(v.clientSecrets as Record<string, string>) }
  if (v.registrations !== undefined) value.registrations = byName(v.registrations as Record<string, StoredRegistration>)
  return { ok: true, value }
}

export const emptyConfig = (): ConfigFile => ({ version: 1, profiles: byName({}) })
export const emptySecrets = (): SecretsFile => ({ version: 1, clientSecrets: byName({}) })

/** Splits settings into what config.json may hold and the literal secret (if any) for secrets.json. */
export function splitSecret(settings: ProfileSettings): { shareable: ProfileSettings; secret: string | undefined } {
  const { clientSecret, ...rest } = settings
  if (clientSecret === undefined || isSecretReference(clientSecret)) return { shareable: settings, secret: undefined }
  return { shareable: rest, secret: clientSecret }
}
