/**
 * `discover`: the discovery document (validated by `discoverIssuer`), the JWKS behind its
 * `jwks_uri` with RFC 7638 thumbprints, and the summary of what the server supports.
 * @module
 */
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { Deps } from '../deps.js'
import { summarizeDiscovery, type DiscoverySummary, type KeySummary } from '../core/discovery-summary.js'
import { NetworkError } from '../errors.js'
import { discoverIssuer } from './discovery.js'
import { fetchJwks } from './jwks.js'

export async function discover(issuer: string, deps: Pick<Deps, 'fetch' | 'now'>): Promise<DiscoverySummary> {
  const found = await discoverIssuer(issuer, deps)
  const jwksUri = found.metadata.jwks_uri
  let keys: KeySummary[] = []
  let serverDate = found.serverDate
  if (typeof jwksUri === 'string') {
    const fetched = await fetchJwks(jwksUri, deps)
    keys = await Promise.all(fetched.jwks.keys.map((k) => keySummary(k as JWK, jwksUri)))
    serverDate ??= fetched.serverDate
  }
  return summarizeDiscovery({
    metadata: found.metadata,
    discoveryUrl: found.url,
    keys,
    ...(serverDate ? { serverDate } : {}),
    now: deps.now(),
  })
}

async function keySummary(jwk: JWK, jwksUri: string): Promise<KeySummary> {
  let thumbprint: string
  try {
    thumbprint = await calculateJwkThumbprint(jwk, 'sha256')
  } catch (e) {
    // a key missing its required members (RFC 7638 §3.2) is a broken JWKS, not a usage error
    throw new NetworkError(`JWKS at ${jwksUri} has an invalid ${jwk.kty ?? 'untyped'} key${jwk.kid ? ` (kid ${jwk.kid})` : ''}: ${(e as Error).message}`)
  }
  return {
    ...(jwk.kid !== undefined ? { kid: jwk.kid } : {}),
    kty: String(jwk.kty),
    ...(jwk.alg !== undefined ? { alg: jwk.alg } : {}),
    ...(jwk.use !== undefined ? { use: jwk.use } : {}),
    ...(jwk.crv !== undefined ? { crv: jwk.crv } : {}),
    thumbprint,
  }
}
