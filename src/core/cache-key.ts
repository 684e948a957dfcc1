/**
 * The key of a cached access token: a stable hash of everything that shapes the token
 * (issuer, client, grant, scope, audience, resource, claims, extra parameters), normalised
 * so that the same request spelled differently (`"b a"` vs `"a b"`, a claims object with its
 * members in another order) finds the same entry. Pure.
 * @module
 */
// @noble/hashes, not node:crypto: loading node:crypto costs 15.7 M instructions (a fifth of
// `node -e 0`), and a `token` answered from its cache needs nothing else of it
import { sha256 } from '@noble/hashes/sha2.js'

export interface CacheKeyParts {
  issuer: string
  clientId?: string | undefined
  /** e.g. `authorization_code`, `refresh_token`, `client_credentials`, `urn:ietf:params:oauth:grant-type:token-exchange`. */
  grant: string
  /** Space-separated string or list; order and duplicates do not matter. */
  scope?: string | readonly string[] | undefined
  audience?: string | readonly string[] | undefined
  resource?: string | readonly string[] | undefined
  /** A claims request: an object, or its JSON text. */
  claims?: unknown
  /** Any other request parameter that changes the token (e.g. `--param`, DPoP key thumbprint). */
  extra?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined
}

/** The canonical form that is hashed; also what a store may show as "what shaped this token". */
export interface NormalizedKeyParts {
  v: 1
  issuer: string
  clientId?: string
  grant: string
  scope?: string[]
  audience?: string[]
  resource?: string[]
  claims?: unknown
  extra?: Record<string, string[]>
}

function list(v: string | readonly string[] | undefined, split: boolean): string[] | undefined {
  if (v === undefined) return undefined
  const items = (typeof v === 'string' ? (split ? v.split(/\s+/) : [v]) : [...v]).map((s) => s.trim()).filter(Boolean)
  const out = [...new Set(items)].sort()
  return out.length ? out : undefined
}

function parseClaims(claims: unknown): unknown {
  if (claims === undefined || claims === null || claims === '') return undefined
  if (typeof claims === 'string') {
    try {
      return JSON.parse(claims)
    } catch {
      return claims.trim()
    }
  }
  return claims
}

/** JSON with object keys sorted at every depth (arrays keep their order: it can matter). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function normalizeKeyParts(parts: CacheKeyParts): NormalizedKeyParts {
  const n: NormalizedKeyParts = { v: 1, issuer: parts.issuer.trim(), grant: parts.grant.trim() }
  const clientId = parts.clientId?.trim()
  if (clientId) n.clientId = clientId
  const scope = list(parts.scope, true)
  if (scope) n.scope = scope
  const audience = list(parts.audience, false)
  if (audience) n.audience = audience
  const resource = list(parts.resource, false)
  if (resource) n.resource = resource
  const claims = parseClaims(parts.claims)
  if (claims !== undefined) n.claims = claims
  if (parts.extra) {
    const extra: Record<string, string[]> = {}
    for (const [k, v] of Object.entries(parts.extra)) {
      const l = list(v, false)
      if (l) extra[k] = l
    }
    if (Object.keys(extra).length) n.extra = extra
  }
  return n
}

/**
 * `ck1-` and the base64url SHA-256 of the canonical parts.
 * @example cacheKey({ issuer: 'https://as.example', clientId: 'cli', grant: 'client_credentials', scope: 'b a' })
 *   === cacheKey({ issuer: 'https://as.example', clientId: 'cli', grant: 'client_credentials', scope: ['a', 'b', 'a'] })
 */
export function cacheKey(parts: CacheKeyParts): string {
  const digest = sha256(new TextEncoder().encode(canonicalJson(normalizeKeyParts(parts))))
  return 'ck1-' + Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('base64url')
}
