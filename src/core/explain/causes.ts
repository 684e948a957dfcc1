/**
 * `explain`: why did the API say no? From what a person has when a call fails (the response,
 * the token that was sent, optionally a signature check and the resource's metadata), the
 * causes ranked most likely first, each with the evidence that points to it (which header,
 * which claim, which time) and the tokentool command that fixes it. Pure: every input,
 * including "now", is given.
 * @module
 */
import { shellQuote } from '../cae/answer.js'
import { decodeCaeChallenges, type DecodedChallenge } from '../cae/decode.js'
import { listClaimAsks } from '../cae/claims.js'
import { decodeToken, opaqueToken, type DecodedToken } from '../jwt/decode.js'
import { tokenScopes } from '../jwt/verify-checks.js'
import { formatDuration } from '../duration.js'
import { InputError } from '../../errors.js'
import { matchMessages, serverTexts, type MessageMatch } from './messages.js'
import { headerValue, type ResponseFacts } from './response.js'

export { CAUSE_CODES, type CauseCode, type Confidence } from './cause-codes.js'
import type { CauseCode, Confidence } from './cause-codes.js'

export interface Cause {
  code: CauseCode
  confidence: Confidence
  /** One sentence: what is wrong. */
  summary: string
  /** What points to it: which header, which claim, which time. */
  evidence: string[]
  /** The tokentool command (or the action) that fixes it; null when nothing on the client can. */
  fix: string | null
}

/** A signature/claims check done by the caller (verify's checks), when a key source was given. */
export interface VerificationFacts {
  keySource: string
  checks: { name: string; ok: boolean; detail: string; skipped?: true }[]
}

/** The protected resource metadata (RFC 9728), when it was fetched. */
export interface ResourceMetadataFacts {
  url: string
  document: Record<string, unknown> | null
  /** Why it could not be had. */
  problem?: string
}

export interface ExplainInput {
  response: ResponseFacts | null
  /** The token that was sent, as text; null when none was given nor stored. */
  token: string | null
  /** Where the token came from, for the evidence lines. */
  tokenFrom?: 'argument' | 'profile' | null
  /** The local clock, or --now. */
  now: Date
  nowSource: 'local' | '--now'
  /** Leeway for time comparisons, seconds. */
  leeway?: number
  /** What the API expects (--aud, --scope). */
  audience?: readonly string[]
  scopes?: readonly string[]
  /** The request URL (--url, or call's URL). */
  url?: string
  /** The profile, named in the fix commands when it is not the default one. */
  profile?: string
  verification?: VerificationFacts | null
  /** The scheme the request used, when tokentool sent it (`call --explain`). */
  sentScheme?: 'Bearer' | 'DPoP'

  resourceMetadata?: ResourceMetadataFacts | null
}

export interface TokenSummary {
  kind: string
  label: string
  format: 'jws' | 'jwe' | 'opaque' | 'malformed'
  bytes: number
  /** Claims worth seeing (never the token itself). */
  claims: Record<string, unknown>
  /** true/false after a signature check, null without one. */
  verified: boolean | null
}

export interface ExplainResult {
  status: number | null
  challenges: { scheme: string; params: Record<string, string>; claims: Record<string, unknown> | null; warnings: string[] }[]
  causes: Cause[]
  token: TokenSummary | null
  response: { form: ResponseFacts['form'] | null; date: string | null; dpopNonce: string | null }
  clock: { now: string; source: 'local' | '--now'; serverDate: string | null; skewSeconds: number | null }
  /** What could not be read (a broken challenge, a Date that is not a date, metadata not fetched). */
  warnings: string[]
}

const RANK: Record<Confidence, number> = { certain: 0, likely: 1, possible: 2 }
/** Among equals, the cause a user should act on first. */
const ORDER: readonly CauseCode[] = [
  'token_missing',
  'malformed_token',
  'header_too_large',
  'ip_policy',
  'step_up_required',
  'claims_challenge',
  'dpop_nonce_required',
  'dpop_proof_invalid',
  'scheme_mismatch',
  'clock_skew',
  'not_yet_valid',
  'expired',
  'revoked',
  'wrong_token_kind',
  'opaque_token',
  'unverifiable_by_design',
  'wrong_audience',
  'wrong_issuer',
  'unknown_key',
  'signature_invalid',
  'insufficient_scope',
  'invalid_token',
]

const GRAPH_AUDIENCES = new Set(['00000003-0000-0000-c000-000000000000', 'https://graph.microsoft.com', 'https://graph.microsoft.com/'])
const HEADER_BUDGET = 8192

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z')
const quoteList = (vs: readonly string[]) => vs.map((v) => `"${v}"`).join(', ')
const cut = (s: string, n = 300) => (s.length > n ? s.slice(0, n) + '…' : s)

