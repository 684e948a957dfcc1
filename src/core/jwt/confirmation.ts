/**
 * The confirmation (`cnf`, RFC 7800) a JWT access token carries: what it is bound to, a DPoP key
 * (`jkt`, RFC 9449) or a client certificate (`x5t#S256`, RFC 8705). For the commands that present
 * a token and must know how (`userinfo`'s DPoP, `call`'s certificate hint).
 * @module
 */
import { decodeJwt } from './split.js'

/** The token's `cnf` object; undefined for an opaque token, a JWE, or a JWT without one. */
export function confirmationOf(token: string): Record<string, unknown> | undefined {
  try {
    const parts = decodeJwt(token)
    const cnf = 'payload' in parts ? (parts.payload as { cnf?: unknown }).cnf : undefined
    return cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) ? (cnf as Record<string, unknown>) : undefined
  } catch {
    return undefined // not a readable JWT: it says nothing about its binding
  }
}
