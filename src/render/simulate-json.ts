/**
 * The `--json` view of `tokentool simulate`: `tokens_issued`, `refreshes`, `session_end` and
 * every event, with times in seconds from login (the model has no wall clock) and `null` for
 * "never". Own fields in snake_case; the contract's camelCase names of 0.1 (`tokensIssued`,
 * `sessionEnd`, ...) follow as deprecated aliases until 0.3 (json-fields.ts).
 * @module
 */
import type { SimEvent } from '../core/simulate/engine.js'
import type { SimulationResult } from '../core/simulate/simulate.js'
import { snakeFields } from './json-fields.js'

const time = (t: number): number | null => (Number.isFinite(t) ? t : null)

export function simulationJson(result: SimulationResult): Record<string, unknown> {
  return snakeFields(simulationView(result)) as Record<string, unknown>
}

function simulationView(result: SimulationResult): Record<string, unknown> {
  const { policy: p, session } = result
  return {
    policy: {
      preset: p.preset?.name ?? null,
      absolute: p.absolute,
      sliding: p.sliding,
      accessTtl: p.accessTtl,
      refreshBefore: p.refreshBefore,
      active: p.active === null ? null : p.active.map((w) => ({ from: w.from, to: time(w.to) })),
      horizon: p.horizon,
      revokeAt: p.revokeAt,
      cae: p.cae,
      ordinaryAccessTtl: p.ordinaryAccessTtl,
      caeAccessTtl: p.longAccessTtl,
      caeLatency: p.caeLatency,
      introspectionCache: p.introspectionCache,
    },
    tokensIssued: session.tokensIssued,
    refreshes: session.refreshes,
    sessionEnd: session.sessionEnd,
    reauthRequiredAt: session.reauthRequiredAt,
    lastAccessToken: session.lastAccessToken,
    promise: p.preset ? { scenario: p.preset.scenario, tokenSets: p.preset.promisedTokenSets } : null,
    exposure: result.exposure,
    warnings: result.warnings,
    events: session.events.map(eventJson),
  }
}

function eventJson(e: SimEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    at: e.at,
    type: e.type,
    accessExpiresAt: time(e.accessExpiresAt),
    refreshExpiresAt: time(e.refreshExpiresAt),
  }
  if (e.refreshLimit !== undefined) out.refreshLimit = e.refreshLimit
  if (e.reason !== undefined) out.reason = e.reason
  return out
}
