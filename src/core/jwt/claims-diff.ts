/**
 * How a token issued by a token exchange (RFC 8693) differs from the subject token it was
 * exchanged for: scope narrowed or widened, audience changed, `act` added (delegation),
 * subject kept or replaced, lifetime shorter or longer, and every claim side by side. Pure:
 * claims come in (from a JWT or an introspection response), a diff goes out; time is passed in.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4.1
 * @module
 */
import { formatDuration } from '../duration.js'
import { epochSeconds } from '../time.js'
import type { JsonObject } from './split.js'

/** One side of the comparison. */
export interface TokenSide {
  /** The token's claims; undefined when unknown (an opaque token nobody introspected). */
  claims?: JsonObject | undefined
  /** Where the claims came from, for the reader. */
  source: 'jwt' | 'introspection' | 'none'
  /** `scope` from the token response, used when the claims have none. */
  scope?: string | undefined
  /** Epoch seconds from `expires_in`, used when the claims have no `exp`. */
  expiresAt?: number | undefined
}

export type ScopeVerdict = 'narrowed' | 'widened' | 'same' | 'changed' | 'unknown'
export interface ScopeDiff {
  before: string[] | null
  after: string[] | null
  removed: string[]
  added: string[]
  verdict: ScopeVerdict
}

export interface AudienceDiff {
  before: string[] | null
  after: string[] | null
  verdict: 'same' | 'changed' | 'unknown'
}

export interface ActorDiff {
  before: unknown
  after: unknown
  verdict: 'added' | 'removed' | 'changed' | 'same' | 'none'
  /** The issued token's actors, current first, then the earlier ones of a delegation chain. */
  chain: string[]
}

export interface LifetimeSide {
  expiresAt: number | null
  /** exp − iat, when both are known. */
  lifetimeSeconds: number | null
  /** exp − now. */
  remainingSeconds: number | null
}
export interface LifetimeDiff {
  before: LifetimeSide
  after: LifetimeSide
  /** after.expiresAt − before.expiresAt: positive when the issued token outlives the subject token. */
  expiresDeltaSeconds: number | null
  verdict: 'shorter' | 'longer' | 'same' | 'unknown'
}

export type ClaimStatus = 'same' | 'changed' | 'added' | 'removed'
export interface ClaimChange {
  claim: string
  status: ClaimStatus
  before?: unknown
  after?: unknown
}

export interface ClaimsDiff {
  scope: ScopeDiff
  audience: AudienceDiff
  actor: ActorDiff
  subject: { before: unknown; after: unknown; same: boolean | null }
  lifetime: LifetimeDiff
  /** Every claim of either token, in the issued token's order, then the ones it dropped. */
  claims: ClaimChange[]
  /** The differences that matter, as sentences, most important first. */
  summary: string[]
  /** Things worth a second look (the issued token outlives the subject token, scope widened). */
  warnings: string[]
}

/** `scope` (space-separated) or `scp` (array or string), else the response's scope. */
export function scopesOf(side: TokenSide): string[] | null {
  const c = side.claims
  const raw = c?.scope ?? c?.scp ?? side.scope
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean)
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string')
  return null
}

/** The audiences; [] for known claims without `aud`, null when the claims are unknown. */
function audiencesOf(side: TokenSide): string[] | null {
  const aud = side.claims?.aud
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud)) return aud.map(String)
  return side.claims ? [] : null
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** The actors of an `act` claim, outermost (current) first. */
export function actorChain(act: unknown): string[] {
  const out: string[] = []
  let a = act
  for (let depth = 0; a && typeof a === 'object' && !Array.isArray(a) && depth < 16; depth++) {
    const o = a as JsonObject
    const who = o.sub ?? o.client_id ?? o.iss
    out.push(typeof who === 'string' ? who : JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'act'))))
    a = o.act
  }
  return out
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as JsonObject)[k])]))
  return v
}

function scopeDiff(subject: TokenSide, issued: TokenSide): ScopeDiff {
  const before = scopesOf(subject)
  const after = scopesOf(issued)
  if (!before || !after) return { before, after, removed: [], added: [], verdict: 'unknown' }
  const removed = before.filter((s) => !after.includes(s))
  const added = after.filter((s) => !before.includes(s))
  const verdict: ScopeVerdict = removed.length && added.length ? 'changed' : removed.length ? 'narrowed' : added.length ? 'widened' : 'same'
  return { before, after, removed, added, verdict }
}

function audienceDiff(subject: TokenSide, issued: TokenSide): AudienceDiff {
  const before = audiencesOf(subject)
  const after = audiencesOf(issued)
  if (!before || !after) return { before, after, verdict: 'unknown' }
  const same = before.length === after.length && before.every((a) => after.includes(a))
  return { before, after, verdict: same ? 'same' : 'changed' }
}

function actorDiff(subject: TokenSide, issued: TokenSide): ActorDiff {
  const before = subject.claims?.act
  const after = issued.claims?.act
  const chain = actorChain(after)
  if (before === undefined && after === undefined) return { before: null, after: null, verdict: 'none', chain }
  const verdict = before === undefined ? 'added' : after === undefined ? 'removed' : sameValue(before, after) ? 'same' : 'changed'
  return { before: before ?? null, after: after ?? null, verdict, chain }
}

