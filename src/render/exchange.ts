/**
 * The views of `exchange`: what was traded for what, the differences that matter (scope,
 * audience, `act`, lifetime) as sentences, every claim side by side, and the issued token
 * decoded; and the `--json` document with the same content.
 * @module
 */
import type { ChalkInstance } from 'chalk'
import type { IOStreams } from '../io-streams.js'
import type { ClaimChange, ClaimsDiff, LifetimeSide, TokenSide } from '../core/jwt/claims-diff.js'
import type { DecodedToken } from '../core/jwt/decode.js'
import type { ExchangeResult } from '../oauth/exchange.js'
import { TIME_CLAIMS } from '../core/jwt/times.js'
import { formatDuration } from '../core/duration.js'
import { isoFromSeconds, relative } from '../core/time.js'
import { tokenTypeLabel } from '../core/token-types.js'
import { formatValue, payloadTable } from './decode.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { renderTable, wrap, type Row } from './table.js'

export interface ExchangeSideView {
  /** Token type URI sent (`subject_token_type` / `actor_token_type`). */
  tokenType: string
  decoded: DecodedToken
  /** Where the token came from: "the access token of profile default", "--subject-token". */
  from: string
  /** Where the diff's claims came from: the JWT, introspection (opaque token), or nowhere. */
  claimsSource?: TokenSide['source']
}

export interface ExchangeView {
  endpoint: string
  subject: ExchangeSideView
  actor?: ExchangeSideView | undefined
  /** The token response as `exchange` returned it, with the issued token decoded. */
  issued: ExchangeResult & {
    decoded: DecodedToken
    claimsSource?: TokenSide['source']
  }
  /** The request's shaping parameters, as sent. */
  request: { audience: string[]; resource: string[]; scope?: string | undefined; requestedTokenType?: string | undefined }
  diff: ClaimsDiff
}

const sideJson = (s: ExchangeSideView) => ({
  token_type: s.tokenType,
  from: s.from,
  kind: s.decoded.kind,
  header: s.decoded.header,
  payload: s.decoded.payload,
  claims_source: s.claimsSource ?? (s.decoded.payload ? 'jwt' : 'none'),
})

/** The `--json` document: the token response first (as `token --json` gives it), then the analysis. */
export function exchangeJson(v: ExchangeView): Record<string, unknown> {
  const i = v.issued
  return {
    access_token: i.token,
    issued_token_type: i.issuedTokenType ?? null,
    token_type: i.tokenType,
    expires_at: i.expiresAt ?? null,
    scope: i.scope ?? null,
    ...(i.refreshToken ? { refresh_token: i.refreshToken } : {}),
    issued: { kind: i.decoded.kind, header: i.decoded.header, payload: i.decoded.payload, claims_source: i.claimsSource ?? (i.decoded.payload ? 'jwt' : 'none') },
    subject: sideJson(v.subject),
    actor: v.actor ? sideJson(v.actor) : null,
    request: { audience: v.request.audience, resource: v.request.resource, scope: v.request.scope ?? null, requested_token_type: v.request.requestedTokenType ?? null },
    diff: diffJson(v.diff),
    endpoint: v.endpoint,
  }
}

const lifetimeJson = (l: LifetimeSide) => ({ expires_at: l.expiresAt, lifetime_seconds: l.lifetimeSeconds, remaining_seconds: l.remainingSeconds })

/** The diff with the OAuth-style snake_case names the rest of the document uses. */
export function diffJson(d: ClaimsDiff): Record<string, unknown> {
  const { lifetime, ...rest } = d
  return {
    ...rest,
    lifetime: {
      before: lifetimeJson(lifetime.before),
      after: lifetimeJson(lifetime.after),
      expires_delta_seconds: lifetime.expiresDeltaSeconds,
      verdict: lifetime.verdict,
    },
  }
}

export function renderExchange(io: Pick<IOStreams, 'out' | 'color' | 'columns'>, v: ExchangeView, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, exchangeJson(v))
  io.out.write(exchangeText(v, styleFor(io), io.columns, opts.now))
}

function describe(d: DecodedToken): string {
  if (d.format === 'opaque') return 'opaque'
  const alg = typeof d.header?.alg === 'string' ? `, ${d.header.alg}` : ''
  const sub = typeof d.payload?.sub === 'string' ? ` · sub ${d.payload.sub}` : ''
  return `${d.format === 'jwe' ? 'JWE' : 'JWT'}${alg}${sub}`
}

function expiry(at: number | undefined, now: Date): string {
  if (at === undefined) return 'no expiry given'
  const delta = at - Math.floor(now.getTime() / 1000)
  const iso = isoFromSeconds(at)
  if (iso === undefined) return `expiry ${at} is not a time`
  return `${delta > 0 ? 'expires' : 'expired'} ${relative(delta)} (${iso})`
}

