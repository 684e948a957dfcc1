/**
 * The device authorization grant (RFC 8628): ask for a user code, show where to enter it,
 * and poll the token endpoint. openid-client's poll loop honours `interval` (5 s when the
 * server gives none, §3.2) and adds 5 s on each `slow_down` (§3.5); `expired_token` and
 * `access_denied` end it as AuthServerErrors.
 * @module
 */
import * as client from 'openid-client'
import { NetworkError } from '../errors.js'
import { formatDuration } from '../core/duration.js'
import type { OAuthClient } from './client.js'
import { toTokenResult, tokenEndpointParams, type TokenResult } from './tokens.js'
import { toTokentoolError } from './errors.js'

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
    throw new NetworkError('the server has no device_authorization_endpoint (it does not support the device flow)', {
      hint: 'give --device-authorization-endpoint, or sign in with the browser flow',
    })
  }
  const params = tokenEndpointParams({ ...req, scope: req.scope })
  let started: client.DeviceAuthorizationResponse
  try {
    started = await client.initiateDeviceAuthorization(oc.config, params)
  } catch (err) {
    throw toTokentoolError(err, { what: 'device authorization', url: oc.metadata.device_authorization_endpoint })
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
    // resource/audience go to the token endpoint too: the token request is where they shape the token
    const res = await client.pollDeviceAuthorizationGrant(oc.config, started, tokenEndpointParams({ resources: req.resources }), { signal })
    return toTokenResult(res, oc.now())
  } catch (err) {
    if (signal.aborted) {
      const why = byTimeout ? `timed out after ${formatDuration(waitSec)}` : `the code expired after ${formatDuration(started.expires_in)}`
      throw new NetworkError(`${why} with nobody entering the code ${started.user_code}`, { hint: 'run again, or raise --timeout' })
    }
    throw toTokentoolError(err, { what: 'device flow', url: oc.metadata.token_endpoint })
  } finally {
    stop()
  }
}
