/**
 * What a refusal from an authorization server needs besides the library's error: the body of
 * every 4xx answer (read once when it arrives, since oauth4webapi stops at a `WWW-Authenticate`
 * header or a content-type it does not expect, and never reads the body then), and how the
 * request authenticated the client, for the hint that names the flag to try.
 * Real servers do this: LemonLDAP::NG answers `{"error":"invalid_client"}` to a 401 carrying
 * `WWW-Authenticate: Basic`; glewlwyd answers many 400/401/403 with no body at all.
 * @module
 */
import { printable } from '../core/printable.js'

/** How the client authenticated: the methods `--client-auth` offers, and a ready-made assertion. */
export type AuthMethodName = 'basic' | 'post' | 'private_key_jwt' | 'client_assertion' | 'none'

/** How the client authenticated, as the request was made. */
export interface AuthTag {
  method: AuthMethodName
  /** private_key_jwt: the `--client-assertion-audience` choice (`issuer`, `token-endpoint`, a URL). */
  audience?: string | undefined
}

export interface ErrorBodyInfo {
  /** The body as received (at most BODY_KEPT characters). */
  body: string
  /** The request's client authentication, when tokentool chose it. */
  auth?: AuthTag | undefined
}

const BODY_KEPT = 64 * 1024
const kept = new WeakMap<object, ErrorBodyInfo>()

/** Tags a client authentication function with how it authenticates, read back by authTagOf. */
export function tagAuth<T extends object>(fn: T, tag: AuthTag): T {
  Object.defineProperty(fn, 'authTag', { value: tag })
  return fn
}

export function authTagOf(fn: unknown): AuthTag | undefined {
  return (fn as { authTag?: AuthTag } | undefined)?.authTag
}

/**
 * Keeps the body of a 4xx response for the error translation (the response itself stays
 * unread for the library). Returns what it saw that a server should not send, for `-v`.
 */
export async function keepErrorBody(res: Response, auth: AuthTag | undefined): Promise<string | undefined> {
  if (res.status < 400 || res.status > 499) return undefined
  let body = ''
  try {
    body = (await res.clone().text()).slice(0, BODY_KEPT)
  } catch {
    // an unreadable body is the same as none
  }
  kept.set(res, { body, auth })
  const type = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  const challenge = res.headers.get('www-authenticate')
  if (!body.trim()) return `* HTTP ${res.status} with an empty body: no OAuth error code to show`
  const found = oauthErrorIn(body)
  // header text is the server's: through the terminal-safety escape like everything it sends
  if (found && type !== 'application/json') return `* the OAuth error came as ${type ? printable(type) : 'no content-type'}, not application/json; read as JSON anyway`
  if (found && challenge && !/^\s*(bearer|dpop)\b/i.test(challenge)) return `* the OAuth error came with WWW-Authenticate: ${printable(challenge.trim().split(/\s/)[0] ?? '')}; the error in the body is what counts`
  if (!found) return `* HTTP ${res.status} whose body is not an OAuth error response`
  return undefined
}

export function errorBodyOf(res: unknown): ErrorBodyInfo | undefined {
  return res && typeof res === 'object' ? kept.get(res) : undefined
}

/** The `{"error": ..., "error_description": ...}` in `body`, when it is one. */
export function oauthErrorIn(body: string): { error: string; error_description?: string } | undefined {
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined
  const { error, error_description: d } = v as Record<string, unknown>
  if (typeof error !== 'string' || !error) return undefined
  return typeof d === 'string' ? { error, error_description: d } : { error }
}

/**
 * The hint for a refusal of the client's credentials: the flag to try for the method used.
 * `error` undefined: a refusal without an OAuth error (only its status says what it was).
 */
export function authHint(error: string | undefined, status: number | undefined, info: ErrorBodyInfo | undefined): string | undefined {
  // without an OAuth error only the status says it: glewlwyd refuses a client with an empty 403
  const clientRefused = error === 'invalid_client' || error === 'unauthorized_client' || (error === undefined && (status === 401 || status === 403))
  if (!clientRefused) return undefined
  switch (info?.auth?.method) {
    case 'basic':
      return 'the server refused the client credentials sent with HTTP Basic; if the id and secret are right, try --client-auth post (some servers decode Basic credentials differently)'
    case 'private_key_jwt':
      return info.auth.audience === 'issuer' || info.auth.audience === undefined
        ? "if the client's key is registered, the server may want the assertion's aud to be its token endpoint: try --client-assertion-audience token-endpoint"
        : `the assertion's aud was ${info.auth.audience === 'token-endpoint' ? 'the token endpoint' : info.auth.audience}; if the client's key is registered, try --client-assertion-audience issuer`
    default:
      return undefined
  }
}
