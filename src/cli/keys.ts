/**
 * The key source of `verify`: `--key FILE`, `--jwks URL|FILE`, `--issuer URL` (discovery →
 * `jwks_uri`) or `--secret`. Reads files and fetches remote sets; hands core/jwt/verify a
 * KeySource whose lookup selects keys by `kid` (refetching a remote set once for an unknown
 * kid: key rotation). Keys in the token header (`jwk`, `jku`, `x5u`, `x5c`) play no part.
 * @module
 */
import { importJWK, type CryptoKey, type JWK } from 'jose'
import { InputError, NetworkError, UsageError } from '../errors.js'
import { incompatibleRequested, type KeyDescriptor } from '../core/jwt/alg-policy.js'
import type { KeyLookup, KeySource, VerifyKey } from '../core/jwt/verify.js'
import type { JsonObject } from '../core/jwt/split.js'
import { parseVerificationKeys } from '../core/keys/parse.js'
import { JwksResolver } from '../oauth/jwks.js'
import { readFileArg } from './input.js'
import { resolveSecretArg } from './secret-arg.js'
import type { Deps } from './deps.js'

export interface KeySourceFlags {
  issuer?: string
  jwks?: string
  key?: string
  secret?: string
}

export interface ResolvedKeySource {
  source: KeySource
  /** For the report: "--key pub.pem (PEM public key)", "JWKS https://…". */
  description: string
  /** The `Date` headers of the servers the keys came from (discovery, JWKS), for the clock warning. */
  serverDates: { date: Date; who: string }[]
}

