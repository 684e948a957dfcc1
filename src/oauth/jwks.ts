/**
 * Fetches a JSON Web Key Set over HTTP (size-limited, validated) and resolves keys by `kid`
 * with key rotation in mind: an unknown `kid` refetches the set once, never more than once per
 * cooldown (30 s), so a stream of forged kids cannot turn tokentool into a request amplifier.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @module
 */
import type { JSONWebKeySet, JWK } from 'jose'
import type { Deps } from '../deps.js'
import { NetworkError, UsageError } from '../errors.js'
import { isSecureOrLoopback } from '../http/loopback.js'
import { networkFailure } from '../http/net-errors.js'
import { readBodyLimited } from '../http/read-limited.js'

/** A JWKS larger than this is not a key set (real ones are a few KiB). */
export const JWKS_MAX_BYTES = 512 * 1024
/** No refetch for an unknown `kid` within this long of the previous refetch. */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000

export interface FetchedJwks {
  jwks: JSONWebKeySet
  /** The server's `Date` header, to compare clocks (the commonest cause of "used before issued"). */
  serverDate?: Date
}

/**
 * GETs `url` and returns the key set. Throws NetworkError (exit 3) when the server is
 * unreachable, answers with a non-2xx status, or sends something that is not a JWKS.
 */
export async function fetchJwks(url: string, deps: Pick<Deps, 'fetch' | 'now'>): Promise<FetchedJwks> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError(`JWKS URL "${url}" is not a valid URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`JWKS URL must be http(s), not ${parsed.protocol}`)
  }
  // Keys fetched over plain http could be swapped by anyone on the path: only loopback may.
  if (!isSecureOrLoopback(parsed)) throw new UsageError(`JWKS URL must use https (plain http is allowed only for loopback): ${parsed.href}`)
  const fetch = await deps.fetch()
  let res: Response
  try {
    res = await fetch(parsed.href, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'follow',
    })
  } catch (e) {
    throw fetchFailure(e, parsed.href, 'cannot fetch JWKS from')
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    throw new NetworkError(`JWKS endpoint ${parsed.href} answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`)
  }
  const text = await readLimited(res, JWKS_MAX_BYTES, parsed.href)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new NetworkError(`JWKS endpoint ${parsed.href} did not return JSON`)
  }
  const jwks = asJwks(body)
  if (!jwks) throw new NetworkError(`JWKS endpoint ${parsed.href} did not return a JWK Set (an object with a "keys" array of JWKs)`)
  const serverDate = parseHttpDate(res.headers.get('date'))
  return serverDate ? { jwks, serverDate } : { jwks }
}

/** The body as text, refusing more than `limit` bytes. */
async function readLimited(res: Response, limit: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {})
    throw new NetworkError(`JWKS from ${url} is ${declared} bytes, over the ${limit}-byte limit`)
  }
  try {
    const bytes = await readBodyLimited(res.body, limit, () => new NetworkError(`JWKS from ${url} is over the ${limit}-byte limit`))
    return Buffer.from(bytes).toString('utf8')
  } catch (e) {
    if (e instanceof NetworkError) throw e
    throw fetchFailure(e, url, 'reading JWKS from')
  }
}

/** The value as a JWKS when it is one: `{ keys: [ { kty: string, ... }, ... ] }`. */
export function asJwks(value: unknown): JSONWebKeySet | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const keys = (value as { keys?: unknown }).keys
  if (!Array.isArray(keys)) return undefined
  for (const k of keys) {
    if (typeof k !== 'object' || k === null || typeof (k as JWK).kty !== 'string') return undefined
  }
  return value as JSONWebKeySet
}

function parseHttpDate(value: string | null): Date | undefined {
  if (!value) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms)
}

/** One line that says which JWKS and what went wrong (the HTTP layer names the host and cause). */
function fetchFailure(e: unknown, url: string, doing: string): NetworkError {
  const ne = networkFailure(e, { url })
  return new NetworkError(`${doing} ${url}: ${ne.message}`, { cause: ne, ...(ne.hint ? { hint: ne.hint } : {}) })
}

/** Why the resolver could not produce keys for a `kid`, or the keys it found. */
export interface KidLookup {
  /** Keys whose `kid` matches (all keys when the token has no `kid`). */
  keys: JWK[]
  /** True when this lookup refetched the set because the `kid` was unknown. */
  refetched: boolean
  /** True when the `kid` was unknown but the cooldown forbade a refetch. */
  cooledDown: boolean
}

/**
 * Remote key set with rotation: the set is fetched on first use; a `kid` it does not hold
 * refetches it once, unless the last refetch was less than `cooldownMs` ago.
 */
export class JwksResolver {
  private current: FetchedJwks | undefined
  private lastRefetchMs = Number.NEGATIVE_INFINITY
  private refetching: Promise<FetchedJwks> | undefined
  /** Number of HTTP fetches made (for tests and `-v`). */
  fetches = 0

  constructor(
    readonly url: string,
    private readonly deps: Pick<Deps, 'fetch' | 'now'>,
    private readonly cooldownMs = JWKS_REFETCH_COOLDOWN_MS,
  ) {}

  /** The key set, fetched once. */
  async get(): Promise<FetchedJwks> {
    if (!this.current) {
      this.current = await fetchJwks(this.url, this.deps)
      this.fetches++
    }
    return this.current
  }

  /** Keys for `kid` (or every key when `kid` is undefined), refetching once for an unknown kid. */
  async lookup(kid: string | undefined): Promise<KidLookup> {
    const { jwks } = await this.get()
    if (kid === undefined) return { keys: jwks.keys, refetched: false, cooledDown: false }
    const found = jwks.keys.filter((k) => k.kid === kid)
    if (found.length > 0) return { keys: found, refetched: false, cooledDown: false }
    // Concurrent lookups (the --batch window) share one refetch instead of each being refused.
    if (!this.refetching) {
      const nowMs = this.deps.now().getTime()
      if (nowMs - this.lastRefetchMs < this.cooldownMs) return { keys: [], refetched: false, cooledDown: true }
      this.lastRefetchMs = nowMs
      this.refetching = fetchJwks(this.url, this.deps).finally(() => (this.refetching = undefined))
      this.current = await this.refetching
      this.fetches++
    } else {
      await this.refetching
    }
    return { keys: this.current!.jwks.keys.filter((k) => k.kid === kid), refetched: true, cooledDown: false }
  }
}
