/**
 * `tokentool simulate`: the timeline of a session under a refresh-token expiry policy
 * (absolute and sliding limits, access token lifetime, activity), with an optional
 * revocation report. Flags → core/simulate → render.
 * @module
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { simulate } from '../../core/simulate/simulate.js'
import type { SimulateFlags } from '../../core/simulate/policy.js'
import { simulationJson } from '../../render/simulate-json.js'
import { renderSimulation } from '../../render/simulate-table.js'
import { writeJson } from '../../render/json.js'
import { styleFor } from '../../render/style.js'
import type { Deps } from '../deps.js'

interface SimulateOptions extends SimulateFlags {
  all?: boolean
  width?: string
}

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('simulate')
    .description('timeline of a session under a refresh-token expiry policy (absolute/sliding limits, access token lifetime, activity)')
    .option('--preset <name>', 'a policy from the table: e-government (4h/1h), enterprise (8h/1h), consumer (1mo/1h); flags override it')
    .option('--absolute <dur>', 'hard limit on the refresh token from login ("none" drops a preset\'s)')
    .option('--sliding <dur>', 'each refresh extends the refresh token to now + this, never past absolute ("none" drops it)')
    .option('--access-ttl <dur>', 'access token lifetime (default 1h)')
    .option('--refresh-before <dur>', 'refresh this long before the access token expires (default 1m)')
    .option('--active <windows>', 'when the client is active, durations from login, half-open: 0-3h,5h-9h (open end: 5h-); default always')
    .option('--horizon <dur>', 'how far to simulate (default: the absolute limit plus a day, or 30d)')
    .option('--revoke-at <dur>', 'a revocation (user disabled, token stolen): compare how long access goes on with JWT, reference, CAE and long-lived tokens')
    .option('--introspection-cache <dur>', 'with --revoke-at: how long a resource server caches an introspection answer (default 0)')
    .option('--cae [lifetime]', 'the session\'s access tokens are CAE-extended: lifetime up to 28h (default 28h)')
    .option('--cae-latency <dur>', 'with --revoke-at: how soon a CAE resource enforces the revocation (default 15m)')
    .option('--all', 'list every event (long tables elide the middle)')
    .option('--width <cols>', 'chart width in columns (default: the terminal width)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool simulate --preset e-government\n' +
        '  $ tokentool simulate --preset enterprise --active 0-3h,5h-9h\n' +
        '  $ tokentool simulate --absolute 8h --sliding 2h --revoke-at 2h30m --introspection-cache 5m --json\n' +
        '\nDurations: 90s, 45m, 8h, 5d, 2w, 1mo (30 days), 1y, combined 1h30m; a bare number is seconds.\n' +
        'All times are from login. Exit 2 on a bad duration, window or preset.\n',
    )
    .action((opts: SimulateOptions) => {
      const width = opts.width === undefined ? deps.io.columns : parseWidth(opts.width)
      const result = simulate(opts)
      for (const w of result.warnings) deps.io.err.write(`tokentool: warning: ${w}\n`)
      if (deps.global.json) return writeJson(deps.io, simulationJson(result))
      deps.io.out.write(renderSimulation(result, { width, style: styleFor(deps.io), all: Boolean(opts.all) }))
    })
}

function parseWidth(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 40 || n > 1000) throw new UsageError(`--width: "${text}" must be a whole number of columns from 40 to 1000`)
  return n
}
