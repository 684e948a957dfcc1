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
    return new AuthServerError(err.error, err.error_description, { cause: err, status: err.status })
  }
  if (err instanceof client.AuthorizationResponseError) {
    return new AuthServerError(err.error, err.error_description, { cause: err })
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const c = err.cause[0]
    const error = c?.parameters.error ?? `HTTP ${err.status}`
    return new AuthServerError(error, c?.parameters.error_description, { cause: err, status: err.status })
  }
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
