/**
 * RFC 7662 token introspection, and its RFC 9701 JWT response: the "phantom token" pattern,
 * where a gateway trades the opaque token a client sent for a signed JWT of the token's
 * claims and forwards that to the API. With `jwt`, the request asks for
 * `application/token-introspection+jwt`, and the result keeps the JWT the gateway would
 * receive, whose signature openid-client checked against the issuer's JWKS.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9701
 * @module
 */
import * as client from 'openid-client'
import { AuthServerError, NetworkError, UsageError } from '../errors.js'
import type { OAuthClient } from './client.js'
import { toTokentoolError } from './errors.js'
import { withCapturedResponse } from './raw-response.js'

export const INTROSPECTION_JWT = 'application/token-introspection+jwt'

export type TokenTypeHint = 'access_token' | 'refresh_token'

export interface IntrospectRequest {
  token: string
  hint?: TokenTypeHint | undefined
  /** Ask for the RFC 9701 signed JWT response. */
  jwt?: boolean | undefined
}

export interface IntrospectResult {
  active: boolean
  /** The introspection response members (for a JWT response: its `token_introspection` claim). */
  claims: Record<string, unknown>
  /** The RFC 9701 response, when the server sent one. */
  jwt?: {
    /** The compact JWT as received: what a gateway would forward. */
    token: string
    /** Whether its signature was checked against the issuer's keys (`jwks_uri`). */
    signatureVerified: boolean
  }
  /** With `jwt` asked for, when the server answered with plain JSON anyway. */
  jwtRefused?: boolean
  endpoint: string
}

/** Asks the server about a token; an OAuth error is AuthServerError (exit 4). */
export async function introspectToken(oc: OAuthClient, req: IntrospectRequest): Promise<IntrospectResult> {
  const endpoint = endpointOf(oc, 'introspection_endpoint', 'introspection')
  const params: Record<string, string> = req.hint ? { token_type_hint: req.hint } : {}
  try {
    const { result, response } = await withCapturedResponse(
      oc.config,
      endpoint,
      () => client.tokenIntrospection(oc.config, req.token, params),
      // exactly the one type: glewlwyd negotiates JWT introspection only on this very value; a
      // server that cannot still answers JSON (RFC 9701 §4), which is reported as refused
      req.jwt ? { accept: INTROSPECTION_JWT } : {},
    )
    const claims = { ...result } as Record<string, unknown>
    const out: IntrospectResult = { active: result.active === true, claims, endpoint }
    if (response?.contentType === INTROSPECTION_JWT && response.body) {
      out.jwt = { token: response.body.trim(), signatureVerified: typeof oc.metadata.jwks_uri === 'string' }
    } else if (req.jwt) {
      out.jwtRefused = true
    }
    return out
  } catch (err) {
    throw explain(toTokentoolError(err, { what: `introspection at ${endpoint}`, url: endpoint }), oc)
  }
}

/** The endpoint from the metadata, or a usage error naming the flag that supplies it. */
export function endpointOf(oc: OAuthClient, field: 'introspection_endpoint' | 'revocation_endpoint' | 'userinfo_endpoint', what: string): string {
  const url = oc.metadata[field]
  if (typeof url === 'string') return url
  throw new UsageError(`${oc.metadata.issuer} does not offer ${what} (no ${field} in its metadata)`, {
    hint: `give it with --${field.replace(/_/g, '-')} URL if it exists`,
  })
}

/** oauth4webapi's aud comparison failure somewhere in the cause chain: what was expected and what came. */
function audienceMismatch(err: unknown): { expected: unknown; got: unknown } | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const c = (e as { cause?: { claim?: unknown; expected?: unknown; claims?: Record<string, unknown> } }).cause
    if (c && c.claim === 'aud' && c.claims) return { expected: c.expected, got: c.claims.aud }
    e = c
  }
  return undefined
}

/** Errors whose cause is worth a sentence more than the server gave. */
function explain(err: Error, oc: OAuthClient): Error {
  if (err instanceof AuthServerError && err.error === 'unsupported_token_type') {
    return new AuthServerError(err.error, err.errorDescription, {
      cause: err,
      status: err.status,
      hint:
        `this server introspects only its opaque (reference) tokens, not JWTs; check a JWT locally with: tokentool verify --issuer ${oc.metadata.issuer} <token>`,
    })
  }
  if (err instanceof AuthServerError && err.error === 'invalid_client') {
    return new AuthServerError(err.error, err.errorDescription, {
      cause: err,
      status: err.status,
      hint: 'introspection needs the client to authenticate: give --client-id and --client-secret of a client allowed to introspect',
    })
  }
  const aud = audienceMismatch(err)
  if (err instanceof NetworkError && aud) {
    // not tolerated: the aud says whom the signed answer is for (RFC 9701 §5: the client that asked)
    return new NetworkError(
      `introspection at ${endpointOf(oc, 'introspection_endpoint', 'introspection')}: the JWT response's aud is ${JSON.stringify(aud.got)}, not this client's id ${JSON.stringify(aud.expected)} as RFC 9701 §5 requires; it was not accepted`,
      { cause: err, hint: 'without --jwt the plain JSON answer has no such check' },
    )
  }
  if (err instanceof NetworkError && /token_introspection|token-introspection\+jwt|JWT/.test(err.message)) {
    return new NetworkError(`${err.message} (the JWT introspection response did not validate)`, { cause: err })
  }
  return err
}
