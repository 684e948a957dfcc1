/**
 * A resource server's request for a DPoP nonce (RFC 9449 §9): a `401` whose
 * `WWW-Authenticate` has a `DPoP` challenge with `error="use_dpop_nonce"`, and the nonce in
 * the `DPoP-Nonce` header. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { decodeCaeChallenges } from '../cae/decode.js'

/** Whether the challenge asks for a nonce (whatever the status and header say of the nonce itself). */
export function asksForDpopNonce(status: number, wwwAuthenticate: string | null | undefined): boolean {
  if (status !== 401 || !wwwAuthenticate) return false
  try {
    return decodeCaeChallenges(wwwAuthenticate).challenges.some((c) => c.scheme.toLowerCase() === 'dpop' && c.params.error === 'use_dpop_nonce')
  } catch (e) {
    if (e instanceof InputError) return /\bDPoP\b[^]*\berror\s*=\s*"?use_dpop_nonce\b/i.test(wwwAuthenticate)
    throw e
  }
}

/** The nonce to retry with, or undefined when the response does not ask for one (or gives none). */
export function dpopNonceToRetry(status: number, wwwAuthenticate: string | null | undefined, dpopNonce: string | null | undefined): string | undefined {
  if (!asksForDpopNonce(status, wwwAuthenticate)) return undefined
  const nonce = dpopNonce?.trim()
  // RFC 9449 §8.1: nonce = 1*NQCHAR (printable ASCII but `"` and `\`)
  return nonce && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce) ? nonce : undefined
}
