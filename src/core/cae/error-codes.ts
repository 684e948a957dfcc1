/**
 * What the `error` of a Bearer / DPoP challenge means (RFC 6750 §3.1, RFC 9449 §7.1, CAE).
 * Pure.
 * @module
 */

// a Map: the code is the server's, and "constructor" must find nothing
const MEANINGS: ReadonlyMap<string, string> = new Map([
  ['insufficient_claims', 'the token is not enough for the resource any more (Continuous Access Evaluation): get a new token with the claims request of the challenge, then retry'],
  ['invalid_token', 'the token is expired, revoked, malformed or not meant for this resource: get a new one'],
  ['insufficient_scope', 'the token lacks a scope the resource needs (see the scope parameter): ask for it when getting a token'],
  ['invalid_request', 'the request is malformed: a missing or repeated token, or an unsupported parameter'],
  ['use_dpop_nonce', 'the resource wants a DPoP proof carrying the nonce it sent in the DPoP-Nonce header: retry with it'],
  ['invalid_dpop_proof', 'the DPoP proof was rejected (wrong htu/htm, stale iat, reused jti or bad signature)'],
  ['interaction_required', 'the user must interact (sign in, consent or MFA): a refresh cannot answer it, a login can'],
])

/** A sentence for a known error code, undefined for others. */
export function explainErrorCode(code: string): string | undefined {
  return MEANINGS.get(code)
}
