/**
 * git's credential-helper protocol, without I/O: the request git writes on the helper's stdin
 * (`key=value` lines up to a blank line), the answer tokentool writes back, and which profile
 * answers for a host. Pure.
 * @see https://git-scm.com/docs/git-credential#IOFMT
 * @module
 */
import { InputError } from '../errors.js'

export const GIT_CREDENTIAL_ACTIONS = ['get', 'store', 'erase'] as const
export type GitCredentialAction = (typeof GIT_CREDENTIAL_ACTIONS)[number]

export interface GitCredentialRequest {
  protocol?: string
  /** As git sends it: the host name, with `:port` when the URL has one. */
  host?: string
  path?: string
  username?: string
  password?: string
  /** Every attribute, the repeated ones (`wwwauth[]`) as lists; for what is not named above. */
  attributes: Record<string, string | string[]>
}

/**
 * Reads git's request. Lines are `key=value` and end at a blank line or the end of input; a
 * key ending in `[]` repeats (an empty value clears the list, as git does). A line without `=`
 * or holding NUL is not git talking: an InputError.
 */
export function parseGitCredentialRequest(text: string): GitCredentialRequest {
  const attributes: Record<string, string | string[]> = {}
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (line === '') break
    const eq = line.indexOf('=')
    if (eq <= 0 || line.includes('\0')) throw new InputError('git-credential: the request on stdin is not git\'s key=value lines', { hint: 'git writes it; try: printf "protocol=https\\nhost=example.com\\n\\n" | tokentool git-credential get' })
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (key.endsWith('[]')) {
      const list = Array.isArray(attributes[key]) ? (attributes[key] as string[]) : []
      attributes[key] = value === '' ? [] : [...list, value]
    } else {
      attributes[key] = value
    }
  }
  const one = (k: string) => (typeof attributes[k] === 'string' ? (attributes[k] as string) : undefined)
  const r: GitCredentialRequest = { attributes }
  for (const k of ['protocol', 'host', 'path', 'username', 'password'] as const) {
    const v = one(k)
    if (v !== undefined) r[k] = v
  }
  return r
}

/** `host` or `host:port` in the form git sends (lower-case host; IPv6 in brackets). */
export function normalizeGitHost(host: string): string {
  return host.trim().toLowerCase()
}

/** The `host[:port]` of an issuer URL, as git would name that server. */
export function issuerGitHost(issuer: string): string | undefined {
  try {
    return normalizeGitHost(new URL(issuer).host)
  } catch {
    return undefined
  }
}

export interface ProfileHosts {
  profile: string
  issuer?: string | undefined
  /** Hosts saved with `git-credential configure --host`. */
  gitHosts?: readonly string[] | undefined
}

/**
 * The profiles that answer for `host`: those that saved it as a git host; when none did, those
 * whose issuer is on that host (a forge that is its own authorization server).
 */
export function profilesForHost(host: string, profiles: readonly ProfileHosts[]): string[] {
  const h = normalizeGitHost(host)
  const saved = profiles.filter((p) => (p.gitHosts ?? []).some((g) => normalizeGitHost(g) === h)).map((p) => p.profile)
  if (saved.length) return saved
  return profiles.filter((p) => p.issuer !== undefined && issuerGitHost(p.issuer) === h).map((p) => p.profile)
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/

/** A token goes over https, or plain http only to this machine (a test server, a local forge). */
export function safeToSend(protocol: string | undefined, host: string): boolean {
  if (protocol === 'https') return true
  return protocol === 'http' && LOOPBACK.test(normalizeGitHost(host))
}

/**
 * The answer: `username`, `password` (the access token) and, when known, `password_expiry_utc`
 * (git ≥ 2.41 then never uses it past its expiry; older git ignores the attribute). A value
 * with a newline or NUL would break the protocol: the caller refuses such a token.
 */
export function formatGitCredential(a: { username: string; password: string; expiresAt?: number | undefined }): string {
  for (const v of [a.username, a.password]) {
    if (/[\n\r\0]/.test(v)) throw new InputError('git-credential: the token or username holds a line break or NUL, which git\'s protocol cannot carry')
  }
  return `username=${a.username}\npassword=${a.password}\n${a.expiresAt !== undefined ? `password_expiry_utc=${a.expiresAt}\n` : ''}`
}
