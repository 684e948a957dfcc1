/**
 * `tokentool logout`: what was revoked where, what was removed, and the warnings (no revocation
 * endpoint, server unreachable, a revocation refused). `--json`: the view as is.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import { printable } from '../core/printable.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { snakeFields } from './json-fields.js'

export interface LogoutView {
  profile: string
  /** The revocation endpoint used; null when none was (none offered, unreachable, nothing to revoke). */
  endpoint: string | null
  revoked: { refreshToken: boolean; accessTokens: number }
  /** `tokens` with --keep-config, else `profile` (settings, secret and tokens). */
  removed: 'tokens' | 'profile'
  warnings: string[]
}

export function renderLogout(io: Pick<IOStreams, 'out' | 'err' | 'color'>, v: LogoutView, opts: { json: boolean }): void {
  for (const w of v.warnings) io.err.write(`tokentool: warning: ${printable(w)}\n`)
  if (opts.json) return writeJson(io, snakeFields(v))
  const s = styleFor(io)
  const lines: string[] = []
  if (v.endpoint) {
    const what = [v.revoked.refreshToken ? 'the refresh token' : '', v.revoked.accessTokens ? `${v.revoked.accessTokens} access token${v.revoked.accessTokens === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ')
    if (what) lines.push(`${s.green('✓')} revoked ${what} at ${printable(v.endpoint)}`)
  }
  lines.push(`${s.green('✓')} ${v.removed === 'profile' ? `removed profile "${printable(v.profile)}" (settings and tokens)` : `removed the tokens of profile "${printable(v.profile)}" (settings kept)`}`)
  io.out.write(lines.join('\n') + '\n')
}
