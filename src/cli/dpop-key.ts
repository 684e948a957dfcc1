/**
 * Which DPoP key a command signs with: `--dpop-key FILE` (the user's own: PEM or JWK, an
 * asymmetric private key), else the profile's (saved `--dpop-key` path, else the key tokentool
 * generated for the profile: ES256, `tokens/<profile>.dpop.jwk`, 0600). The generated key is
 * bound to the issuer it was made for, like every stored credential: it is never used for
 * another server's tokens. Loads no OAuth client: `token` resolves it on its cache path, and
 * loads this module only for a DPoP-bound request (the flags alone are dpop-flags.ts).
 * @module
 */
import { generateKeyPairSync } from 'node:crypto'
import type { JWK } from 'jose'
import { dpopAlg, jwkThumbprint } from '../core/dpop/key.js'
import { parseSigningKey } from '../core/keys/parse.js'
import { InputError, UsageError } from '../errors.js'
import { sameIssuer } from '../store/dpop-key.js'
import { registerSecret } from '../core/secret-values.js'
import type { ProfileSettings } from '../store/profiles.js'
import type { TokenStore } from '../store/store.js'
import type { Deps } from './deps.js'
import { dpopWanted, type DpopFlags, type ResolvedDpopKey } from './dpop-flags.js'
import { readFileArg } from './input.js'
import { resolveSecretArg } from './secret-arg.js'

export { addDpopFlags, dpopKeySetting, dpopWanted, type DpopFlags, type ResolvedDpopKey } from './dpop-flags.js'

/** Reads a key given as a file (also `@file`, `env:VAR`): an asymmetric private key that can sign proofs. */
export async function readDpopKeyFile(value: string, deps: Pick<Deps, 'env' | 'cwd'>, what = '--dpop-key'): Promise<ResolvedDpopKey> {
  const text = value.startsWith('env:') ? await resolveSecretArg(value, deps, what) : await readFileArg(value.replace(/^@/, ''), deps, `${what} file`)
  if (!text.trim()) throw new InputError(`${what} is empty`)
  let jwk: JWK
  try {
    jwk = parseSigningKey(text, what)
  } catch (e) {
    // "is a public JWK: signing needs the private key" and friends, in DPoP's words
    const m = (e as Error).message
    if (/public|not a private key/i.test(m)) throw new InputError(`${what} is a public key: DPoP proofs need an asymmetric private key (EC P-256, Ed25519 or RSA)`)
    throw e
  }
  const alg = dpopAlg(jwk, what)
  registerPrivate(jwk)
  return { jwk, alg, jkt: jwkThumbprint(jwk), label: `${what} ${value}` }
}

/** The private members of a DPoP key are secrets of the run: redacted wherever they might turn up. */
function registerPrivate(jwk: JWK): void {
  for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) registerSecret(jwk[m])
}

/** A new ES256 key, as RFC 9449 implementations commonly default to. */
export function generateDpopKey(): JWK {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = privateKey.export({ format: 'jwk' }) as JWK
  return { ...jwk, alg: 'ES256', kid: jwkThumbprint(jwk) }
}

export interface DpopKeyContext {
  store: TokenStore
  profile: string
  /** The issuer the tokens come from (the key's binding). */
  issuer: string
  /**
   * What to do when the profile has no key for this issuer: `create` one (absent only),
   * `replace` one bound to another issuer too (a new login starts a new session), or `none`
   * (a UsageError: nothing to sign with).
   */
  create: 'create' | 'replace' | 'none'
}

/** The key to sign with, or undefined when the request is not DPoP-bound. */
export async function resolveDpopKey(o: DpopFlags, saved: ProfileSettings | undefined, ctx: DpopKeyContext, deps: Pick<Deps, 'env' | 'cwd'>): Promise<ResolvedDpopKey | undefined> {
  if (!dpopWanted(o, saved)) return undefined
  if (o.dpopKey !== undefined) return readDpopKeyFile(o.dpopKey, deps)
  // a saved --dpop-key is bound to the issuer it was saved with, like every stored credential
  if (saved?.dpopKey !== undefined && (saved.issuer === undefined || sameIssuer(saved.issuer, ctx.issuer))) return readDpopKeyFile(saved.dpopKey, deps, `the DPoP key of profile "${ctx.profile}"`)
  return profileDpopKey(ctx)
}

/**
 * login's key: as resolveDpopKey, except that a profile key bound to another issuer is
 * replaced by a new one, which is saved (by `commit`, once the sign-in succeeded) so that a
 * failed login leaves the old session and its key as they were.
 */
export async function loginDpopKey(o: DpopFlags, saved: ProfileSettings | undefined, ctx: Omit<DpopKeyContext, 'create'>, deps: Pick<Deps, 'env' | 'cwd'>): Promise<{ key: ResolvedDpopKey; commit: () => Promise<void> } | undefined> {
  if (!dpopWanted(o, saved)) return undefined
  const none = async () => {}
  if (o.dpopKey !== undefined || saved?.dpopKey !== undefined) return { key: (await resolveDpopKey(o, saved, { ...ctx, create: 'none' }, deps))!, commit: none }
  const found = await ctx.store.getDpopKey(ctx.profile)
  if (!found || sameIssuer(found.issuer, ctx.issuer)) return { key: await profileDpopKey({ ...ctx, create: 'create' }), commit: none }
  const label = `the DPoP key of profile "${ctx.profile}"`
  const jwk = generateDpopKey()
  return {
    key: { jwk, alg: 'ES256', jkt: jwkThumbprint(jwk), label },
    commit: () => ctx.store.withLock(ctx.profile, () => ctx.store.saveDpopKey(ctx.profile, { version: 1, issuer: ctx.issuer, jwk, createdAt: Math.floor(Date.now() / 1000) })),
  }
}

/** The profile's generated key, made (under the profile lock, so parallel runs agree on one) when needed. */
export async function profileDpopKey(ctx: DpopKeyContext): Promise<ResolvedDpopKey> {
  const { store, profile, issuer } = ctx
  const label = `the DPoP key of profile "${profile}"`
  const usable = (k: Awaited<ReturnType<TokenStore['getDpopKey']>>) => k && sameIssuer(k.issuer, issuer) ? k : undefined
  const toResolved = (jwk: JWK): ResolvedDpopKey => {
    registerPrivate(jwk)
    return { jwk, alg: dpopAlg(jwk, label), jkt: jwkThumbprint(jwk), label }
  }
  const found = await store.getDpopKey(profile)
  if (usable(found)) return toResolved(found!.jwk)
  const otherIssuer = found ? found.issuer : undefined
  if (ctx.create === 'none' || (otherIssuer !== undefined && ctx.create !== 'replace')) {
    if (otherIssuer !== undefined) {
      throw new UsageError(`${label} is bound to ${otherIssuer}, not ${issuer}: tokentool does not use it for another server's tokens`, {
        hint: `sign in at ${issuer} with: tokentool login --profile ${profile} --issuer ${issuer} --dpop (a new key is made), or use another --profile`,
      })
    }
    throw new UsageError(`profile "${profile}" has no DPoP key`, { hint: `get a DPoP-bound token first (tokentool token --dpop or tokentool login --dpop), or give --dpop-key FILE` })
  }
  return store.withLock(profile, async () => {
    const again = await store.getDpopKey(profile)
    if (usable(again)) return toResolved(again!.jwk)
    const jwk = generateDpopKey()
    await store.saveDpopKey(profile, { version: 1, issuer, jwk, createdAt: Math.floor(Date.now() / 1000) })
    return toResolved(jwk)
  })
}