/** A relative time in words: "3h ago", "in 7m". */
function ago(deltaSec: number): string {
  if (deltaSec === 0) return 'now'
  const text = formatDuration(Math.abs(deltaSec)).match(/\d+[a-z]+/g)?.slice(0, 2).join('') ?? `${Math.abs(deltaSec)}s`
  return deltaSec < 0 ? `${text} ago` : `in ${text}`
}

class Causes {
  private readonly list: Cause[] = []
  add(code: CauseCode, confidence: Confidence, summary: string, evidence: string[], fix: string | null): void {
    const had = this.list.find((c) => c.code === code)
    if (had) {
      // one entry per code: the strongest confidence, every piece of evidence
      if (RANK[confidence] < RANK[had.confidence]) Object.assign(had, { confidence, summary, fix: fix ?? had.fix })
      for (const e of evidence) if (!had.evidence.includes(e)) had.evidence.push(e)
      return
    }
    this.list.push({ code, confidence, summary, evidence: [...evidence], fix })
  }
  has(code: CauseCode): boolean {
    return this.list.some((c) => c.code === code)
  }
  get(code: CauseCode): Cause | undefined {
    return this.list.find((c) => c.code === code)
  }
  remove(code: CauseCode): void {
    const i = this.list.findIndex((c) => c.code === code)
    if (i >= 0) this.list.splice(i, 1)
  }
  ranked(): Cause[] {
    return [...this.list].sort((a, b) => RANK[a.confidence] - RANK[b.confidence] || ORDER.indexOf(a.code) - ORDER.indexOf(b.code))
  }
}

/**
 * The ranked causes. Throws InputError (exit 2) only when there is nothing to explain at all:
 * neither a response nor a token.
 */
