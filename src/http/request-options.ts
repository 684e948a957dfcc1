/**
 * Per-request options tokentool's fetch reads from `RequestInit` (symbol keys, so that they
 * pass through openid-client untouched), in a module of their own: a caller can set them
 * without loading undici.
 * @module
 */

/**
 * Which failures of a request may be retried:
 * - `idempotent`: connection refused or reset, and 429/503 with a short `Retry-After`
 *   (default for GET, HEAD, OPTIONS, PUT, DELETE: RFC 9110 §9.2.2);
 * - `unsent`: only failures where no byte of the request left this machine (connection
 *   refused), so the server cannot have seen it (default for POST and others: a refresh token
 *   or a device code is never sent twice);
 * - `never`: no retry at all (the authorization code exchange: a code is redeemed once).
 */
export type RetryPolicy = 'idempotent' | 'unsent' | 'never'
export const RETRY: unique symbol = Symbol.for('tokentool.retry')
/** `init[BODY_LIMIT] = bytes`: this request's response body limit instead of the default. */
export const BODY_LIMIT: unique symbol = Symbol.for('tokentool.bodyLimit')

export type TokentoolRequestInit = RequestInit & { [RETRY]?: RetryPolicy; [BODY_LIMIT]?: number }
