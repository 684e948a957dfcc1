/**
 * `tokentool call`: one request to an API with a bearer token, and the CAE answer to a claims
 * challenge: on a `401` with `insufficient_claims`, obtain a token with that claims request
 * (through the token source: refresh first, sign-in when refresh cannot) and retry exactly
 * once; on an RFC 9470 step-up challenge (`insufficient_user_authentication`), sign in again
 * with its `acr_values`/`max_age` and retry exactly once. A second challenge is reported, never
 * answered: a loop would hammer both servers.
 * @module
 */
import { claimsForChallenge, judgeChallenge, type ChallengeVerdict } from '../core/cae/call-decision.js'
import type { ClaimsRequest } from '../core/cae/claims.js'
import type { DecodedChallenge } from '../core/cae/decode.js'
import { BODY_LIMIT, type TokentoolRequestInit } from '../http/request-options.js'
import { dpopNonceToRetry, asksForDpopNonce } from '../core/dpop/challenge.js'

export interface ApiRequest {
  url: URL
  method: string
  /** The user's headers (`-H`), in order; never the Authorization header (the token source's). */
  headers: readonly (readonly [string, string])[]
  body?: Uint8Array | undefined
}

export interface ApiResponse {
  status: number
  statusText: string
  /** As received, in order (`set-cookie` one entry per cookie). */
  headers: [string, string][]
  body: Uint8Array
}

/** A bearer token and where it came from. */
export interface CallToken {
  accessToken: string
  tokenType: string
  /** `stored` (the profile's cache), `refresh` or `login`. */
  source: 'stored' | 'refresh' | 'login'
}

/** Where `call` gets tokens: the profile (oauth/call-token.ts), or a fake in tests. */
export interface TokenSource {
  /** The token to send first. */
  current(): Promise<CallToken>
  /** A token obtained with `claims` (JSON text), for the challenge `challenge`. */
  answer(claims: string, challenge: DecodedChallenge, request: ClaimsRequest): Promise<CallToken>
  /** A token from a new sign-in meeting an RFC 9470 step-up challenge; absent: not answered. */
  stepUp?(request: StepUpRequest, challenge: DecodedChallenge): Promise<CallToken>
}

/** What an RFC 9470 challenge asks the new sign-in for. */
export interface StepUpRequest {
  acrValues?: string
  /** Seconds. */
  maxAge?: number
}

/**
 * Signs DPoP proofs for the API request (RFC 9449 §7): with one, a DPoP-bound token (or every
 * token, `always`) is sent as `Authorization: DPoP <token>` with a fresh proof.
 */
export interface DpopSigner {
  proof(method: string, url: URL, accessToken: string, nonce: string | undefined): Promise<string>
  /** `--dpop`: send every token with the DPoP scheme (else only those whose token_type is DPoP). */
  always: boolean
}

export interface CallSteps {
  /** The API sent a claims challenge; a new token is being obtained. */
  challenged?(challenge: DecodedChallenge, claims: string): void
  /** The API asked for a step-up sign-in (RFC 9470); one is being made. */
  steppingUp?(challenge: DecodedChallenge, request: StepUpRequest): void
  /** A new token came back; the request is sent again. */
  retrying?(token: CallToken): void
  /** The API asked for a DPoP nonce; the request is sent again with it. */
  nonceRetry?(nonce: string): void
}

export interface CallResult {
  request: { method: string; url: string }
  response: ApiResponse
  /** Whether the request was sent a second time after a claims challenge. */
  retried: boolean
  /** The claims challenge that was answered, the claims request sent, and how the token was obtained. */
  answered: { challenge: DecodedChallenge; claims: string; via: CallToken['source'] } | null
  /** The step-up challenge that was answered by a new sign-in, and what it asked for. */
  steppedUp?: { challenge: DecodedChallenge; request: StepUpRequest; via: CallToken['source'] }
  /** The token the final request carried (for `--explain`; never shown). */
  sentToken: CallToken
  /** The final response's challenge (a refusal after the retry, or any other 401/403). */
  verdict: ChallengeVerdict
  /** How the token was sent: `Bearer` or `DPoP` (with a proof). */
  scheme: 'Bearer' | 'DPoP'
  /** Whether the API asked for a DPoP nonce again after the one retry with its nonce. */
  nonceLoop: boolean
}

const usesDpop = (t: CallToken, signer: DpopSigner | undefined): boolean => !!signer && (signer.always || t.tokenType.toLowerCase() === 'dpop')

/** The largest API response `call` reads (it holds the body in memory to show it). */
export const CALL_BODY_LIMIT = 32 * 1024 * 1024

