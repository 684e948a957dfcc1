/**
 * The stable cause codes of `explain` and their confidence levels: below both the ranking
 * (causes.ts) and the server-message shapes (messages.ts), which name causes by code. Pure.
 * @module
 */
/** The stable cause codes of the contract (`--json`). */
export const CAUSE_CODES = [
  'expired',
  'not_yet_valid',
  'clock_skew',
  'wrong_audience',
  'wrong_issuer',
  'insufficient_scope',
  'claims_challenge',
  'step_up_required',
  'dpop_nonce_required',
  'dpop_proof_invalid',
  'scheme_mismatch',
  'signature_invalid',
  'unknown_key',
  'unverifiable_by_design',
  'wrong_token_kind',
  'opaque_token',
  'revoked',
  'token_missing',
  'malformed_token',
  'header_too_large',
  'ip_policy',
  'invalid_token',
] as const
export type CauseCode = (typeof CAUSE_CODES)[number]

export type Confidence = 'certain' | 'likely' | 'possible'
