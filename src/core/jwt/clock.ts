/**
 * Clock comparison: this machine's clock against a server's `Date` header. A difference
 * larger than the leeway is the commonest cause of "token used before issued" errors. Pure.
 * @module
 */
import { formatDuration } from '../duration.js'

/**
 * A warning when `local` and `server` differ by more than `leewaySec`, else undefined.
 * @example clockSkewWarning(serverDate, new Date(), 60, 'issuer') // "this machine's clock is 7m behind the issuer's ..."
 */
export function clockSkewWarning(server: Date, local: Date, leewaySec: number, who: string): string | undefined {
  const diff = Math.round((server.getTime() - local.getTime()) / 1000)
  if (Math.abs(diff) <= leewaySec) return undefined
  const how = diff > 0 ? 'behind' : 'ahead of'
  // A Date header has whole seconds: beyond two minutes, whole minutes say it better ("7m", not "6m59s").
  const abs = Math.abs(diff) >= 120 ? Math.round(Math.abs(diff) / 60) * 60 : Math.abs(diff)
  return (
    `this machine's clock is ${formatDuration(abs)} ${how} the ${who}'s (server Date ${server.toISOString()}, ` +
    `local ${local.toISOString()}), more than the ${formatDuration(leewaySec)} leeway: expect nbf/iat/exp errors until the clocks agree`
  )
}
