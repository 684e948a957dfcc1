/**
 * The decisions `tokentool call` makes about an API's answer, without doing anything: is
 * this a claims challenge to answer, what claims to ask the authorization server for, and
 * which exit code the final response means. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { CAE_CAPABILITY, mergeClientCapabilities, type ClaimsRequest } from './claims.js'
import { decodeCaeChallenges, type DecodedChallenge } from './decode.js'

/** What a response's `WWW-Authenticate` asks for. */
export type ChallengeVerdict =
  /** A `401` with a Bearer `insufficient_claims` (or ARM's `invalid_token`) challenge carrying a claims request: answer it. */
  | { kind: 'claims'; challenge: DecodedChallenge; claims: ClaimsRequest }
  /** A `401` Bearer `insufficient_user_authentication` (RFC 9470 step-up): sign in again with these, once. */
  | { kind: 'step_up'; challenge: DecodedChallenge; acrValues?: string; maxAge?: number }
  /** Any other challenge (or a 401 whose header cannot be read): show it, do not retry. */
  | { kind: 'other'; challenge: DecodedChallenge | null; problem?: string }
  /** Not a refusal: nothing to decode. */
  | { kind: 'none' }

const isBearer = (c: DecodedChallenge) => c.scheme.toLowerCase() === 'bearer'

/**
 * Reads the response's challenge. Only a `401` is answered (RFC 6750 §3.1 and the CAE
 * documentation put `insufficient_claims` there); a `403` with a challenge is shown too.
 * An unreadable header is reported, never fatal: the response itself is what the user asked for.
 */
export function judgeChallenge(status: number, wwwAuthenticate: string | null | undefined): ChallengeVerdict {
  if (status !== 401 && status !== 403) return { kind: 'none' }
  if (!wwwAuthenticate || wwwAuthenticate.trim() === '') return { kind: 'other', challenge: null }
  let challenges: DecodedChallenge[]
  try {
    challenges = decodeCaeChallenges(wwwAuthenticate).challenges
  } catch (e) {
    if (!(e instanceof InputError)) throw e
    // the claims value may be the broken part: show the rest of the header still
    return { kind: 'other', challenge: null, problem: e.message }
  }
  const bearer = challenges.filter(isBearer)
  // CAE sends insufficient_claims; Azure Resource Manager sends invalid_token with the claims
  const claimsChallenge = bearer.find((c) => (c.params.error === 'insufficient_claims' || c.params.error === 'invalid_token') && c.claims !== null)
  if (status === 401 && claimsChallenge) return { kind: 'claims', challenge: claimsChallenge, claims: claimsChallenge.claims! }
  const stepUp = bearer.find((c) => c.params.error === 'insufficient_user_authentication')
  if (status === 401 && stepUp) {
    const v: ChallengeVerdict = { kind: 'step_up', challenge: stepUp }
    if (stepUp.params.acr_values) v.acrValues = stepUp.params.acr_values
    // RFC 9470 §3: max_age is a non-negative integer of seconds; anything else is not asked for
    const maxAge = stepUp.params.max_age
    if (maxAge !== undefined && /^\d{1,9}$/.test(maxAge.trim())) v.maxAge = Number(maxAge.trim())
    return v
  }
  return { kind: 'other', challenge: bearer.find((c) => c.params.error !== undefined) ?? bearer[0] ?? challenges[0] ?? null }
}

/**
 * The claims request to send to the authorization server when answering `claims`: the
 * challenge's request as given, with the `cp1` capability merged in when the client announces
 * CAE (`--cae`), as compact JSON.
 * @example claimsForChallenge({access_token:{nbf:{essential:true,value:'1700000000'}}}, {cae:true})
 * // '{"access_token":{"nbf":{"essential":true,"value":"1700000000"},"xms_cc":{"values":["cp1"]}}}'
 */
export function claimsForChallenge(claims: ClaimsRequest, opts: { cae?: boolean | undefined } = {}): string {
  return JSON.stringify(opts.cae ? mergeClientCapabilities(claims, [CAE_CAPABILITY]) : claims)
}

/**
 * The exit code of the final response, from the contract: 0 for 2xx (and an unfollowed 3xx,
 * as curl), 1 when the API refuses (4xx: 401/403 mean the token is not good enough for it),
 * 3 for 5xx (the server failed).
 */
export function exitCodeForStatus(status: number): 0 | 1 | 3 {
  if (status >= 500) return 3
  if (status >= 400) return 1
  return 0
}
