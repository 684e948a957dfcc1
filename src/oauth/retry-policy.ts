/**
 * Declares, for the requests one openid-client call makes to one endpoint, which failures the
 * HTTP layer may retry (see `RETRY` in http/fetch.ts). openid-client builds its requests
 * itself; this wraps the configuration's fetch for the length of the call.
 * @module
 */
import * as client from 'openid-client'
import { RETRY, type RetryPolicy } from '../http/request-options.js'

/**
 * Runs `fn` with requests to `endpoint` carrying `policy`; the configuration is restored
 * afterwards.
 *
 * @example
 * // an authorization code is redeemed once: never sent again, whatever happens
 * await withRetryPolicy(oc.config, oc.metadata.token_endpoint, 'never', () => client.authorizationCodeGrant(...))
 */
export async function withRetryPolicy<T>(config: client.Configuration, endpoint: string | undefined, policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  const inner = config[client.customFetch]
  if (!inner || endpoint === undefined) return fn()
  const target = new URL(endpoint)
  config[client.customFetch] = (url, init) => {
    const u = new URL(String(url))
    const mine = u.origin === target.origin && u.pathname === target.pathname
    return inner(url, mine ? ({ ...init, [RETRY]: policy } as typeof init) : init)
  }
  try {
    return await fn()
  } finally {
    config[client.customFetch] = inner
  }
}
