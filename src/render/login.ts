/**
 * Views of a login or refresh result: the human summary (token kinds, expiries, scopes; the
 * refresh token is only said to be stored, never shown) and the `--json` document of the
 * contract.
 * @module
 */
import { printable } from '../core/printable.js'
import type { IOStreams } from '../io-streams.js'
import { decodeJwt } from '../core/jwt/split.js'
import { describeAuthorizationDetails } from '../core/rar.js'
import { isoFromSeconds, relative } from '../core/time.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'

export interface LoginView {
  /** "Signed in" / "Refreshed". */
  action: string
  profile: string
  issuer: string
  tokenType: string
  accessToken: string
  expiresAt?: number | undefined
  scope?: string | undefined
  idToken?: string | undefined
  idTokenClaims?: Record<string, unknown> | undefined
  refreshTokenStored: boolean
  /** Refresh only: whether the server rotated the refresh token. */
  rotated?: boolean | undefined
  /** Where the tokens were stored, for the human view. */
  storedIn?: string | undefined
  /** RFC 9396: the authorization details granted, when the token response had them. */
  authorizationDetails?: unknown[] | undefined
}

/** The `--json` document: `{ token_type, access_token, expires_at, scope, id_token, refresh_token_stored, id_token_claims }`. */
export function loginJson(v: LoginView): Record<string, unknown> {
  return {
    token_type: v.tokenType,
    access_token: v.accessToken,
    expires_at: v.expiresAt ?? null,
    scope: v.scope ?? null,
    id_token: v.idToken ?? null,
    refresh_token_stored: v.refreshTokenStored,
    ...(v.rotated !== undefined ? { refresh_token_rotated: v.rotated } : {}),
    id_token_claims: v.idTokenClaims ?? null,
    ...(v.authorizationDetails !== undefined ? { authorization_details: v.authorizationDetails } : {}),
  }
}

/** "JWT (at+jwt, RS256)" or "opaque". */
export function tokenShape(token: string): string {
  try {
    const parts = decodeJwt(token)
    if (parts.format === 'jwe') return 'encrypted JWT (JWE)'
    const typ = typeof parts.header.typ === 'string' ? `${parts.header.typ}, ` : ''
    return `JWT (${typ}${String(parts.header.alg)})`
  } catch {
    return 'opaque'
  }
}

function expiry(at: number | undefined, now: Date): string {
  if (at === undefined) return 'no expiry given'
  const delta = at - Math.floor(now.getTime() / 1000)
  const iso = isoFromSeconds(at)
  if (iso === undefined) return `expiry ${at} is not a time`
  return `${delta > 0 ? 'expires' : 'expired'} ${relative(delta)} (${iso})`
}

export function renderLogin(io: IOStreams, v: LoginView, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, loginJson(v))
  const s = styleFor(io)
  const rows: [string, string][] = [
    ['access token', `${tokenShape(v.accessToken)}, ${printable(v.tokenType)}, ${expiry(v.expiresAt, opts.now)}`],
  ]
  if (v.idToken) {
    const c = v.idTokenClaims ?? {}
    const who = typeof c.sub === 'string' ? `, sub ${printable(c.sub)}` : ''
    rows.push(['ID token', `${tokenShape(v.idToken)}, ${expiry(typeof c.exp === 'number' ? c.exp : undefined, opts.now)}${who}`])
  }
  const rt = v.refreshTokenStored ? (v.rotated ? 'rotated by the server; the new one is stored' : 'stored') : 'none (add offline_access to --scope for one)'
  rows.push(['refresh token', rt])
  rows.push(['scope', v.scope !== undefined ? printable(v.scope) : '(not stated by the server)'])
  // RFC 9396 §7: what the server granted, one detail per line (as decode lists them)
  const details = describeAuthorizationDetails(v.authorizationDetails)
  details?.forEach((d, i) => rows.push([i === 0 ? 'authorization' : '', printable(d)]))
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = [`${s.green('✓')} ${v.action} at ${printable(v.issuer)} (profile ${s.bold(v.profile)})`]
  for (const [k, val] of rows) lines.push(`  ${s.dim(k.padEnd(width))}  ${val}`)
  if (v.storedIn) lines.push(`  ${s.dim('stored in'.padEnd(width))}  ${v.storedIn}`)
  io.out.write(lines.join('\n') + '\n')
}
