/**
 * Translates openid-client / oauth4webapi / fetch failures, once, into tokentool's typed
 * errors: an OAuth error response becomes AuthServerError (exit 4, with `error` and
 * `error_description`), everything that went wrong on the wire or in the response's shape
 * becomes NetworkError (exit 3). Our own TokentoolErrors pass through untouched.
 * @module
 */
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { AuthServerError, NetworkError, TokentoolError } from '../errors.js'
import { authHint, errorBodyOf, oauthErrorIn, type ErrorBodyInfo } from './error-body.js'
import { networkFailure } from '../http/net-errors.js'

/** What the user was doing, for the message: "token request to http://…/token". */
export interface ErrorContext {
  /** e.g. "token request", "discovery of https://id.example.com" */
  what?: string
  /** The URL a bare fetch failure refers to. */
  url?: string
}

/** A TokentoolError somewhere in the cause chain (our fetch wrapper throws NetworkErrors that openid-client wraps). */
function ownError(err: unknown): TokentoolError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (e instanceof TokentoolError) return e
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** Converts any error from the OAuth layer into a TokentoolError and throws it. */
export function translateOAuthError(err: unknown, ctx: ErrorContext = {}): never {
  throw toTokentoolError(err, ctx)
}

export function toTokentoolError(err: unknown, ctx: ErrorContext = {}): TokentoolError {
  const what = ctx.what ? `${ctx.what}: ` : ''
  const own = ownError(err)
  if (own) return own
  if (err instanceof client.ResponseBodyError) {
    return refusal(err.error, err.error_description, err, err.status, errorBodyOf(err.response))
  }
  if (err instanceof client.AuthorizationResponseError) {
    return new AuthServerError(err.error, err.error_description, { cause: err })
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    // a challenge with an `error` is the answer; else (`WWW-Authenticate: Basic realm=...` on a
    // 401, as LemonLDAP::NG sends) the OAuth error is in the body, whatever the header says
    const c = err.cause.find((x) => x.parameters.error) ?? err.cause[0]
    const info = errorBodyOf(err.response)
    if (c?.parameters.error) return refusal(c.parameters.error, c.parameters.error_description, err, err.status, info)
    return bodyRefusal(err, err.status, info, what)
  }
  // a 4xx from an authorization server's endpoint is the server saying no (exit 4), even
  // when it has no OAuth error body (glewlwyd answers many with none) or the wrong content-type
  const res = refusedResponse(err)
  if (res) return bodyRefusal(err, res.status, errorBodyOf(res), what)
  if (err instanceof client.ClientError) {
    return new NetworkError(`${what}${clientErrorMessage(err)}`, { cause: err })
  }
  if (err instanceof oauth.OperationProcessingError) {
    return new NetworkError(`${what}${processingMessage(err)}`, { cause: err })
  }
  if (err instanceof TypeError && err.message === 'fetch failed' && ctx.url) return networkFailure(err, { url: ctx.url })
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new NetworkError(`${what}timed out`, { cause: err })
  }
  if (err instanceof Error) return new NetworkError(`${what}${err.message}`, { cause: err })
  return new NetworkError(`${what}${String(err)}`)
}

/** A refusal with the hint its request's client authentication calls for. */
function refusal(error: string, description: string | undefined, cause: unknown, status: number | undefined, info: ErrorBodyInfo | undefined): AuthServerError {
  const hint = DPOP_HINTS.get(error) ?? authHint(error, status, info)
  return new AuthServerError(error, description, { cause, ...(status !== undefined ? { status } : {}), ...(hint ? { hint } : {}) })
}

/**
 * A 4xx answer without an OAuth error the library could read: the error from the body when it
 * is there after all (a JSON error sent as text/plain), else a refusal named by its status.
 */
