/**
 * The key source of `verify`: `--key FILE`, `--jwks URL|FILE`, `--issuer URL` (discovery →
 * `jwks_uri`) or `--secret`. Reads files and fetches remote sets; hands core/jwt/verify a
 * KeySource whose lookup selects keys by `kid` (refetching a remote set once for an unknown
 * kid: key rotation). Keys in the token header (`jwk`, `jku`, `x5u`, `x5c`) play no part.
 * @module
 */
import type { CryptoKey, JWK } from 'jose'
import { InputError, NetworkError, UsageError } from '../errors.js'
import { incompatibleRequested, type KeyDescriptor } from '../core/jwt/alg-policy.js'
import type { KeyLookup, KeySource, VerifyKey } from '../core/jwt/verify.js'
import type { JsonObject } from '../core/jwt/split.js'
import { parseVerificationKeys } from '../core/keys/parse.js'
import { screenVerificationKeys } from '../core/keys/screen.js'
import { JwksResolver, type KidLookup } from '../oauth/jwks.js'
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
  /** About the keys: refused weak keys, a secret in a published set, duplicate kids. */
  warnings: string[]
  /** What a `verify --batch` worker needs to build the same source (verify-pool.ts). */
  shared: SharedKeySource
}

/**
 * A key source in a form another thread can receive: the key text read from a file (parsed
 * there the same way), the --secret's bytes, or a remote set's resolver, which stays on this
 * thread (its fetches and refetches) while the workers get its keys.
 */
export type SharedKeySource =
  | { kind: 'text'; text: string; what: string; from: string }
  | { kind: 'secret'; bytes: Uint8Array }
  | { kind: 'remote'; resolver: JwksResolver }

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
    const bytes = new TextEncoder().encode(secret)
    const key = secretKey(bytes)
    checkRequested(key.descriptor, algorithms, '--secret')
    return { source: staticSource([key], []), description: '--secret (HMAC)', serverDates: [], warnings: [], shared: { kind: 'secret', bytes } }
  }
  if (flags.key !== undefined || flags.jwks !== undefined && !/^https?:\/\//i.test(flags.jwks)) {
    const path = (flags.key ?? flags.jwks)!
    const what = flags.key !== undefined ? 'key file' : 'JWKS file'
    const text = await readFileArg(path, deps, what)
    const local = keySourceFromText(text, `${what} ${path}`, path)
    if (flags.key !== undefined && local.keys.length === 1) checkRequested(local.keys[0]!.descriptor, algorithms, `the key in ${path}`)
    return {
      source: local.source,
      description: `--${flags.key !== undefined ? 'key' : 'jwks'} ${path} (${local.kind})`,
      serverDates: [],
      warnings: local.warnings,
      shared: { kind: 'text', text, what: `${what} ${path}`, from: path },
    }
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
  const { warnings } = screenVerificationKeys(first.jwks.keys, { remote: true, name: (jwk) => labelFor(jwk, resolver.url) })
  return { source: remoteSource(resolver), description, serverDates, warnings, shared: { kind: 'remote', resolver } }
}

/**
 * Key text (PEM, JWK, JWK Set) → a KeySource, screened (screen.ts): what `--key FILE` and
 * `--jwks FILE` verify with. `what` names the text in errors, `from` in key labels.
 */
export function keySourceFromText(text: string, what: string, from: string): { source: KeySource; keys: VerifyKey[]; kind: string; warnings: string[] } {
  const parsed = parseVerificationKeys(text, what)
  const screened = screenVerificationKeys(parsed.keys, { remote: false, name: (jwk) => labelFor(jwk, from) })
  const keys = screened.usable.map((jwk) => jwkKey(jwk, labelFor(jwk, from)))
  const excluded = screened.excluded.map((x) => ({ kid: x.jwk.kid, why: `${labelFor(x.jwk, from)} was left out: ${x.reason}` }))
  return { source: staticSource(keys, excluded), keys, kind: parsed.kind, warnings: screened.warnings }
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
  if (jwk.kty === 'oct') {
    // the length only of a JWK that carries its key (`k`); a --secret passphrase has no JWK
    const d: KeyDescriptor = { type: 'secret' }
    if (jwk.alg !== undefined) d.alg = jwk.alg
    if (typeof jwk.k === 'string') d.bytes = Buffer.from(jwk.k, 'base64url').length
    return d
  }
  const d: KeyDescriptor = { type: 'public', kty: jwk.kty ?? '?' }
  if (jwk.crv !== undefined) d.crv = jwk.crv
  if (jwk.alg !== undefined) d.alg = jwk.alg
  return d
}

