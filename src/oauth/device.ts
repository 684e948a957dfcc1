/**
 * The device authorization grant (RFC 8628): ask for a user code, show where to enter it,
 * and poll the token endpoint every `interval` seconds (5 when the server gives none, §3.2),
 * 5 more after each `slow_down` (§3.5); `expired_token` and `access_denied` end it as
 * AuthServerErrors. The loop is ours (not openid-client's) so that `--timeout` and Ctrl-C
 * stop it at once rather than at its next 5-second tick.
 * @module
 */
import * as client from 'openid-client'
import { NetworkError, UsageError } from '../errors.js'
import { formatDuration } from '../core/duration.js'
import type { OAuthClient } from './client.js'
import { toTokenResult, tokenEndpointParams, type TokenResult } from './tokens.js'
import { dpopOptions } from './dpop.js'
import { toTokentoolError } from './errors.js'

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_INTERVAL = 5

/**
 * The server's `interval`, kept within 1 s and 5 min: a hostile or broken answer (0, a
 * fraction, 1e12 — past 2^31 ms a timer fires at once) must not turn polling into a tight loop.
 */
export function pollInterval(given: number | undefined): number {
  if (given === undefined || !Number.isFinite(given)) return DEFAULT_INTERVAL
  return Math.min(Math.max(given, 1), 300)
}

/**
 * After a failed poll: the interval for the next one, or undefined when polling must stop.
 * `authorization_pending` keeps it, `slow_down` adds 5 s (RFC 8628 §3.5); anything else ends.
 */
export function nextPollInterval(current: number, err: unknown): number | undefined {
  if (!(err instanceof client.ResponseBodyError)) return undefined
  if (err.error === 'authorization_pending') return current
  if (err.error === 'slow_down') return pollInterval(current + 5)
  return undefined
}

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, seconds * 1000)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export interface DeviceRequest {
  scope: string
  claims?: string | undefined
  resources?: readonly string[] | undefined
  audience?: string | undefined
  extra?: readonly (readonly [string, string])[] | undefined
}

export interface DeviceCode {
  userCode: string
  verificationUri: string
  verificationUriComplete?: string | undefined
  expiresIn: number
  /** Seconds between polls the server asked for; undefined means the RFC's default of 5. */
  interval?: number | undefined
}

export interface DeviceUI {
  /** Shows `Verify: URL` and the user code. */
  show(code: DeviceCode): void
  /** Starts the waiting indicator; returns its stopper. */
  waiting(timeoutSec: number): () => void
}

/** Runs the device flow; `timeoutSec` caps the wait below the code's own lifetime. */
export async function deviceLogin(oc: OAuthClient, req: DeviceRequest, timeoutSec: number, ui: DeviceUI): Promise<TokenResult> {
  if (!oc.metadata.device_authorization_endpoint) {
    throw new UsageError('the server has no device_authorization_endpoint (it does not support the device flow)', {
      hint: 'give --device-authorization-endpoint, or sign in with the browser flow',
    })
  }
  const params = tokenEndpointParams({ ...req, scope: req.scope })
  let started: client.DeviceAuthorizationResponse
  try {
    started = await client.initiateDeviceAuthorization(oc.config, params)
  } catch (err) {
    throw toTokentoolError(err, { what: `device authorization at ${oc.metadata.device_authorization_endpoint}`, url: oc.metadata.device_authorization_endpoint })
  }
  ui.show({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    verificationUriComplete: started.verification_uri_complete,
    expiresIn: started.expires_in,
    interval: started.interval,
  })
  // past the code's lifetime the server answers expired_token itself: give it a poll or two to say so
  const byTimeout = timeoutSec < started.expires_in
  const waitSec = byTimeout ? timeoutSec : started.expires_in + 2 * (started.interval ?? 5)
  const stop = ui.waiting(waitSec)
  const signal = AbortSignal.timeout(waitSec * 1000)
  try {
    // resources go to the token endpoint too: the token request is where they shape the token
    const params = tokenEndpointParams({ resources: req.resources })
    params.set('device_code', started.device_code)
    let interval = pollInterval(started.interval)
    for (;;) {
      await sleep(interval, signal)
      try {
        const res = await client.genericGrantRequest(oc.config, DEVICE_GRANT, params, dpopOptions(oc.dpop))
        return toTokenResult(res, oc.now())
      } catch (err) {
        const next = nextPollInterval(interval, err)
        if (next === undefined) throw err
        interval = next
      }
    }
  } catch (err) {
    if (signal.aborted) {
      const why = byTimeout ? `timed out after ${formatDuration(waitSec)}` : `the code expired after ${formatDuration(started.expires_in)}`
      throw new NetworkError(`${why} with nobody entering the code ${started.user_code}`, { hint: 'run again, or raise --timeout' })
    }
    throw toTokentoolError(err, { what: `device flow at ${oc.metadata.token_endpoint}`, url: oc.metadata.token_endpoint })
  } finally {
    stop()
  }
}