export function explain(input: ExplainInput): ExplainResult {
  if (!input.response && input.token === null) {
    throw new InputError('nothing to explain: give the response (--response FILE or -) and/or the token that was sent')
  }
  const leeway = input.leeway ?? 60
  const p = input.profile && input.profile !== 'default' ? ` --profile ${shellQuote(input.profile)}` : ''
  const warnings: string[] = []
  const causes = new Causes()
  const res = input.response

  // ---- the response: status, Date, challenges, DPoP-Nonce, body texts ----
  const status = res?.status ?? null
  const dateText = res ? headerValue(res, 'date') : null
  let serverDate: Date | null = null
  if (dateText) {
    const t = Date.parse(dateText)
    if (Number.isFinite(t)) serverDate = new Date(t)
    else warnings.push(`the Date header ${JSON.stringify(cut(dateText, 80))} is not an HTTP date; times are judged by the ${input.nowSource === '--now' ? '--now' : 'local'} clock`)
  }
  const nowSec = Math.floor(input.now.getTime() / 1000)
  const serverSec = serverDate ? Math.floor(serverDate.getTime() / 1000) : null
  const refSec = serverSec ?? nowSec
  const refName = serverSec !== null ? "the server's Date" : input.nowSource === '--now' ? '--now' : 'this machine\'s clock'
  const skew = serverSec !== null ? nowSec - serverSec : null
  const dpopNonce = res ? headerValue(res, 'dpop-nonce') : null

  let challenges: DecodedChallenge[] = []
  const wwwAuth = res ? headerValue(res, 'www-authenticate') : null
  if (wwwAuth) {
    try {
      challenges = decodeCaeChallenges(wwwAuth, input.profile ? { profile: input.profile } : {}).challenges
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      warnings.push(`WWW-Authenticate could not be read: ${e.message}`)
    }
  }
  for (const c of challenges) for (const w of c.warnings) warnings.push(`WWW-Authenticate (${c.scheme || 'no scheme'}): ${w}`)
  const bearer = challenges.filter((c) => /^bearer$/i.test(c.scheme))
  const dpop = challenges.filter((c) => /^dpop$/i.test(c.scheme))
  const withError = [...bearer, ...dpop, ...challenges].find((c) => c.params.error !== undefined)
  const error = withError?.params.error
  const description = withError?.params.error_description ?? withError?.params.errordescription
  const texts = [...(description ? [description] : []), ...serverTexts(res?.body ?? null)]
  const said: MessageMatch[] = matchMessages(texts)
  const saidOf = (code: string) => said.filter((s) => s.shape.code === code)
  const quote = (s: MessageMatch) => `${s.shape.server} says ${JSON.stringify(cut(s.text))}`
  const where = (c: DecodedChallenge) => `WWW-Authenticate ${c.scheme}`

  // ---- the token ----
  let decoded: DecodedToken | null = null
  let tokenProblem: string | null = null
  if (input.token !== null) {
    try {
      decoded = decodeToken(input.token, { now: new Date(refSec * 1000) })
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      // one segment of printable ASCII that does not start with {" (eyJ): a random reference
      // token whose first bytes happen to decode like "{" is opaque, not a truncated JWT
      if (!input.token.includes('.') && !input.token.startsWith('eyJ') && /^[\x21-\x7e]+$/.test(input.token)) decoded = opaqueToken(input.token)
      else tokenProblem = e.message
    }
  }
  const claims = (decoded?.payload ?? {}) as Record<string, unknown>
  const header = (decoded?.header ?? {}) as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  const exp = num(claims.exp)
  const nbf = num(claims.nbf)
  const iat = num(claims.iat)
  const audList = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : []
  const iss = typeof claims.iss === 'string' ? claims.iss : undefined
  const from = input.tokenFrom === 'profile' ? "the profile's access token" : 'the token'
  const verified = input.verification ? input.verification.checks.find((c) => c.name === 'signature')?.ok ?? null : null

  // ---- token_missing ----
  if (input.token === null) {
    const ev: string[] = []
    for (const s of saidOf('token_missing')) ev.push(quote(s))
    if (status === 401 && bearer.length && !error) ev.push(`${where(bearer[0]!)} has no error code: RFC 6750 §3.1 says that is the answer to a request without a token`)
    if (ev.length || status === 401) {
      causes.add('token_missing', ev.length ? 'likely' : 'possible', 'no token reached the API (or none was given to explain)', ev.length ? ev : [`status ${status} and no token given to tokentool`], `tokentool call URL${p} (sends the profile's token), or pass the token that was sent: tokentool explain TOKEN --response FILE`)
    }
  } else {
    for (const s of saidOf('token_missing')) {
      causes.add('token_missing', 'likely', 'the API did not receive the token', [quote(s), 'a token was given here, so it was lost on the way: a proxy that drops Authorization, a redirect that does not forward it, or a header name or scheme the API does not read'], 'send it as "Authorization: Bearer <token>" directly to the API: tokentool call URL' + p)
    }
    if (status === 401 && bearer.length && !error && !causes.has('token_missing')) {
      causes.add('token_missing', 'possible', 'the API answered as if no token was sent', [`${where(bearer[0]!)} has no error code, which RFC 6750 §3.1 reserves for a request without authentication`], 'check that the request carries "Authorization: Bearer <token>" (tokentool call URL' + p + ' sends it)')
    }
  }

  // ---- malformed / opaque / kind ----
  if (tokenProblem) {
    causes.add('malformed_token', 'certain', 'the token is not a well-formed JWT', [`${from}: ${tokenProblem}`, ...saidOf('malformed_token').map(quote)], `check what was sent (a truncated copy, quotes or a "Bearer " kept inside): tokentool decode TOKEN`)
  } else if (decoded) {
    for (const s of saidOf('malformed_token')) {
      if (decoded.format === 'opaque') continue
      causes.add('malformed_token', 'possible', 'the API could not parse the token it received', [quote(s), `${from} decodes here as a ${decoded.kindInfo.label}: what the API received differs (cut off, wrapped in quotes, or a different token)`], 'send the token exactly as issued: tokentool call URL' + p)
    }
    if (decoded.format === 'opaque') {
      const parseFailed = saidOf('malformed_token')
      causes.add(
        'opaque_token',
        parseFailed.length ? 'certain' : error === 'invalid_token' || status === 401 ? 'likely' : 'possible',
        'an opaque (reference) token was sent to an API that validates JWTs',
        [`${from} is not a JWT (no three dot-separated segments)`, ...parseFailed.map(quote)],
        `ask for a JWT access token for this API (often a matter of asking for its audience or resource): tokentool token --audience API${p}; or, if the API introspects tokens, check it with: tokentool introspect TOKEN`,
      )
    }
    const kind = decoded.kind
    const NOT_ACCESS = ['id_token', 'refresh_token', 'logout_token', 'dpop_proof', 'client_assertion', 'security_event', 'sd_jwt', 'kb_jwt', 'entity_statement', 'trust_mark', 'request_object', 'introspection_response']
    if (NOT_ACCESS.includes(kind)) {
      const ev = [`${from} is a ${decoded.kindInfo.label} (${decoded.kindInfo.reason})`]
      if (kind === 'id_token' && audList.length) ev.push(`its aud ${quoteList(audList)} is the client, not an API`)
      causes.add('wrong_token_kind', kind === 'id_token' || kind === 'dpop_proof' ? 'likely' : 'certain', `a ${decoded.kindInfo.label} was sent where an access token belongs`, ev, `send the access token: tokentool token${p}`)
    }
    if (decoded.size.bytes > HEADER_BUDGET || saidOf('header_too_large').length || status === 431) {
      const ev = [`${from} is ${decoded.size.bytes} bytes; with "Authorization: Bearer " it is over the ${HEADER_BUDGET / 1024} KiB request-header limit of nginx, Apache, IIS and most proxies`]
      if (status === 431) ev.push('status 431 Request Header Fields Too Large')
      for (const s of saidOf('header_too_large')) ev.push(quote(s))
      if (Array.isArray(claims.groups)) ev.push(`the groups claim holds ${claims.groups.length} groups`)
      causes.add('header_too_large', decoded.size.bytes > HEADER_BUDGET && (status === 431 || status === 400 || saidOf('header_too_large').length) ? 'certain' : decoded.size.bytes > HEADER_BUDGET ? 'likely' : 'possible', 'the token makes the request header too large', ev, 'ask for a smaller token: fewer scopes (tokentool token --scope ...), or groups as an overage claim; or raise the proxy\'s header limit')
    }
  } else if (saidOf('malformed_token').length && input.token === null) {
    causes.add('malformed_token', 'likely', 'the API could not parse the token it received', saidOf('malformed_token').map(quote), 'check the token that was sent: tokentool decode TOKEN')
  }

  // ---- clock: the server's Date against this machine ----
  if (skew !== null && Math.abs(skew) > leeway && input.nowSource === 'local') {
    const how = skew < 0 ? 'behind' : 'ahead of'
    causes.add('clock_skew', 'possible', `this machine's clock is ${formatDuration(roundSkew(skew))} ${how} the server's`, [`Date header ${serverDate!.toISOString()}, local clock ${input.now.toISOString()}`], 'set the clock right (NTP: timedatectl set-ntp true); tokens minted or checked here use it')
  }

  // ---- times against the server's Date ----
  if (decoded && decoded.format !== 'opaque') {
    const saysExpired = saidOf('expired')
    const saysNotYet = saidOf('not_yet_valid')
    const timeEv = (claim: string, v: number) => `${claim} ${iso(v)} is ${ago(v - refSec)} by ${refName}${serverSec !== null ? ` (${iso(serverSec)})` : ''}`
    if (exp !== undefined && exp <= refSec) {
      const ev = [timeEv('exp', exp), ...saysExpired.map(quote)]
      if (error === 'invalid_token') ev.push(`${where(withError!)} error="invalid_token"`)
      causes.add('expired', serverSec !== null || saysExpired.length || error === 'invalid_token' || status === 401 ? 'certain' : 'likely', `the token expired ${ago(exp - refSec)}`, ev, `get a new one: tokentool token --force${p} (or tokentool refresh${p})`)
    } else if (exp !== undefined && saysExpired.length) {
      // the server says expired, but by its own clock it is not: a clock or caching problem
      const ev = [...saysExpired.map(quote), `but exp ${iso(exp)} is ${ago(exp - refSec)} by ${refName}${serverSec !== null ? ` (${iso(serverSec)})` : ''}: the evidence conflicts`]
      if (serverSec !== null) ev.push("the server's clock says the token is still valid, so its validator uses another clock (a skewed host behind the gateway) or a cached result, or it received another token")
      causes.add('clock_skew', 'likely', 'the server calls the token expired, but its exp is still ahead: a clock or caching problem, not an expired token', ev, 'compare the API host\'s clock with NTP and flush any token-validation cache; retry with a freshly issued token: tokentool token --force' + p)
      causes.add('expired', 'possible', 'the API says the token expired', saysExpired.map(quote), `tokentool token --force${p}`)
    }
    if (nbf !== undefined && nbf > refSec + leeway) {
      const ev = [timeEv('nbf', nbf), ...saysNotYet.map(quote)]
      causes.add('not_yet_valid', 'certain', `the token is not valid until ${ago(nbf - refSec)}`, ev, 'wait, or fix the clock of whoever issued it: the issuer\'s clock is ahead of the API\'s')
      if (nbf <= nowSec + leeway && serverSec !== null) causes.add('clock_skew', 'likely', "the issuer's clock and the API's disagree", [`nbf ${iso(nbf)} has passed by this machine's clock but not by the server's Date ${iso(serverSec)}`], 'set the API host\'s clock right (NTP)')
    } else if (iat !== undefined && iat > refSec + leeway) {
      causes.add('not_yet_valid', 'likely', 'the token was issued in the future of the API', [timeEv('iat', iat), ...saysNotYet.map(quote)], "the issuer's clock is ahead of the API's: set them right (NTP)")
    } else if (saysNotYet.length) {
      const ev = [...saysNotYet.map(quote)]
      if (nbf !== undefined || iat !== undefined) ev.push(`but ${nbf !== undefined ? `nbf ${iso(nbf)}` : `iat ${iso(iat!)}`} has passed by ${refName}: the evidence conflicts, the API's validator clock is behind`)
      causes.add('clock_skew', 'likely', 'the API calls the token not yet valid though its times have passed: the API\'s clock is behind', ev, "set the API host's clock right (NTP), or give its validator a clock-skew leeway")
    }
  }

  // ---- challenges: CAE claims, step-up, scope, DPoP ----
  for (const c of bearer) {
    const e = c.params.error
    if (c.claims && (e === 'insufficient_claims' || e === 'invalid_token')) {
      const ev = [`${where(c)} error="${e}" with a claims request${e === 'invalid_token' ? ' (the Azure Resource Manager form)' : ''}`]
      if (description) ev.push(`error_description: ${JSON.stringify(cut(description))}`)
      const asks = listClaimAsks(c.claims)
      const nbfAsk = asks.find((a) => a.claim === 'nbf')
      if (nbfAsk && typeof nbfAsk.value !== 'undefined') {
        const v = Number(nbfAsk.value)
        if (Number.isFinite(v)) {
          ev.push(`the claims ask for a token issued after ${iso(v)} (an event then revoked older tokens)`)
          if (iat !== undefined && iat < v) ev.push(`${from} was issued at ${iso(iat)}, before that`)
        }
      }
      const cae = asks.find((a) => a.claim === 'xms_caeerror')
      if (cae) ev.push(`xms_caeerror ${JSON.stringify(cae.value ?? cae.values)} is a CAE diagnostic code for support, not a claim the token should carry`)
      const ip = asks.find((a) => a.claim === 'xms_rp_ipaddr')
      const fix = `${c.commands!.refresh}   (when refresh cannot: ${c.commands!.login.replace(/^tokentool /, 'tokentool ')})`
      if (ip) {
        const seen = JSON.stringify(ip.value ?? ip.values)
        causes.add('ip_policy', 'certain', `a location/IP condition failed: the resource saw this client at ${seen}`, [...ev, `xms_rp_ipaddr ${seen} is the client IP the resource saw; a Conditional Access location policy did not allow it, and a new token from the same network may be refused again`], `${c.commands!.refresh} — then, if it is refused again, use an allowed network (a VPN or split tunnel sending the API and sign-in traffic through different IPs is the common cause)`)
      }
      causes.add('claims_challenge', 'certain', 'the resource rejected the token by Continuous Access Evaluation and asks for a new one meeting its claims request', ev, fix)
      if (description && /revoked|TokenIssuedBeforeRevocationTimestamp/i.test(description)) {
        causes.add('revoked', 'likely', 'the user\'s sessions were revoked (or the password reset) after the token was issued', [`error_description: ${JSON.stringify(cut(description))}`], c.commands!.refresh)
      }
    } else if (c.params.claims !== undefined && c.claimsError) {
      causes.add('claims_challenge', 'likely', 'the resource sent a claims challenge whose claims value cannot be decoded', [`${where(c)}: ${c.claimsError}`], `tokentool login${p} (a new sign-in meets most claims challenges)`)
    }
    if (e === 'insufficient_user_authentication') {
      const acr = c.params.acr_values
      const maxAge = c.params.max_age
      const ev = [`${where(c)} error="insufficient_user_authentication" (RFC 9470 step-up)`]
      if (acr) ev.push(`acr_values="${acr}"${typeof claims.acr === 'string' ? `; the token's acr is "${claims.acr}"` : ''}`)
      if (maxAge !== undefined) {
        const at = num(claims.auth_time)
        ev.push(`max_age=${maxAge}${at !== undefined ? `; the user authenticated at ${iso(at)} (${ago(at - refSec)})` : ''}`)
      }
      if (description) ev.push(`error_description: ${JSON.stringify(cut(description))}`)
      const flags = `${acr ? ` --acr-values ${shellQuote(acr)}` : ''}${maxAge !== undefined ? ` --max-age ${shellQuote(maxAge)}` : ''}`
      causes.add('step_up_required', 'certain', 'the API wants a stronger or more recent sign-in', ev, `tokentool login${p}${flags || ' --max-age 0'}`)
    }
    if (e === 'insufficient_scope') {
      const want = c.params.scope?.split(' ').filter(Boolean) ?? []
      const have = decoded?.payload ? tokenScopes(claims) : undefined
      const ev = [`${where(c)} error="insufficient_scope"${want.length ? ` scope="${want.join(' ')}"` : ''}`]
      if (have) ev.push(`${from} has scope ${have.length ? `"${have.join(' ')}"` : '(none)'}${want.length ? `; missing ${want.filter((w) => !have.includes(w)).join(' ') || '(none: the API wants them together with something else)'}` : ''}`)
      causes.add('insufficient_scope', 'certain', 'the token lacks a scope the API needs', ev, `tokentool login${p} --scope ${shellQuote(['openid', ...want].join(' '))}`)
    }
  }
  for (const c of dpop) {
    const e = c.params.error
    if (e === 'use_dpop_nonce') {
      const ev = [`${where(c)} error="use_dpop_nonce"`]
      ev.push(dpopNonce ? `DPoP-Nonce: ${dpopNonce} (the proof must carry it as "nonce")` : 'no DPoP-Nonce header in the pasted response')
      causes.add('dpop_nonce_required', 'certain', 'the API wants a DPoP proof carrying its nonce', ev, `tokentool call URL --dpop${p} (it retries once with the DPoP-Nonce the API sends)`)
    } else if (e === 'invalid_dpop_proof') {
      const ev = [`${where(c)} error="invalid_dpop_proof"`]
      if (description) ev.push(`error_description: ${JSON.stringify(cut(description))}`)
      causes.add('dpop_proof_invalid', 'certain', 'the API rejected the DPoP proof (htm/htu, iat, jti, ath or its signature)', ev, `make a fresh proof for this exact method and URL: tokentool dpop proof --method GET --url URL${p}`)
    }
  }
  // Bearer sent where DPoP is required, or the reverse
  const cnf = claims.cnf as Record<string, unknown> | undefined
  const bound = cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string'
  if (decoded && input.sentScheme === 'DPoP' && bearer.length && !dpop.length) {
    causes.add('scheme_mismatch', 'likely', 'a DPoP request to an API that only takes Bearer tokens', ['the request was sent with "Authorization: DPoP" and a proof', `the API challenges only with Bearer${error ? ` (error="${error}")` : ''}`], `call it without --dpop, with a token that is not DPoP-bound: tokentool token${p}`)
  } else if (decoded && bound && dpop.length && !bearer.length && !causes.has('dpop_nonce_required') && !causes.has('dpop_proof_invalid')) {
    causes.add('scheme_mismatch', input.sentScheme === 'Bearer' ? 'certain' : 'likely', 'a DPoP-bound token was sent as a Bearer token', [`${from} carries cnf.jkt (bound to a DPoP key)`, 'the API challenges only with DPoP', ...(input.sentScheme === 'Bearer' ? ['the request was sent with "Authorization: Bearer"'] : [])], `send it with "Authorization: DPoP" and a proof: tokentool call URL --dpop${p}`)
  } else if (decoded && bound && bearer.length && !dpop.length && (error === 'invalid_token' || status === 401)) {
    causes.add('scheme_mismatch', 'possible', 'a DPoP-bound token was sent to an API that only takes Bearer tokens', [`${from} carries cnf.jkt`, `the API challenges only with Bearer${error ? ` (error="${error}")` : ''}`], `ask for a token without DPoP for this API: tokentool token${p} (without --dpop)`)
  } else if (decoded && !bound && dpop.length && !bearer.length && error === 'invalid_token') {
    causes.add('scheme_mismatch', 'likely', 'a Bearer token was sent where the API requires DPoP', [`${from} has no cnf.jkt`, 'the API challenges only with DPoP'], `get a DPoP-bound token: tokentool login --dpop${p}`)
  }

  // ---- audience, issuer, scope from the expectations, the challenge and the metadata ----
  if (decoded?.payload) {
    const expected = [...(input.audience ?? [])]
    const meta = input.resourceMetadata?.document
    if (meta && typeof meta.resource === 'string' && !expected.length) expected.push(meta.resource)
    for (const c of bearer) for (const k of ['resource', 'resource_id']) if (c.params[k] && !expected.length) expected.push(c.params[k]!)
    const saysAud = saidOf('wrong_audience')
    if (expected.length) {
      const hit = audList.some((a) => expected.some((x) => sameAudience(a, x)))
      if (!hit) {
        const ev = [`${from} has aud ${audList.length ? quoteList(audList) : '(none)'}, the API expects ${quoteList(expected)}${input.audience?.length ? ' (--aud)' : meta ? ` (resource metadata ${input.resourceMetadata!.url})` : ' (the challenge)'}`, ...saysAud.map(quote)]
        causes.add('wrong_audience', 'certain', 'the token is for another API', ev, `tokentool token --audience ${shellQuote(expected[0]!)}${p}   (or --resource / --scope ${shellQuote(expected[0]!.replace(/\/$/, '') + '/.default')} for Entra ID)`)
      }
    } else if (saysAud.length) {
      causes.add('wrong_audience', 'likely', 'the API says the token is for another audience', [...saysAud.map(quote), `${from} has aud ${audList.length ? quoteList(audList) : '(none)'}`], `tokentool token --audience API${p} (the API's identifier)`)
    }
    const saysIss = saidOf('wrong_issuer')
    const servers = meta && Array.isArray(meta.authorization_servers) ? meta.authorization_servers.filter((s): s is string => typeof s === 'string') : []
    if (iss && servers.length && !servers.some((s) => s.replace(/\/$/, '') === iss.replace(/\/$/, ''))) {
      causes.add('wrong_issuer', 'likely', 'the token comes from an authorization server the API does not trust', [`${from} has iss "${iss}", the resource metadata lists ${quoteList(servers)}`, ...saysIss.map(quote)], `sign in at the API's authorization server: tokentool login --issuer ${shellQuote(servers[0]!)}${p}`)
    } else if (saysIss.length) {
      causes.add('wrong_issuer', 'likely', 'the API does not accept tokens from this issuer (or tenant)', [...saysIss.map(quote), `${from} has iss ${iss ? `"${iss}"` : '(none)'}`], `sign in at the issuer the API trusts: tokentool login --issuer URL${p}`)
    }
    if (input.scopes?.length) {
      const have = tokenScopes(claims) ?? []
      const missing = input.scopes.filter((s) => !have.includes(s))
      if (missing.length) {
        const roles = Array.isArray(claims.roles) ? ` and roles ${quoteList(claims.roles.map(String))}` : ''
        causes.add('insufficient_scope', status === 403 ? 'certain' : 'likely', 'the token lacks a scope the API needs', [`${from} has scope ${have.length ? `"${have.join(' ')}"` : '(none)'}${roles}; --scope asks for ${missing.join(' ')}`], `tokentool login${p} --scope ${shellQuote(['openid', ...input.scopes].join(' '))}`)
      }
    }
    for (const s of saidOf('insufficient_scope')) {
      const have = tokenScopes(claims)
      causes.add('insufficient_scope', status === 403 ? 'likely' : 'possible', 'the API says the token does not grant this operation', [quote(s), ...(have ? [`${from} has scope "${have.join(' ')}"`] : []), ...(Array.isArray(claims.roles) ? [`roles ${quoteList(claims.roles.map(String))}`] : [])], `ask for the permission the operation needs (a scope, an app role or an RBAC assignment), then: tokentool login${p} --scope '...'`)
    }
  } else if (!decoded && input.token === null) {
    for (const code of ['wrong_audience', 'wrong_issuer', 'insufficient_scope'] as const) {
      for (const s of saidOf(code)) causes.add(code, 'likely', 'the API says so', [quote(s)], code === 'wrong_audience' ? `tokentool token --audience API${p}` : code === 'wrong_issuer' ? `tokentool login --issuer URL${p}` : `tokentool login${p} --scope '...'`)
    }
  }
  if (!decoded) {
    for (const s of [...saidOf('expired'), ...saidOf('not_yet_valid')]) {
      causes.add(s.shape.code, 'likely', s.shape.code === 'expired' ? 'the API says the token expired' : 'the API says the token is not valid yet', [quote(s), 'no token was given, so its times cannot be checked against the server\'s Date'], `tokentool token --force${p}`)
    }
  }

  // ---- signature and keys ----
  const graphToken = decoded?.payload && (typeof header.nonce === 'string' || audList.some((a) => GRAPH_AUDIENCES.has(a)))
  if (input.verification) {
    const sig = input.verification.checks.find((c) => c.name === 'signature')
    const key = input.verification.checks.find((c) => c.name === 'key')
    const issCheck = input.verification.checks.find((c) => c.name === 'iss' && !c.skipped)
    if (issCheck && !issCheck.ok) {
      causes.add('wrong_issuer', 'certain', 'the token comes from another issuer than the one given', [`iss: ${issCheck.detail}`, ...saidOf('wrong_issuer').map(quote)], `sign in at the issuer the API trusts: tokentool login --issuer ISSUER${p}`)
    }
    if (key && !key.ok) {
      causes.add('unknown_key', 'certain', `no key of ${input.verification.keySource} matches the token`, [`key: ${key.detail}`, ...(typeof header.kid === 'string' ? [`the token's kid is "${header.kid}"`] : []), ...saidOf('unknown_key').map(quote)], 'the API trusts another issuer or tenant, or its JWKS is stale: check iss against the API\'s configuration; tokentool verify --issuer ISSUER TOKEN')
    } else if (sig && !sig.ok && typeof header.nonce === 'string') {
      causes.add('unverifiable_by_design', 'certain', 'a Microsoft Graph token: its header nonce makes the signature verify for Graph only', ['the token header has a "nonce"; Graph hashes it before checking the signature, so no other validator can verify it', `signature: ${sig.detail}`], `do not validate Graph tokens in your API; ask for a token for your own API: tokentool token --scope 'api://YOUR-API/.default'${p}`)
    } else if (sig && !sig.ok) {
      causes.add('signature_invalid', 'certain', 'the signature does not verify', [`signature: ${sig.detail} (key source ${input.verification.keySource})`, ...saidOf('signature_invalid').map(quote)], 'the token was altered or signed by another key: get a fresh one (tokentool token --force' + p + ') and check the API\'s issuer configuration')
    }
  } else {
    for (const s of saidOf('unknown_key')) causes.add('unknown_key', 'likely', 'the API has no key for the token\'s kid', [quote(s), ...(typeof header.kid === 'string' ? [`the token's kid is "${header.kid}"`] : [])], 'check the token against the API\'s issuer: tokentool explain TOKEN --response FILE --issuer ISSUER (a stale JWKS cache at the API, or a token from another issuer)')
    for (const s of saidOf('signature_invalid')) causes.add('signature_invalid', 'likely', 'the API says the signature does not verify', [quote(s)], 'check it with the issuer\'s keys: tokentool verify --issuer ISSUER TOKEN')
  }
  if (graphToken && typeof header.nonce === 'string' && !causes.has('unverifiable_by_design') && (causes.has('signature_invalid') || saidOf('signature_invalid').length || error === 'invalid_token')) {
    causes.add('unverifiable_by_design', 'likely', 'a Microsoft Graph token sent to an API that checks its signature', ['the token header has a "nonce": only Graph can verify such a token', ...(audList.length ? [`aud ${quoteList(audList)}`] : [])], `ask for a token for your own API: tokentool token --scope 'api://YOUR-API/.default'${p}`)
  }

  // ---- revoked (said plainly) ----
  for (const s of saidOf('revoked')) if (!causes.has('revoked')) causes.add('revoked', causes.has('claims_challenge') ? 'likely' : 'likely', 'the token (or the session behind it) was revoked', [quote(s)], `sign in again: tokentool login${p}`)
  for (const s of saidOf('ip_policy')) if (!causes.has('ip_policy')) causes.add('ip_policy', 'likely', 'a location/IP condition failed at the resource', [quote(s)], 'use a network the policy allows; a refresh from this network may be refused again')

  // ---- the resource metadata could not be had ----
  if (input.resourceMetadata?.problem) warnings.push(`resource metadata ${input.resourceMetadata.url}: ${input.resourceMetadata.problem}`)

  // ---- nothing narrower: invalid_token ----
  const ranked = causes.ranked()
  if (error === 'invalid_token' && !ranked.some((c) => c.confidence !== 'possible')) {
    const ev = [`${where(withError!)} error="invalid_token"${description ? `, error_description=${JSON.stringify(cut(description))}` : ''}`]
    if (decoded && verified === null) ev.push('no key source given: add --issuer (or --jwks/--key) to check the signature')
    causes.add('invalid_token', 'likely', 'the API says the token is invalid, and nothing narrower was found', ev, `try a freshly issued token: tokentool token --force${p}${verified === null ? '; check it: tokentool explain TOKEN --response FILE --issuer ISSUER' : ''}`)
  } else if (status === 401 && causes.ranked().length === 0) {
    causes.add('invalid_token', 'possible', 'the API refused the token without saying why', [`status 401${challenges.length ? `, WWW-Authenticate ${challenges.map((c) => c.scheme).join(', ')}` : ', no WWW-Authenticate'}`], `try a freshly issued token: tokentool token --force${p}`)
  }

  return {
    status,
    challenges: challenges.map((c) => ({ scheme: c.scheme, params: c.params, claims: c.claims, warnings: c.warnings })),
    causes: causes.ranked(),
    token: summarize(decoded, input.token, tokenProblem, verified),
    response: { form: res?.form ?? null, date: serverDate ? serverDate.toISOString() : null, dpopNonce },
    clock: { now: input.now.toISOString(), source: input.nowSource, serverDate: serverDate ? serverDate.toISOString() : null, skewSeconds: skew },
    warnings,
  }
}

/** `https://api.example/` and `https://api.example` are one audience; so are `api://x` and `api://x/`. */
function sameAudience(a: string, b: string): boolean {
  return a === b || a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
}

function roundSkew(skew: number): number {
  const abs = Math.abs(skew)
  return abs >= 120 ? Math.round(abs / 60) * 60 : abs
}

const SUMMARY_CLAIMS = ['iss', 'sub', 'aud', 'azp', 'client_id', 'appid', 'scope', 'scp', 'roles', 'acr', 'amr', 'auth_time', 'exp', 'nbf', 'iat', 'cnf', 'tid', 'ver', 'xms_cc']

function summarize(decoded: DecodedToken | null, text: string | null, problem: string | null, verified: boolean | null): TokenSummary | null {
  if (text === null) return null
  if (!decoded) return { kind: 'malformed', label: `malformed (${problem})`, format: 'malformed', bytes: Buffer.byteLength(text), claims: {}, verified }
  const claims: Record<string, unknown> = {}
  const payload = (decoded.payload ?? {}) as Record<string, unknown>
  for (const k of SUMMARY_CLAIMS) if (k in payload) claims[k] = payload[k]
  return { kind: decoded.kind, label: decoded.kindInfo.label, format: decoded.format, bytes: decoded.size.bytes, claims, verified }
}
