/**
 * `call` views. stdout carries what the user asked for: the response body as received,
 * after the status line and headers with `-i` (as curl prints them), or with `--json` one
 * document `{ status, headers, body, retried, challenge, ... }`. stderr carries the story:
 * the claims challenge that was answered, and a refusal's decoded challenge.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { ChallengeVerdict } from '../core/cae/call-decision.js'
import type { DecodedChallenge } from '../core/cae/decode.js'
import { printable } from '../core/printable.js'
import { redactText } from '../http/redact.js'
import type { ApiResponse, CallResult, CallToken, StepUpRequest } from '../oauth/call.js'
import type { ExplainResult } from '../core/explain/causes.js'
import { renderCaeDecode } from './cae.js'
import { wrapText, type Span } from './wrap.js'
import { explainJson } from './explain.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { snakeFields } from './json-fields.js'

/** The body as text when it is UTF-8, else base64 (for `--json`). */
function bodyView(body: Uint8Array): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(body), bodyEncoding: 'utf8' }
  } catch {
    return { body: Buffer.from(body).toString('base64'), bodyEncoding: 'base64' }
  }
}

/** Response headers as one object; repeated names joined with ", " (as fetch does), `set-cookie` with "\n". */
function headerObject(headers: ApiResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of headers) out[k] = k in out ? `${out[k]}${k === 'set-cookie' ? '\n' : ', '}${v}` : v
  return out
}

function challengeJson(c: DecodedChallenge | null) {
  return c && { scheme: c.scheme, params: c.params, claims: c.claims, explanation: c.explanation }
}

/**
 * The `--json` document, own fields in snake_case (json-fields.ts); the response's headers and
 * body, challenge parameters and claims requests as they came.
 */
export function callJson(r: CallResult): Record<string, unknown> {
  return snakeFields(callView(r), { verbatim: ['headers', 'body', 'params', 'claims'] }) as Record<string, unknown>
}

function callView(r: CallResult) {
  const challenge = r.verdict.kind === 'none' ? null : r.verdict.challenge
  return {
    method: r.request.method,
    url: r.request.url,
    status: r.response.status,
    statusText: r.response.statusText,
    headers: headerObject(r.response.headers),
    ...bodyView(r.response.body),
    retried: r.retried,
    challenge: challengeJson(challenge),
    steppedUp: r.steppedUp ? { challenge: challengeJson(r.steppedUp.challenge), ...r.steppedUp.request, via: r.steppedUp.via } : null,
    answered: r.answered && { challenge: challengeJson(r.answered.challenge), claims: JSON.parse(r.answered.claims) as unknown, via: r.answered.via },
    scheme: r.scheme,
  }
}

/** `HTTP/1.1 200 OK` and the headers, CRLF-terminated, as `curl -i` shows them. */
export function responseHead(res: ApiResponse): string {
  const lines = [`HTTP/1.1 ${res.status}${res.statusText ? ` ${printable(res.statusText)}` : ''}`]
  for (const [k, v] of res.headers) lines.push(`${k}: ${printable(v)}`)
  return lines.join('\r\n') + '\r\n\r\n'
}

export function renderCallResult(io: Pick<IOStreams, 'out' | 'stdoutIsTTY'>, r: CallResult, opts: { json: boolean; include: boolean; explain?: ExplainResult | undefined }): void {
  if (opts.json) return writeJson(io, opts.explain ? { ...callJson(r), explain: explainJson(opts.explain) } : callJson(r))
  // the CRLFs are curl -i's framing, not outside text (every server value in the head is escaped
  // already): written as bytes, which the pipe guard of cli/main.ts passes through as it does the body
  if (opts.include) io.out.write(Buffer.from(responseHead(r.response), 'utf8'))
  if (r.response.body.length) {
    const body = Buffer.from(r.response.body)
    io.out.write(body)
    // in a terminal, what follows on stderr starts on a line of its own ('{"error":…}Challenge:');
    // a pipe or a file gets the body byte for byte
    if (io.stdoutIsTTY && body[body.length - 1] !== 0x0a) io.out.write('\n')
  }
}

