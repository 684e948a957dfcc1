/**
 * `cae decode` in one call: pasted text → every challenge with its params, the decoded
 * claims request, what it asks in words and the commands that answer it. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { answerCommands, type AnswerCommands } from './answer.js'
import { decodeClaimsValue, explainClaims, type ClaimsRequest } from './claims.js'
import { explainErrorCode } from './error-codes.js'
import { parsePastedChallenges } from './paste.js'
import type { AuthParam } from './www-authenticate.js'

/** The CAE result codes Entra ID resources name in error_description, in words. */
// a Map: the code is the server's, and "constructor" must find nothing
const CAE_CODES: ReadonlyMap<string, string> = new Map([
  ['TokenIssuedBeforeRevocationTimestamp', 'the token was issued before the user\'s sessions were revoked (or the password reset, or the account disabled)'],
  ['TokenCreatedWithOutdatedPolicies', 'Conditional Access policies changed after the token was issued'],
  ['LocationConditionEvaluationSatisfied', 'the client is now outside the allowed locations (IP policy)'],
  ['InteractionRequired', 'the user must sign in again'],
])

/** Bearer parameter names: as a scheme they mean a pasted `name value` lost its "=". */
const LOOKS_LIKE_PARAM = new Set(['realm', 'error', 'error_description', 'error_uri', 'scope', 'claims', 'authorization_uri', 'resource', 'algs'])

export interface DecodedChallenge {
  /** As written. */
  scheme: string
  /** Parameter names lower-cased (they are case-insensitive); the first of a repeated name wins. */
  params: Record<string, string>
  token68: string | null
  /** The decoded `claims` parameter, or null when there is none (or it is broken). */
  claims: ClaimsRequest | null
  /** Why a `claims` parameter present could not be decoded (also among the warnings), or null. */
  claimsError: string | null
  /** Sentences: what `error` means, then what the claims request asks. */
  explanation: string[]
  /** The commands that answer a claims request, or null without one. */
  commands: AnswerCommands | null
  /** Where it starts in the input ("column 1", "line 2, column 1"). */
  at: string
  /** Oddities that did not stop the parse (a repeated parameter). */
  warnings: string[]
  /** The parameters in order, names as written (for the human view). */
  paramList: AuthParam[]
}

export interface CaeDecodeResult {
  challenges: DecodedChallenge[]
  /** The `DPoP-Nonce` header of a pasted response (what a `use_dpop_nonce` challenge wants in the proof), when there is one. */
  dpopNonce?: string
}

/**
 * Decodes pasted `WWW-Authenticate` text, tolerantly: departures from RFC 9110 and a `claims`
 * value that is not base64 JSON are warnings on their challenge. Throws InputError (exit 2)
 * only when no challenge can be read at all.
 */
export function decodeCaeChallenges(text: string, opts: { profile?: string } = {}): CaeDecodeResult {
  const parsed = parsePastedChallenges(text)
  const challenges = parsed.map((c, i): DecodedChallenge => {
    const params: Record<string, string> = {}
    const warnings: string[] = [...c.warnings]
    for (const p of c.params) {
      const key = p.name.toLowerCase()
      if (key in params) warnings.push(`parameter "${key}" appears more than once; the first value is shown in params`)
      else params[key] = p.value
    }
    const name = `challenge ${i + 1} (${c.scheme})`
    if (LOOKS_LIKE_PARAM.has(c.scheme.toLowerCase())) {
      warnings.push(`"${c.scheme}" reads as a challenge of its own because no "=" follows it: was "${c.scheme}=..." meant?`)
    }
    let claims: ClaimsRequest | null = null
    let claimsProblem: string | null = null
    const claimsIndex = c.params.findIndex((p) => p.name.toLowerCase() === 'claims')
    if (claimsIndex >= 0) {
      try {
        claims = decodeClaimsValue(c.params[claimsIndex]!.value, `the claims parameter of ${name}`)
      } catch (e) {
        if (!(e instanceof InputError)) throw e
        // a warning on that parameter: the rest of the challenge (and the next ones) still count
        claimsProblem = `${e.message} (the parameter is at ${c.paramAt[claimsIndex]})`
        warnings.push(claimsProblem)
      }
    }
    const explanation: string[] = []
    const err = params.error
    if (err !== undefined) {
      const meaning = explainErrorCode(err)
      explanation.push(meaning ? `error ${err}: ${meaning}.` : `error ${err}: not an error code tokentool knows.`)
    }
    // what the server said in words (some send errorDescription): "User session has been revoked"
    const said = params.error_description ?? params.errordescription
    if (said) {
      const code = /\bcode: (\w+)/.exec(said)?.[1]
      const why = code ? CAE_CODES.get(code) : undefined
      explanation.push(`The server says: ${said.length > 300 ? said.slice(0, 300) + '…' : said}${why ? ` (${code}: ${why})` : ''}`)
    }
    if (err === 'invalid_token' && claimsIndex >= 0) explanation.push('invalid_token with a claims parameter is the Azure Resource Manager form of a claims challenge: answer it like insufficient_claims.')
    if (claims) explanation.push(...explainClaims(claims))
    if (claimsProblem) explanation.push('The claims parameter cannot be decoded, so no claims request can be answered from this challenge.')
    return {
      scheme: c.scheme,
      params,
      token68: c.token68 ?? null,
      claims,
      claimsError: claimsProblem,
      explanation,
      commands: claims ? answerCommands(claims, opts) : null,
      at: c.at,
      warnings,
      paramList: c.params,
    }
  })
  const nonce = /^(?:< ?)?dpop-nonce\s*:\s*(\S+)\s*$/im.exec(text)?.[1]
  return nonce ? { challenges, dpopNonce: nonce } : { challenges }
}
