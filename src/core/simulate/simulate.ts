/**
 * `tokentool simulate` in one call: flags → policy → session (and, with `--revoke-at`, the
 * sessions the revocation report compares). Pure.
 * @module
 */
import { simulateSession, type Session, type SessionParams } from './engine.js'
import { compareExposure, type Exposure } from './exposure.js'
import { activityOf, resolvePolicy, type Policy, type SimulateFlags } from './policy.js'

export interface SimulationResult {
  policy: Policy
  warnings: string[]
  session: Session
  exposure: Exposure | null
}

export function sessionParams(policy: Policy, accessTtl = policy.accessTtl): SessionParams {
  return {
    absolute: policy.absolute,
    sliding: policy.sliding,
    accessTtl,
    refreshBefore: policy.refreshBefore,
    active: activityOf(policy),
    horizon: policy.horizon,
    revokeAt: policy.revokeAt,
  }
}

/** Resolves the flags and runs the simulation. Throws UsageError on bad flags. */
export function simulate(flags: SimulateFlags): SimulationResult {
  const { policy, warnings } = resolvePolicy(flags)
  return simulatePolicy(policy, warnings)
}

export function simulatePolicy(policy: Policy, warnings: string[] = []): SimulationResult {
  const session = simulateSession(sessionParams(policy))
  let exposure: Exposure | null = null
  if (policy.revokeAt !== null) {
    // the report compares ordinary and long-lived tokens: the session has one kind, run the other
    const other = simulateSession(sessionParams(policy, policy.cae ? policy.ordinaryAccessTtl : policy.longAccessTtl))
    const ordinary = { session: policy.cae ? other : session, accessTtl: policy.ordinaryAccessTtl }
    const long = { session: policy.cae ? session : other, accessTtl: policy.longAccessTtl }
    exposure = compareExposure({
      revokeAt: policy.revokeAt,
      ordinary,
      long,
      introspectionCache: policy.introspectionCache,
      caeLatency: policy.caeLatency,
    })
  }
  return { policy, warnings, session, exposure }
}