type ErrIO = Pick<IOStreams, 'err' | 'color' | 'stderrIsTTY'> & { columns?: number }
const errStyle = (io: ErrIO) => styleFor({ color: io.stderrIsTTY && io.color })

/** A one-line summary of a challenge: `insufficient_claims: description`. */
export function challengeSummary(c: DecodedChallenge | null): string {
  if (!c) return 'no readable WWW-Authenticate challenge'
  const error = c.params.error
  const desc = c.params.error_description
  if (!error) return `${printable(c.scheme)} challenge without an error code`
  // server text on an error line: a token echoed back in a description must not get out whole
  return redactText(printable(desc ? `${error}: ${desc}` : error))
}

/** Notes on stderr, wrapped to the terminal at spaces (render/wrap escapes the server's text). */
function note(io: ErrIO, text: string | Span[], first = '', rest = '  '): void {
  io.err.write(wrapText(text, io.columns ?? 80, { first, rest }).join('\n') + '\n')
}

/** The claims challenge being answered, on stderr. */
export function renderChallenged(io: ErrIO, challenge: DecodedChallenge, claims: string): void {
  const s = errStyle(io)
  note(io, `The API answered 401 ${challenge.params.error ?? ''}: it asks for a token with claims.`, `${s.yellow('!')} `)
  for (const e of challenge.explanation.slice(challenge.params.error ? 1 : 0)) note(io, [{ text: e, style: s.dim }], '  ', '    ')
  note(io, `Obtaining one with the claims request ${claims} (refresh first, sign-in when refresh cannot)`, '  ', '    ')
}

/** The step-up challenge being answered by a new sign-in, on stderr. */
export function renderSteppingUp(io: ErrIO, challenge: DecodedChallenge, request: StepUpRequest): void {
  const s = errStyle(io)
  const asks = [request.acrValues !== undefined ? `acr_values=${request.acrValues}` : '', request.maxAge !== undefined ? `max_age=${request.maxAge}` : ''].filter(Boolean).join(', ')
  const desc = challenge.params.error_description
  note(io, `The API answered 401 insufficient_user_authentication${desc ? ` (${redactText(printable(desc))})` : ''}: it asks for a step-up sign-in (RFC 9470${asks ? `: ${asks}` : ''}).`, `${s.yellow('!')} `)
  note(io, 'Signing in again with them (once).', '  ')
}

export function renderRetrying(io: ErrIO, token: CallToken): void {
  const s = errStyle(io)
  note(io, `New access token from ${token.source === 'login' ? 'the sign-in' : 'a refresh'}; sending the request again (once).`, `${s.green('✓')} `)
}

export function renderRefreshFailed(io: ErrIO, why: string): void {
  const s = errStyle(io)
  note(io, `Refresh cannot answer it (${redactText(printable(why))}); signing in with the claims request.`, `${s.yellow('!')} `)
}

/** A refusal's challenge, decoded (parameters, claims, what it means), on stderr. */
export function renderRefusal(io: ErrIO, verdict: ChallengeVerdict): void {
  if (verdict.kind === 'none') return
  if (verdict.kind === 'other' && verdict.problem) io.err.write(`tokentool: warning: cannot decode the WWW-Authenticate header: ${printable(verdict.problem)}\n`)
  if (verdict.challenge) renderCaeDecode({ out: io.err, color: io.stderrIsTTY && io.color, ...(io.columns !== undefined ? { columns: io.columns } : {}) }, { challenges: [redactChallenge(verdict.challenge)] }, { json: false })
}

/** The challenge with any token a server echoed in its parameters redacted (stderr is not what the user asked for). */
function redactChallenge(c: DecodedChallenge): DecodedChallenge {
  return {
    ...c,
    params: Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, redactText(v)])),
    paramList: c.paramList.map((p) => ({ ...p, value: redactText(p.value) })),
    explanation: c.explanation.map((e) => redactText(e)),
  }
}