/** A JWK as a VerifyKey; material imported once per algorithm. */
export function jwkKey(jwk: JWK, label: string): VerifyKey {
  const cache = new Map<string, Promise<CryptoKey | Uint8Array>>()
  // the imported material per algorithm, once its import has finished (materialAtHand)
  const imported = new Map<string, CryptoKey | Uint8Array>()
  const descriptor = descriptorOf(jwk)
  // Only the key itself: `use`/`key_ops`/`ext` would restrict the imported CryptoKey's usages.
  const { use: _u, key_ops: _o, ext: _e, ...bare } = jwk
  const key: VerifyKey = {
    descriptor,
    label,
    ...(jwk.kty === 'oct' && typeof jwk.k === 'string' ? { secretBytes: Buffer.from(jwk.k, 'base64url').length } : {}),
    material(alg) {
      let m = cache.get(alg)
      if (!m) {
        // jose is loaded when a key is first used: a --batch run's main thread never needs it
        m = import('jose').then(({ importJWK }) => importJWK({ ...bare, alg }, alg)).then(
          (k) => {
            imported.set(alg, k)
            return k
          },
          (e: unknown) => {
            throw new InputError(`${label}: cannot use it for ${alg}: ${(e as Error).message}`)
          },
        ) as Promise<CryptoKey | Uint8Array>
        cache.set(alg, m)
      }
      return m
    },
    materialAtHand: (alg) => imported.get(alg),
  }
  if (jwk.kid !== undefined) key.kid = jwk.kid
  return key
}

/** The --secret as a VerifyKey. */
export function secretKey(bytes: Uint8Array): VerifyKey {
  return { descriptor: { type: 'secret' }, label: 'the --secret', secretBytes: bytes.length, material: async () => bytes, materialAtHand: () => bytes }
}

/** A source of exactly these keys (--secret). */
export function keysSource(keys: VerifyKey[]): KeySource {
  return staticSource(keys, [])
}

/**
 * Selection in a fixed set: by `kid` when the token has one and the set uses kids; every key
 * when the set has no kids (a PEM file), so a single key is always tried. When nothing matches,
 * the keys left out by screening (and why) are the note.
 */
function staticSource(keys: VerifyKey[], excluded: { kid: string | undefined; why: string }[]): KeySource {
  const anyKid = keys.some((k) => k.kid !== undefined) || excluded.some((x) => x.kid !== undefined)
  // the same answer for the same kid, worked out once (the verifier's per-array plans rest on it);
  // a bounded memory: a stream of made-up kids cannot grow it
  const answers = new Map<string | undefined, KeyLookup>()
  const answer = (kid: string | undefined): KeyLookup => {
    const found = kid === undefined || !anyKid ? keys : keys.filter((k) => k.kid === kid)
    if (found.length > 0) return { keys: found }
    const why = excluded.filter((x) => kid === undefined || !anyKid || x.kid === kid).map((x) => x.why)
    return why.length > 0 ? { keys: [], note: why.join('; ') } : { keys: [] }
  }
  const lookupAtHand = (header: JsonObject): KeyLookup => {
    const kid = typeof header.kid === 'string' ? header.kid : undefined
    let a = answers.get(kid)
    if (a === undefined) {
      if (answers.size >= 64) answers.clear()
      answers.set(kid, (a = answer(kid)))
    }
    return a
  }
  return { lookup: async (header) => lookupAtHand(header), lookupAtHand }
}

/**
 * What remoteSource needs of a resolver: JwksResolver, or a worker's view of one
 * (verify-worker.ts), which may also answer a kid it holds without waiting.
 */
export type KidResolver = Pick<JwksResolver, 'url' | 'lookup'> & { lookupAtHand?(kid: string | undefined): KidLookup | undefined }

export function remoteSource(resolver: KidResolver): KeySource {
  const converted = new WeakMap<JWK, VerifyKey>()
  const toKey = (jwk: JWK): VerifyKey => {
    let k = converted.get(jwk)
    if (!k) {
      k = jwkKey(jwk, labelFor(jwk, resolver.url))
      converted.set(jwk, k)
    }
    return k
  }
  // a resolver that hands back the same array for the same kid gets it screened once, and the
  // same answer (the verifier's per-array plans rest on it)
  const plain = new WeakMap<readonly JWK[], KeyLookup>()
  const answer = (r: KidLookup): KeyLookup => {
    const quiet = !r.refetched && !r.cooledDown
    const known = quiet ? plain.get(r.keys) : undefined
    if (known !== undefined) return known
    const screened = screenVerificationKeys(r.keys, { remote: true, name: (jwk) => labelFor(jwk, resolver.url) })
    const keys = screened.usable.map(toKey)
    const out: KeyLookup = { keys }
    if (keys.length === 0 && screened.excluded.length > 0) out.note = screened.excluded.map((x) => `${labelFor(x.jwk, resolver.url)} was left out: ${x.reason}`).join('; ')
    else if (r.refetched) out.note = keys.length > 0 ? 'found after refetching the JWKS: the keys were rotated' : 'not found even after refetching the JWKS once'
    else if (r.cooledDown) out.note = 'JWKS not refetched: it was refetched less than 30s ago'
    if (quiet) plain.set(r.keys, out)
    return out
  }
  const kidOf = (header: JsonObject): string | undefined => (typeof header.kid === 'string' ? header.kid : undefined)
  return {
    lookup: async (header) => answer(await resolver.lookup(kidOf(header))),
    lookupAtHand(header) {
      const r = resolver.lookupAtHand?.(kidOf(header))
      return r === undefined ? undefined : answer(r)
    },
  }
}
