/**
 * `tokentool status`: per profile, whether a token can be had without a person and what the
 * profile holds; `--json` as `{ "ready", "profiles": [...] }`.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { ProfileStatus } from '../core/profile-status.js'
import { printable } from '../core/printable.js'
import { relative } from '../core/time.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { snakeFields } from './json-fields.js'

const VIA: Record<string, string> = {
  cache: 'the cached access token',
  refresh: 'a refresh',
  client_credentials: 'the client credentials grant',
  jwt_bearer: 'the jwt-bearer grant',
}

export function renderStatus(io: Pick<IOStreams, 'out' | 'color'>, items: ProfileStatus[], opts: { json: boolean }): void {
  // expiries as unix seconds in expires_at; the 0.1 ISO text stays under the deprecated expiresAt
  if (opts.json) return writeJson(io, snakeFields({ ready: items.every((p) => p.ready), profiles: items }, { isoTimes: ['expiresAt'] }))
  const s = styleFor(io)
  const lines: string[] = []
  for (const p of items) {
    const head = `${s.bold(printable(p.profile))}  ${p.issuer ? printable(p.issuer) : '(no issuer)'}${p.clientId ? ` · client ${printable(p.clientId)}` : ''}`
    lines.push(head)
    const at = p.accessToken
    lines.push(`  access token   ${at ? (at.secondsLeft === null ? 'stored, no expiry known' : at.secondsLeft > 0 ? `expires ${relative(at.secondsLeft)} (${at.expiresAt})` : `expired ${relative(at.secondsLeft)}`) : 'none'}`)
    const rt = p.refreshToken
    lines.push(`  refresh token  ${rt.present ? (rt.expired ? `expired (${rt.expiresAt})` : rt.expiresAt ? `stored, until ${rt.expiresAt}` : 'stored') : 'none'}`)
    lines.push(`  client creds   ${p.clientCredentials ? 'yes (machine grant possible)' : 'none'}`)
    if (p.ready) lines.push(`  ${s.green('✓')} a token can be had without signing in: ${VIA[p.via!]}`)
    else lines.push(`  ${s.red('✗')} sign-in needed: ${printable(p.problem ?? 'no way to get a token')}${p.fix ? ` — run: ${p.fix}` : ''}`)
    lines.push('')
  }
  io.out.write(lines.join('\n'))
}