/** Resolves the one key source the flags name. Remote sets are fetched now (exit 3 on failure). */
export async function resolveKeySource(
  flags: KeySourceFlags,
  deps: Pick<Deps, 'fetch' | 'now' | 'env' | 'cwd'>,
  algorithms: readonly string[],
): Promise<ResolvedKeySource> {
  const given = (['issuer', 'jwks', 'key', 'secret'] as const).filter((f) => flags[f] !== undefined)
  if (given.length === 0) throw new UsageError('no key to verify with: give --issuer URL, --jwks URL|FILE, --key FILE or --secret S')
  if (given.length > 1) throw new UsageError(`give one key source, not ${given.map((g) => '--' + g).join(' and ')}`)

  if (flags.secret !== undefined) {
    const secret = await resolveSecretArg(flags.secret, deps, '--secret')
    if (/^\s*-----BEGIN/.test(secret) || /^\s*\{/.test(secret)) {
      throw new UsageError('--secret looks like a PEM key or a JWK: pass keys with --key (a key is never used as an HMAC secret)')
    }
    const key = secretKey(new TextEncoder().encode(secret), 'the --secret')
    checkRequested(key.descriptor, algorithms, '--secret')
    return { source: staticSource([key]), description: '--secret (HMAC)', serverDates: [] }
  }
  if (flags.key !== undefined) {
    const text = await readFileArg(flags.key, deps, 'key file')
    const parsed = parseVerificationKeys(text, `key file ${flags.key}`)
    const keys = parsed.keys.filter(forSigning).map((jwk) => jwkKey(jwk, labelFor(jwk, flags.key!)))
    if (keys.length === 1) checkRequested(keys[0]!.descriptor, algorithms, `the key in ${flags.key}`)
    return { source: staticSource(keys), description: `--key ${flags.key} (${parsed.kind})`, serverDates: [] }
  }
  if (flags.jwks !== undefined && !/^https?:\/\//i.test(flags.jwks)) {
    const text = await readFileArg(flags.jwks, deps, 'JWKS file')
    const parsed = parseVerificationKeys(text, `JWKS file ${flags.jwks}`)
    return { source: staticSource(parsed.keys.filter(forSigning).map((jwk) => jwkKey(jwk, labelFor(jwk, flags.jwks!)))), description: `--jwks ${flags.jwks} (${parsed.kind})`, serverDates: [] }
  }
  let url = flags.jwks
  const serverDates: { date: Date; who: string }[] = []
  let description = `--jwks ${url}`
  if (flags.issuer !== undefined) {
    const { discoverIssuer } = await import('../oauth/discovery.js')
    const d = await discoverIssuer(flags.issuer, deps)
    if (typeof d.metadata.jwks_uri !== 'string') throw new NetworkError(`issuer ${flags.issuer} publishes no jwks_uri in its discovery document`)
    url = d.metadata.jwks_uri
    if (d.serverDate) serverDates.push({ date: d.serverDate, who: 'issuer' })
    description = `--issuer ${flags.issuer} (JWKS ${url})`
  }
  const resolver = new JwksResolver(url!, deps)
  const first = await resolver.get()
  if (first.serverDate) serverDates.push({ date: first.serverDate, who: flags.issuer !== undefined ? 'issuer' : 'JWKS server' })
  return { source: remoteSource(resolver), description, serverDates }
}

/** `--alg` values a single user-given key can never verify are a usage error, said up front. */
function checkRequested(d: KeyDescriptor, algorithms: readonly string[], what: string): void {
  const bad = incompatibleRequested(d, algorithms)
  if (bad.length > 0) throw new UsageError(`--alg ${bad[0]!.alg} cannot be used with ${what}: ${bad[0]!.reason}`)
}

function labelFor(jwk: JWK, from: string): string {
  return jwk.kid !== undefined ? `kid "${jwk.kid}" from ${from}` : `${jwk.kty === 'oct' ? 'secret' : `${jwk.kty} key`} from ${from}`
}

export function descriptorOf(jwk: JWK): KeyDescriptor {
  if (jwk.kty === 'oct') return jwk.alg !== undefined ? { type: 'secret', alg: jwk.alg } : { type: 'secret' }
  const d: KeyDescriptor = { type: 'public', kty: jwk.kty ?? '?' }
  if (jwk.crv !== undefined) d.crv = jwk.crv
  if (jwk.alg !== undefined) d.alg = jwk.alg
  return d
}

/** A JWK as a VerifyKey; material imported once per algorithm. */
export function jwkKey(jwk: JWK, label: string): VerifyKey {
  const cache = new Map<string, Promise<CryptoKey | Uint8Array>>()
  const descriptor = descriptorOf(jwk)
  // Only the key itself: `use`/`key_ops`/`ext` would restrict the imported CryptoKey's usages.
  const { use: _u, key_ops: _o, ext: _e, ...bare } = jwk
  const key: VerifyKey = {
    descriptor,
    label,
    material(alg) {
      let m = cache.get(alg)
      if (!m) {
        m = importJWK({ ...bare, alg }, alg).catch((e: unknown) => {
          throw new InputError(`${label}: cannot use it for ${alg}: ${(e as Error).message}`)
        }) as Promise<CryptoKey | Uint8Array>
        cache.set(alg, m)
      }
      return m
    },
  }
  if (jwk.kid !== undefined) key.kid = jwk.kid
  return key
}

function secretKey(bytes: Uint8Array, label: string): VerifyKey {
  return { descriptor: { type: 'secret' }, label, material: async () => bytes }
}

/** Keys for verifying, never encryption keys. */
const forSigning = (jwk: JWK): boolean => jwk.use === undefined || jwk.use === 'sig'

/**
 * Selection in a fixed set: by `kid` when the token has one and the set uses kids; every key
 * when the set has no kids (a PEM file), so a single key is always tried.
 */
function staticSource(keys: VerifyKey[]): KeySource {
  const anyKid = keys.some((k) => k.kid !== undefined)
  return {
    async lookup(header: JsonObject): Promise<KeyLookup> {
      const kid = typeof header.kid === 'string' ? header.kid : undefined
      if (kid === undefined || !anyKid) return { keys }
      return { keys: keys.filter((k) => k.kid === kid) }
    },
  }
}

function remoteSource(resolver: JwksResolver): KeySource {
  const converted = new WeakMap<JWK, VerifyKey>()
  const toKey = (jwk: JWK): VerifyKey => {
    let k = converted.get(jwk)
    if (!k) {
      k = jwkKey(jwk, labelFor(jwk, resolver.url))
      converted.set(jwk, k)
    }
    return k
  }
  return {
    async lookup(header: JsonObject): Promise<KeyLookup> {
      const kid = typeof header.kid === 'string' ? header.kid : undefined
      const r = await resolver.lookup(kid)
      const keys = r.keys.filter(forSigning).map(toKey)
      const out: KeyLookup = { keys }
      if (r.refetched) out.note = keys.length > 0 ? 'found after refetching the JWKS: the keys were rotated' : 'not found even after refetching the JWKS once'
      else if (r.cooledDown) out.note = 'JWKS not refetched: it was refetched less than 30s ago'
      return out
    },
  }
}
