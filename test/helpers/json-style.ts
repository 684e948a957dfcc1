/**
 * Checks for the `--json` field rule (README "JSON output"): tokentool's own field names are
 * snake_case; protocol and claim objects keep the names they came with; the 0.1 camelCase names
 * listed in DEPRECATED_ALIASES are written beside their new names with the same value (an
 * ISO time there for a unix-seconds `*_at`) until 0.3. Written apart from src/render/json-fields.ts
 * so that the tests do not check the implementation with itself.
 */
import { expect } from 'vitest'

/**
 * Values tokentool passes on as it got them (a JWT's header and payload, a server's response or
 * metadata, challenge parameters, claims, HTTP headers and body, user-given maps): not checked.
 */
export const PROTOCOL_OBJECTS = new Set([
  'header',
  'payload',
  'disclosed_payload',
  'claims',
  'id_token_claims',
  'response',
  'metadata',
  'endpoints',
  'params',
  'headers',
  'body',
  'value',
  'before',
  'after',
  'details',
  'authorization_details',
])

/** Every 0.1 name that 0.2 still writes (deprecated, removed in 0.3), as the README lists them. */
export const DEPRECATED_ALIASES = new Set([
  // error document
  'exitCode',
  // decode
  'kindInfo', 'headerBytes', 'lifetimeSeconds', 'inSeconds', 'bindingCheck', 'dpopProof', 'athMatches',
  'encryptedKeyBytes', 'ivBytes', 'ciphertextBytes', 'tagBytes', 'sdJwt', 'hashAlg', 'keyBinding', 'sdHash', 'disclosedPayload',
  // verify, explain, cae decode, call
  'keySource', 'dpopNonce', 'serverDate', 'skewSeconds', 'claimsError', 'statusText', 'bodyEncoding', 'steppedUp', 'acrValues', 'maxAge',
  // discover
  'discoveryUrl', 'clockSkewSeconds', 'grantsAdvertised', 'tokenExchange', 'deviceFlow', 'issParameter', 'parRequired', 'boundTokens',
  'authorizationDetailsTypes', 'claimsParameter', 'clientAuthMethods', 'responseTypes', 'metadataUrl',
  // profiles, status, logout
  'clientId', 'hasTokens', 'hasRefreshToken', 'accessTokenExpiresAt', 'cacheKey', 'tokenType', 'expiresAt', 'obtainedAt',
  'refreshToken', 'idToken', 'accessTokens', 'accessToken', 'secondsLeft', 'clientCredentials', 'clientAuth', 'clientSecret',
  'clientKey', 'clientAssertionAudience', 'gitHosts', 'dpopKey',
  // simulate
  'accessTtl', 'refreshBefore', 'revokeAt', 'ordinaryAccessTtl', 'caeAccessTtl', 'caeLatency', 'introspectionCache', 'tokensIssued',
  'sessionEnd', 'reauthRequiredAt', 'lastAccessToken', 'issuedAt', 'tokenSets', 'tokenExpiresAt', 'continuesFor', 'enforcedWithin',
  'accessExpiresAt', 'refreshExpiresAt', 'refreshLimit',
])

/** The snake_case form of a camelCase name, by the README's rule. */
export const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * Two names that are tokentool's own in one place: decode's `times.claims` (its reading of each
 * time claim, not a claim set) and explain's `response` (what it read from the response head,
 * beside `causes`; elsewhere `response` is a server's).
 */
const isProtocol = (key: string, parent: string | undefined, container: Record<string, unknown>) =>
  PROTOCOL_OBJECTS.has(key) && !(key === 'claims' && parent === 'times') && !(key === 'response' && 'causes' in container)

const isCamel = (k: string) => /^[a-z][a-z0-9]*[A-Z]/.test(k)
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

export interface StyleFindings {
  /** Paths of camelCase own fields that are not listed aliases. */
  camel: string[]
  /** Aliases seen, by name. */
  aliases: Set<string>
}

/** Walks a document: camelCase own fields that are not aliases, and the aliases it holds. */
export function styleFindings(doc: unknown, path = '$', found: StyleFindings = { camel: [], aliases: new Set() }, parent?: string): StyleFindings {
  if (Array.isArray(doc)) doc.forEach((v, i) => styleFindings(v, `${path}[${i}]`, found, parent))
  else if (isObject(doc)) {
    for (const [k, v] of Object.entries(doc)) {
      if (DEPRECATED_ALIASES.has(k)) {
        found.aliases.add(k)
        continue // the 0.1 subtree, kept as it was
      }
      if (isCamel(k)) found.camel.push(`${path}.${k}`)
      if (!isProtocol(k, parent, doc)) styleFindings(v, `${path}.${k}`, found, k)
    }
  }
  return found
}

/**
 * Every alias has its snake_case sibling, with the same value: the same number, string or
 * boolean; for an ISO time, the unix seconds of it; for an object, field by field the same.
 */
export function expectAliasesEqual(doc: unknown, path = '$', parent?: string): void {
  if (Array.isArray(doc)) return doc.forEach((v, i) => expectAliasesEqual(v, `${path}[${i}]`, parent))
  if (!isObject(doc)) return
  for (const [k, v] of Object.entries(doc)) {
    if (DEPRECATED_ALIASES.has(k)) {
      expect(Object.keys(doc), `${path}.${k} has no ${snake(k)} beside it`).toContain(snake(k))
      expectSame(v, doc[snake(k)], `${path}.${k}`)
    } else if (!isProtocol(k, parent, doc)) expectAliasesEqual(v, `${path}.${k}`, k)
  }
}

function expectSame(old: unknown, now: unknown, path: string, parent?: string): void {
  if (typeof old === 'string' && typeof now === 'number' && /^\d{4}-\d\d-\d\dT/.test(old)) {
    expect(Date.parse(old) / 1000, `${path}: ISO ${old} vs ${now}`).toBe(now)
  } else if (Array.isArray(old)) {
    expect(Array.isArray(now), path).toBe(true)
    expect((now as unknown[]).length, path).toBe(old.length)
    old.forEach((v, i) => expectSame(v, (now as unknown[])[i], `${path}[${i}]`, parent))
  } else if (isObject(old)) {
    expect(isObject(now), path).toBe(true)
    const n = now as Record<string, unknown>
    for (const [k, v] of Object.entries(old)) {
      const name = isCamel(k) ? snake(k) : k
      if (isProtocol(name, parent, old) || isProtocol(k, parent, old)) expect(n[name], `${path}.${k}`).toEqual(v)
      else expectSame(v, n[name], `${path}.${k}`, name)
    }
  } else expect(now, path).toEqual(old)
}

/** The rule, asserted on one `--json` document; returns the aliases it holds. */
export function expectJsonStyle(doc: unknown, what: string): Set<string> {
  const f = styleFindings(doc)
  expect(f.camel, `${what}: camelCase fields that are neither snake_case nor a listed alias`).toEqual([])
  expectAliasesEqual(doc)
  return f.aliases
}
