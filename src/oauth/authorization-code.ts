/**
 * The authorization code flow with PKCE (S256) through a loopback redirect (RFC 8252): build
 * the authorization URL, hand it to the user (and the browser), wait for the one callback
 * whose state matches (or a pasted redirect URL), and redeem the code. State, nonce, PKCE,
 * RFC 9207 `iss` and the ID token are checked by openid-client.
 * @module
 */
import { registerSecret } from '../core/secret-values.js'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { AuthServerError, NetworkError, UsageError } from '../errors.js'
import { formatDuration } from '../core/duration.js'
import type { OAuthClient } from './client.js'
import { dpopOptions } from './dpop.js'
import { toTokentoolError } from './errors.js'
import { withRetryPolicy } from './retry-policy.js'
import { failPage, listenForCallback, okPage, type Listener, type Page, type PendingCallback, type RedirectHost } from './loopback.js'
import { tokenEndpointParams, type TokenResult, toTokenResult } from './tokens.js'

/** What shapes the authorization request (flags of `login`). */
export interface AuthRequest {
  scope: string
  prompt?: string | undefined
  loginHint?: string | undefined
  acrValues?: string | undefined
  /** Seconds (`max_age`). */
  maxAge?: number | undefined
  /** A claims request as JSON text (OIDC Core §5.5). */
  claims?: string | undefined
  resources?: readonly string[] | undefined
  audience?: string | undefined
  /** `--param k=v`, sent as given (last word over the defaults above). */
  extra?: readonly (readonly [string, string])[] | undefined
  /** RFC 9126 pushed authorization request: true, false, or undefined = when the server requires it. */
  par?: boolean | undefined
  /** RFC 9101: sign the request as a request object with this key (`--jar`). */
  jarKey?: client.PrivateKey | undefined
  /** RFC 9396 `authorization_details` (JSON text). */
  authorizationDetails?: string | undefined
}

/** Whether the request is pushed: `--par`, else what discovery says the server requires. */
export function usePar(req: Pick<AuthRequest, 'par'>, metadata: client.ServerMetadata): boolean {
  const required = metadata.require_pushed_authorization_requests === true
  if (req.par === true || required) {
    if (!metadata.pushed_authorization_request_endpoint) {
      throw new UsageError(
        required ? 'the server requires pushed authorization requests but names no pushed_authorization_request_endpoint' : '--par: the server has no pushed_authorization_request_endpoint (RFC 9126)',
        { hint: required ? 'the server\'s discovery document contradicts itself; ask its operators' : 'drop --par: this server takes the parameters in the authorization URL' },
      )
    }
    return true
  }
  return false
}

/**
 * The URL the browser opens: the parameters as they are; signed into a request object (JAR);
 * pushed to the PAR endpoint (then only `client_id` and `request_uri` remain); or both.
 */
async function authorizationUrl(oc: OAuthClient, req: AuthRequest, params: URLSearchParams): Promise<URL> {
  const par = usePar(req, oc.metadata)
  try {
    let sent = params
    if (req.jarKey) {
      const signed = await client.buildAuthorizationUrlWithJAR(oc.config, params, req.jarKey)
      if (!par) return signed
      sent = signed.searchParams
    }
    if (par) return await client.buildAuthorizationUrlWithPAR(oc.config, sent, dpopOptions(oc.dpop))
    return client.buildAuthorizationUrl(oc.config, params)
  } catch (err) {
    const at = oc.metadata.pushed_authorization_request_endpoint
    throw toTokentoolError(err, { what: par ? `pushed authorization request at ${at}` : 'signing the request object', ...(par && at ? { url: at } : {}) })
  }
}

export interface RequestSecrets {
  redirectUri: string
  state: string
  nonce?: string | undefined
  codeChallenge: string
  /** RFC 9449 §10: the DPoP key's thumbprint, binding the authorization code to it. */
  dpopJkt?: string | undefined
}

/** Whether the flow expects an ID token: an OpenID request. */
export const isOpenId = (scope: string) => scope.split(/\s+/).includes('openid')

/**
 * The authorization request's parameters. Pure.
 * `prompt=consent` goes with `offline_access` unless a prompt was given: OIDC Core §11 has
 * servers ignore `offline_access` otherwise (oidc-provider does), so no refresh token comes back.
 */
export function authorizationParams(req: AuthRequest, s: RequestSecrets): URLSearchParams {
  const p = new URLSearchParams({
    response_type: 'code',
    redirect_uri: s.redirectUri,
    scope: req.scope,
    state: s.state,
    code_challenge: s.codeChallenge,
    code_challenge_method: 'S256',
  })
  if (s.nonce) p.set('nonce', s.nonce)
  if (s.dpopJkt) p.set('dpop_jkt', s.dpopJkt)
  const prompt = req.prompt ?? (req.scope.split(/\s+/).includes('offline_access') ? 'consent' : undefined)
  if (prompt) p.set('prompt', prompt)
  if (req.loginHint) p.set('login_hint', req.loginHint)
  if (req.acrValues) p.set('acr_values', req.acrValues)
  if (req.maxAge !== undefined) p.set('max_age', String(req.maxAge))
  if (req.claims) p.set('claims', req.claims)
  if (req.authorizationDetails) p.set('authorization_details', req.authorizationDetails)
  for (const r of req.resources ?? []) p.append('resource', r)
  if (req.audience) p.set('audience', req.audience)
  const overridden = new Set<string>()
  for (const [k, v] of req.extra ?? []) {
    // a --param replaces a default of the same name; repeated --param k=… adds values
    if (!overridden.has(k)) p.delete(k)
    overridden.add(k)
    p.append(k, v)
  }
  return p
}