function bodyRefusal(cause: unknown, status: number, info: ErrorBodyInfo | undefined, what: string): AuthServerError {
  const found = info ? oauthErrorIn(info.body) : undefined
  if (found) return refusal(found.error, found.error_description, cause, status, info)
  const detail = `${what}the server said no without an OAuth error (${info?.body.trim() ? 'its body is not one' : 'empty body'})`
  const hint = authHint(undefined, status, info)
  return new BodylessRefusal(status, detail, { cause, ...(hint ? { hint } : {}) })
}

/**
 * An AuthServerError without an OAuth error code: `error` is `HTTP <status>`. A refresh that
 * gets one of these (400/401) treats it as `invalid_grant` (user-session.ts).
 */
export class BodylessRefusal extends AuthServerError {
  constructor(status: number, description: string, opts: { cause?: unknown; hint?: string } = {}) {
    super(`HTTP ${status}`, description, { ...opts, status })
  }
}

/** The 4xx Response of "not JSON" / "unexpected status" failures, when that is what `err` is. */
function refusedResponse(err: unknown): Response | undefined {
  const code = (err as { code?: unknown }).code
  if (code !== 'OAUTH_RESPONSE_IS_NOT_JSON' && code !== 'OAUTH_RESPONSE_IS_NOT_CONFORM') return undefined
  if (!(err instanceof client.ClientError) && !(err instanceof oauth.OperationProcessingError)) return undefined
  const res = err.cause as Response | undefined
  return res && typeof res.status === 'number' && res.status >= 400 && res.status < 500 ? res : undefined
}

/** RFC 9449 errors at the token endpoint, in the words of what to do about them (a Map: the code is the server's). */
const DPOP_HINTS: ReadonlyMap<string, string> = new Map([
  // openid-client answers the first use_dpop_nonce itself; one that reaches us came after that retry
  ['use_dpop_nonce', 'the server asked for a DPoP nonce again after one retry with the nonce it gave; not retrying (check the server, and this machine\'s clock)'],
  ['invalid_dpop_proof', 'the server rejected the DPoP proof: check that it accepts the key\'s algorithm (tokentool discover shows dpop_signing_alg_values_supported) and this machine\'s clock'],
])

/** oauth4webapi's own wording, with the RFC 9207 mix-up case spelled out. */
function processingMessage(err: oauth.OperationProcessingError): string {
  const cause = err.cause as { expected?: unknown; parameters?: unknown } | undefined
  if (err.message.includes('"iss" (issuer) response parameter')) {
    const got = cause?.parameters instanceof URLSearchParams ? cause.parameters.get('iss') : undefined
    return `its "iss" (${got ?? '?'}) is not the issuer ${String(cause?.expected)}: the response may come from another server (RFC 9207 mix-up defence)`
  }
  if (err.message.includes('"iss" (issuer) missing')) {
    return 'it has no "iss" parameter although the server announces RFC 9207 support'
  }
  return err.message
}

/** A ClientError's message with the detail oauth4webapi put in its cause (which status, which claim). */
function clientErrorMessage(err: client.ClientError): string {
  const cause = err.cause
  switch (err.code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
      const res = cause as Response | undefined
      return `unexpected HTTP status ${res?.status ?? '?'} from the server`
    }
    case 'OAUTH_RESPONSE_IS_NOT_JSON': {
      const res = cause as Response | undefined
      return `the server did not answer with JSON (content-type ${res?.headers?.get('content-type') ?? 'none'})`
    }
    case 'OAUTH_TIMEOUT':
      return 'timed out'
    case 'OAUTH_INVALID_RESPONSE':
      if (cause instanceof Error && /signature verification failed/i.test(cause.message)) {
        return "the ID token's signature does not verify against the issuer's keys (jwks_uri)"
      }
      return `invalid response${cause instanceof Error ? ` (${cause.message})` : ''}`
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
      return 'only https is allowed for a non-loopback server'
    default: {
      const detail = cause instanceof Error && cause.message && cause.message !== err.message ? ` (${cause.message})` : ''
      return `${err.message}${detail}`
    }
  }
}