/** The human view as text (exported for tests). */
export function exchangeText(v: ExchangeView, c: ChalkInstance, columns: number, now: Date): string {
  const width = Math.max(40, columns)
  const out: string[] = [...lines(`✓ Exchanged at ${v.endpoint} (RFC 8693 token exchange)`, width, (l) => l.replace(/^✓/, c.green('✓'))), '']
  const i = v.issued
  const exp = i.expiresAt ?? (typeof i.decoded.payload?.exp === 'number' ? i.decoded.payload.exp : undefined)
  const rows: Row[] = [
    [{ text: 'subject' }, { text: `${tokenTypeLabel(v.subject.tokenType)} · ${describe(v.subject.decoded)} · ${v.subject.from}` }],
  ]
  if (v.actor) rows.push([{ text: 'actor' }, { text: `${tokenTypeLabel(v.actor.tokenType)} · ${describe(v.actor.decoded)} · ${v.actor.from}` }])
  const asked = [
    ...v.request.resource.map((r) => `resource ${r}`),
    ...v.request.audience.map((a) => `audience ${a}`),
    ...(v.request.scope ? [`scope ${v.request.scope}`] : []),
    ...(v.request.requestedTokenType ? [`requested ${tokenTypeLabel(v.request.requestedTokenType)}`] : []),
  ]
  if (asked.length) rows.push([{ text: 'asked for' }, { text: asked.join(' · ') }])
  rows.push([{ text: 'issued' }, { text: `${i.issuedTokenType ? tokenTypeLabel(i.issuedTokenType) : 'token (no issued_token_type in the response)'} · ${describe(i.decoded)} · ${i.tokenType}`, style: c.bold }])
  rows.push([{ text: 'expiry' }, { text: expiry(exp, now) }])
  rows.push([{ text: 'scope' }, { text: i.scope ?? (typeof i.decoded.payload?.scope === 'string' ? i.decoded.payload.scope : '(not stated by the server)') }])
  if (i.refreshToken) rows.push([{ text: 'refresh token' }, { text: 'issued too (in --json)' }])
  out.push(renderTable(rows.map(([k, val]) => [{ ...k, style: c.dim }, val]), { width, indent: 2 }).trimEnd(), '')

  out.push(c.bold.underline('What changed'))
  for (const s of v.diff.summary) out.push(...bullet('•', s, width))
  for (const w of v.diff.warnings) out.push(...bullet(c.yellow('!'), w, width, c.yellow))
  for (const [name, side, src] of [['subject', v.subject.decoded, v.subject.claimsSource], ['issued', i.decoded, i.claimsSource]] as const) {
    if (side.format !== 'opaque') continue
    const note = src === 'introspection' ? `the ${name} token is opaque: its claims come from the introspection endpoint` : `the ${name} token is opaque and its claims are unknown here (introspection not possible or refused)`
    out.push(...bullet('·', note, width, c.dim))
  }
  out.push('')

  if (v.diff.claims.length) {
    out.push(c.bold.underline('Claims: subject → issued'))
    out.push(renderTable(v.diff.claims.map((ch) => claimRow(ch, c)), { width, indent: 2, maxValueLines: 4 }).trimEnd(), '')
  } else if (i.decoded.payload) {
    out.push(c.bold.underline('Issued token claims'))
    out.push(payloadTable(i.decoded.payload, i.decoded.times, c, width), '')
  }
  if (i.decoded.payload) {
    const iss = typeof i.decoded.payload.iss === 'string' ? i.decoded.payload.iss : 'ISSUER'
    out.push(...lines(`The issued token was decoded, not verified: add --raw and pipe it to tokentool verify --issuer ${iss}`, width, c.red))
  }
  out.push(...lines('The token itself: add --raw (only the token) or --json (access_token).', width, c.dim))
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n'
}

const isTime = (k: string) => (TIME_CLAIMS as readonly string[]).includes(k)

const iso = (t: number) => isoFromSeconds(t) ?? `${t} (not a time)`

function show(k: string, v: unknown): string {
  if (isTime(k) && typeof v === 'number') return iso(v)
  return formatValue(v)
}

/** Time claims as ISO with the shift: `2026-01-01T10:00:00Z → 2026-01-01T10:05:00Z (+5m)`. */
function changed(k: string, before: unknown, after: unknown): string {
  if (isTime(k) && typeof before === 'number' && typeof after === 'number') {
    const d = after - before
    return `${iso(before)} → ${iso(after)} (${d >= 0 ? '+' : '-'}${formatDuration(Math.abs(d))})`
  }
  return `${show(k, before)} → ${show(k, after)}`
}

function claimRow(ch: ClaimChange, c: ChalkInstance): Row {
  const key = { text: ch.claim, style: c.cyan }
  switch (ch.status) {
    case 'same':
      return [key, { text: show(ch.claim, ch.after) }, { text: 'same', style: c.dim }]
    case 'added':
      return [key, { text: `+ ${show(ch.claim, ch.after)}`, style: c.green }, { text: 'added', style: c.green }]
    case 'removed':
      return [key, { text: `- ${show(ch.claim, ch.before)}`, style: c.red }, { text: 'removed', style: c.red }]
    default:
      return [key, { text: changed(ch.claim, ch.before, ch.after), style: c.yellow }, { text: 'changed', style: c.yellow }]
  }
}

/** Plain text wrapped to the width, each line then styled (wrap escapes colour codes). */
function lines(text: string, width: number, style: (s: string) => string = (s) => s): string[] {
  return wrap(text, width).map((l) => style(l))
}

function bullet(mark: string, text: string, width: number, style: (s: string) => string = (s) => s): string[] {
  return wrap(text, width - 4).map((line, n) => `  ${n === 0 ? mark : ' '} ${style(line)}`)
}