/** How the flow talks to the person at the terminal; the command supplies it. */
export interface LoginUI {
  /** Shows the authorization URL (`Open: URL` on stderr). */
  showUrl(url: URL): void
  /** Opens the browser (unless --no-open); reports failure itself. */
  openBrowser(url: URL): Promise<void>
  /** Starts the "waiting" indicator; returns its stopper. */
  waiting(redirectUri: URL, timeoutSec: number): () => void
  /** A request to the listener was refused (wrong state…): the flow goes on. */
  refused(status: number, page: Page): void
  /** Lines the user pastes (the final redirect URL), when stdin may carry them. */
  pasted?: AsyncIterable<string> | undefined
}

export interface ListenSpec {
  host: RedirectHost
  port: number
  path: string
  timeoutSec: number
}

export interface LoginResult extends TokenResult {
  redirectUri: string
}

/** Runs the whole browser login and returns the validated token response. */
export async function authorizationCodeLogin(
  oc: OAuthClient,
  req: AuthRequest,
  listen: ListenSpec,
  ui: LoginUI,
): Promise<LoginResult> {
  if (!oc.metadata.authorization_endpoint) {
    throw new UsageError('the server has no authorization_endpoint', { hint: 'give --authorization-endpoint, or use --device' })
  }
  const state = client.randomState()
  const openid = isOpenId(req.scope)
  const nonce = openid ? client.randomNonce() : undefined
  const verifier = client.randomPKCECodeVerifier()
  const codeChallenge = await client.calculatePKCECodeChallenge(verifier)
  registerSecret(verifier)

  const listener = await listenForCallback({ ...listen, state, onRejected: (status, page) => ui.refused(status, page) })
  let stopWaiting = () => {}
  let pending: PendingCallback | undefined
  try {
    const redirectUri = listener.redirectUri.href
    const dpopJkt = oc.dpop ? await oc.dpop.calculateThumbprint() : undefined
    const url = await authorizationUrl(oc, req, authorizationParams(req, { redirectUri, state, nonce, codeChallenge, dpopJkt }))
    ui.showUrl(url)
    await ui.openBrowser(url)
    stopWaiting = ui.waiting(listener.redirectUri, listen.timeoutSec)
    pending = await waitForCallback(listener, listen.timeoutSec, ui.pasted, (status, page) => ui.refused(status, page))
    stopWaiting()
    const cb = pending.callback
    // the code came by the browser, not by our fetch: known by value before anything can quote it
    registerSecret(cb.url.searchParams.get('code'))
    if (cb.kind === 'malformed') throw new NetworkError(`bad redirect to ${redirectUri}: ${cb.reason}`)
    const callbackUrl = new URL(cb.url.search, listener.redirectUri)
    // state and RFC 9207 `iss` (also on error responses, §2.4) first, so that a failure names
    // the redirect rather than the token request; openid-client checks them again below
    try {
      oauth.validateAuthResponse(oc.metadata, { client_id: oc.config.clientMetadata().client_id }, callbackUrl.searchParams, state)
    } catch (err) {
      throw toTokentoolError(err, { what: 'the redirect from the server' })
    }
    let tokens
    try {
      // a code is redeemed once: the HTTP layer must never send this request again
      tokens = await withRetryPolicy(oc.config, oc.metadata.token_endpoint, 'never', () =>
        client.authorizationCodeGrant(
          oc.config,
          callbackUrl,
          {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
            idTokenExpected: openid,
            maxAge: req.maxAge,
          },
          tokenEndpointParams({ resources: req.resources }),
          dpopOptions(oc.dpop),
        ),
      )
    } catch (err) {
      throw toTokentoolError(err, { what: `code exchange at ${oc.metadata.token_endpoint}`, url: oc.metadata.token_endpoint })
    }
    const result = { ...toTokenResult(tokens, oc.now()), redirectUri }
    pending.reply(okPage('tokentool has your tokens.'))
    return result
  } catch (err) {
    pending?.reply(failurePage(err))
    throw err
  } finally {
    stopWaiting()
    await listener.close()
  }
}

function failurePage(err: unknown): Page {
  if (err instanceof AuthServerError) return failPage('Sign-in refused', err.message)
  return failPage('Sign-in failed', err instanceof Error ? err.message : String(err))
}

/** The first accepted callback, from the listener or from a pasted URL; a timeout otherwise. */
async function waitForCallback(
  listener: Listener,
  timeoutSec: number,
  pasted: AsyncIterable<string> | undefined,
  onRefused: (status: number, page: Page) => void,
): Promise<PendingCallback> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NetworkError(`timed out after ${formatDuration(timeoutSec)} waiting for the sign-in to come back to ${listener.redirectUri.href}`, { hint: 'run again, or raise --timeout' })),
      timeoutSec * 1000,
    )
  })
  if (pasted) void readPasted(listener, pasted, onRefused)
  try {
    return await Promise.race([listener.next, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Offers each pasted line that reads as a URL to the listener, until one is accepted. */
async function readPasted(listener: Listener, lines: AsyncIterable<string>, onRefused: (status: number, page: Page) => void): Promise<void> {
  try {
    for await (const line of lines) {
      const text = line.trim()
      if (!text) continue
      let url: URL
      try {
        url = new URL(text)
      } catch {
        continue
      }
      const j = listener.offer(url)
      if (j.accept) return
      onRefused(j.status, j.page)
    }
  } catch {
    // stdin closed or unreadable: the listener still waits
  }
}