async function send(fetchImpl: typeof globalThis.fetch, req: ApiRequest, token: CallToken, dpop?: { signer: DpopSigner; nonce: string | undefined }): Promise<ApiResponse> {
  const headers = new Headers()
  for (const [k, v] of req.headers) headers.append(k, v)
  if (dpop) {
    headers.set('authorization', `DPoP ${token.accessToken}`)
    // a fresh proof for every request: its jti is single-use (RFC 9449 §11.1)
    headers.set('dpop', await dpop.signer.proof(req.method, req.url, token.accessToken, dpop.nonce))
  } else {
    headers.set('authorization', `Bearer ${token.accessToken}`)
  }
  const init: TokentoolRequestInit = {
    method: req.method,
    headers,
    // like curl without -L: a redirect is the answer (and a bearer token must not follow it elsewhere)
    redirect: 'manual',
    // an API's answer may be larger than an authorization server's (4 MiB), but it is buffered
    [BODY_LIMIT]: CALL_BODY_LIMIT,
    ...(req.body !== undefined ? { body: req.body } : {}),
  }
  const res = await fetchImpl(req.url, init)
  const body = new Uint8Array(await res.arrayBuffer())
  const list: [string, string][] = []
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') list.push([name, value])
  })
  for (const c of res.headers.getSetCookie?.() ?? []) list.push(['set-cookie', c])
  return { status: res.status, statusText: res.statusText, headers: list, body }
}

function header(res: ApiResponse, name: string): string | null {
  const values = res.headers.filter(([k]) => k === name).map(([, v]) => v)
  return values.length ? values.join(', ') : null
}

/**
 * Sends `req` with the source's token; answers one claims challenge by obtaining a token
 * with its claims request and sending `req` once more. Network failures throw (exit 3).
 */
export async function callApi(
  req: ApiRequest,
  fetchImpl: typeof globalThis.fetch,
  tokens: TokenSource,
  opts: { cae?: boolean | undefined; steps?: CallSteps; dpop?: DpopSigner | undefined } = {},
): Promise<CallResult> {
  let nonce: string | undefined
  let nonceRetried = false
  let nonceLoop = false
  let scheme: CallResult['scheme'] = 'Bearer'
  /** One request, and, when the API asks for a DPoP nonce, once more with it (once per call). */
  const exchange = async (token: CallToken): Promise<ApiResponse> => {
    const dpop = usesDpop(token, opts.dpop) ? opts.dpop : undefined
    scheme = dpop ? 'DPoP' : 'Bearer'
    let res = await send(fetchImpl, req, token, dpop ? { signer: dpop, nonce } : undefined)
    if (!dpop) return res
    const given = dpopNonceToRetry(res.status, header(res, 'www-authenticate'), header(res, 'dpop-nonce'))
    if (given !== undefined && !nonceRetried) {
      nonceRetried = true
      nonce = given
      opts.steps?.nonceRetry?.(given)
      res = await send(fetchImpl, req, token, { signer: dpop, nonce })
    }
    // the API also hands out a fresh nonce on success (§8.2): the next request uses it
    const next = header(res, 'dpop-nonce')?.trim()
    if (next) nonce = next
    nonceLoop = nonceRetried && asksForDpopNonce(res.status, header(res, 'www-authenticate'))
    return res
  }
  const firstToken = await tokens.current()
  const first = await exchange(firstToken)
  const verdict = judgeChallenge(first.status, header(first, 'www-authenticate'))
  const request = { method: req.method, url: req.url.href }
  /** The one retry, with the token that answers the challenge. */
  const again = async (token: CallToken, how: Pick<CallResult, 'answered' | 'steppedUp'>): Promise<CallResult> => {
    opts.steps?.retrying?.(token)
    const second = await exchange(token)
    return { request, response: second, retried: true, ...how, sentToken: token, verdict: judgeChallenge(second.status, header(second, 'www-authenticate')), scheme, nonceLoop }
  }
  if (verdict.kind === 'step_up' && tokens.stepUp) {
    const ask: StepUpRequest = {}
    if (verdict.acrValues !== undefined) ask.acrValues = verdict.acrValues
    if (verdict.maxAge !== undefined) ask.maxAge = verdict.maxAge
    opts.steps?.steppingUp?.(verdict.challenge, ask)
    const token = await tokens.stepUp(ask, verdict.challenge)
    return again(token, { answered: null, steppedUp: { challenge: verdict.challenge, request: ask, via: token.source } })
  }
  if (verdict.kind !== 'claims') return { request, response: first, retried: false, answered: null, verdict, scheme, nonceLoop, sentToken: firstToken }

  const claims = claimsForChallenge(verdict.claims, { cae: opts.cae })
  opts.steps?.challenged?.(verdict.challenge, claims)
  const token = await tokens.answer(claims, verdict.challenge, verdict.claims)
  return again(token, { answered: { challenge: verdict.challenge, claims, via: token.source } })
}