function lifetimeSide(side: TokenSide, nowSec: number): LifetimeSide {
  const exp = num(side.claims?.exp) ?? side.expiresAt ?? null
  const iat = num(side.claims?.iat)
  return {
    expiresAt: exp,
    lifetimeSeconds: exp !== null && iat !== null ? exp - iat : null,
    remainingSeconds: exp !== null ? exp - nowSec : null,
  }
}

function lifetimeDiff(subject: TokenSide, issued: TokenSide, now: Date): LifetimeDiff {
  const nowSec = epochSeconds(now)
  const before = lifetimeSide(subject, nowSec)
  const after = lifetimeSide(issued, nowSec)
  if (before.expiresAt === null || after.expiresAt === null) return { before, after, expiresDeltaSeconds: null, verdict: 'unknown' }
  const delta = after.expiresAt - before.expiresAt
  return { before, after, expiresDeltaSeconds: delta, verdict: delta > 0 ? 'longer' : delta < 0 ? 'shorter' : 'same' }
}

function claimChanges(subject: JsonObject | undefined, issued: JsonObject | undefined): ClaimChange[] {
  if (!subject || !issued) return []
  const out: ClaimChange[] = []
  for (const [k, after] of Object.entries(issued)) {
    if (!(k in subject)) out.push({ claim: k, status: 'added', after })
    else {
      const before = subject[k]
      out.push({ claim: k, status: sameValue(before, after) ? 'same' : 'changed', before, after })
    }
  }
  for (const [k, before] of Object.entries(subject)) if (!(k in issued)) out.push({ claim: k, status: 'removed', before })
  return out
}

const list = (xs: readonly string[]) => xs.join(' ')

/** Outliving the subject token by up to this many seconds is not worth a warning. */
export const OUTLIVE_TOLERANCE = 60

/**
 * Compares the issued token with the subject token.
 * @example diffClaims({ claims: subjectPayload, source: 'jwt' }, { claims: issuedPayload, source: 'jwt' }, new Date()).scope.verdict // 'narrowed'
 */
export function diffClaims(subject: TokenSide, issued: TokenSide, now: Date): ClaimsDiff {
  const scope = scopeDiff(subject, issued)
  const audience = audienceDiff(subject, issued)
  const actor = actorDiff(subject, issued)
  const lifetime = lifetimeDiff(subject, issued, now)
  const subBefore = subject.claims?.sub
  const subAfter = issued.claims?.sub
  const sub = { before: subBefore ?? null, after: subAfter ?? null, same: subBefore === undefined || subAfter === undefined ? null : subBefore === subAfter }

  const summary: string[] = []
  const warnings: string[] = []
  switch (scope.verdict) {
    case 'narrowed':
      summary.push(`scope narrowed: ${list(scope.removed)} dropped, ${scope.after!.length ? list(scope.after!) : 'nothing'} kept`)
      break
    case 'widened':
      summary.push(`scope widened: ${list(scope.added)} added`)
      warnings.push(`the issued token has scope the subject token did not (${list(scope.added)}): an exchange should only narrow`)
      break
    case 'changed':
      summary.push(`scope changed: ${list(scope.removed)} dropped, ${list(scope.added)} added`)
      break
    case 'same':
      summary.push(`scope unchanged: ${list(scope.after!) || '(empty)'}`)
      break
    default:
      if (scope.after) summary.push(`scope: ${list(scope.after) || '(empty)'} (the subject token's is not known)`)
  }
  const auds = (xs: readonly string[]) => list(xs) || '(none)'
  if (audience.verdict === 'changed') summary.push(`audience changed: ${auds(audience.before!)} → ${auds(audience.after!)}`)
  else if (audience.verdict === 'same' && audience.after!.length) summary.push(`audience unchanged: ${list(audience.after!)}`)
  else if (audience.verdict === 'unknown' && audience.after?.length) summary.push(`audience: ${list(audience.after)}`)
  if (actor.verdict === 'added') summary.push(`act added: ${actor.chain[0]} acts for ${String(subAfter ?? subBefore ?? 'the subject')} (delegation)`)
  else if (actor.verdict === 'changed') summary.push(`act changed: actors now ${actor.chain.join(' ← ')}`)
  else if (actor.verdict === 'removed') summary.push('act removed: the issued token names no actor (impersonation)')
  else if (actor.verdict === 'none' && issued.claims) summary.push('no act claim: the issued token does not name an actor (impersonation, not delegation)')
  if (sub.same === false) summary.push(`subject changed: ${String(subBefore)} → ${String(subAfter)}`)
  if (lifetime.verdict !== 'unknown') {
    const d = lifetime.expiresDeltaSeconds!
    summary.push(
      d === 0 ? 'expires at the same time as the subject token' : `expires ${formatDuration(Math.abs(d))} ${d < 0 ? 'before' : 'after'} the subject token`,
    )
    // a new token's lifetime counts from now: seconds past the subject's end are the exchange's own latency
    if (d > OUTLIVE_TOLERANCE) warnings.push(`the issued token outlives the subject token by ${formatDuration(Math.abs(d))}`)
  }
  return { scope, audience, actor, subject: sub, lifetime, claims: claimChanges(subject.claims, issued.claims), summary, warnings }
}
