/**
 * `tokentool dpop proof`: one DPoP proof (RFC 9449 §4) signed by the profile's DPoP key (or
 * `--dpop-key`), for a request made with curl or anything else: `htm`, `htu` (without query
 * and fragment), `iat`, `jti`, and `ath` when the access token it goes with is given.
 * @module
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { writeJson } from '../../render/json.js'
import { openStore } from '../../store/store.js'
import type { Deps } from '../deps.js'
import { readDpopKeyFile, type ResolvedDpopKey } from '../dpop-key.js'
import { readStream } from '../input.js'
import { resolveSecretArg } from '../secret-arg.js'
import { normalizeTokenText } from '../../core/token-text.js'

interface ProofFlags {
  method: string
  url?: string
  accessToken?: string
  nonce?: string
  dpopKey?: string
}

export function register(parent: Command, deps: Deps): Command {
  const dpop = parent
    .command('dpop')
    .description('DPoP (RFC 9449) helpers: proofs for requests tokentool does not make itself')
    .addHelpText('after', '\nExamples:\n  $ tokentool dpop proof --method POST --url https://as.example.com/token\n')
  dpop
    .command('proof')
    .description(
      "Prints one DPoP proof JWT, signed by the profile's DPoP key (made by login/token --dpop) or --dpop-key, " +
        'for the request given: htm, htu (query and fragment removed), iat, a fresh jti, ath with --access-token, ' +
        "and the server's nonce with --nonce. A proof is single-use: make one per request.",
    )
    .option('-X, --method <method>', 'HTTP method of the request', 'GET')
    .option('--url <url>', 'URL of the request (required)')
    .option('--access-token <token>', 'the access token sent with it, for ath: the token, @file, env:VAR or - (stdin)')
    .option('--nonce <nonce>', 'the DPoP-Nonce the server gave')
    .option('--dpop-key <file>', "sign with this private key (PEM or JWK) instead of the profile's")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool dpop proof --method POST --url https://as.example.com/token\n' +
        '  $ T=$(tokentool token --dpop)\n' +
        '  $ curl -H "Authorization: DPoP $T" -H "DPoP: $(printf %s "$T" | tokentool dpop proof --url https://api.example.com/me --access-token -)" https://api.example.com/me\n',
    )
    .action((o: ProofFlags) => runProof(o, deps))
  return dpop
}

async function runProof(o: ProofFlags, deps: Deps): Promise<void> {
  if (o.url === undefined) throw new UsageError('dpop proof needs --url URL (the request the proof is for)')
  let url: URL
  try {
    url = new URL(o.url)
  } catch {
    throw new UsageError(`--url is not a URL: ${o.url}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--url must be http or https: ${o.url}`)
  const method = o.method.trim()
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new UsageError(`--method is not an HTTP method: ${o.method}`)
  if (o.nonce !== undefined && !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(o.nonce)) throw new UsageError('--nonce must be printable ASCII without quotes or backslashes (RFC 9449 §8.1)')
  const accessToken = o.accessToken === undefined ? undefined : o.accessToken === '-' ? normalizeTokenText(await readStream(deps.io.in)) : normalizeTokenText(await resolveSecretArg(o.accessToken, deps, '--access-token'))
  if (accessToken === '') throw new UsageError('--access-token is empty')
  const key = await proofKey(o, deps)
  const { makeProof } = await import('../../oauth/dpop.js')
  const proof = await makeProof(key, { method, url, accessToken, nonce: o.nonce, now: deps.now() })
  if (deps.global.json) {
    const [h, p] = proof.split('.')
    writeJson(deps.io, { proof, jkt: key.jkt, header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) })
  } else {
    deps.io.out.write(`${proof}\n`)
  }
}

/** `--dpop-key`, else the profile's (its saved --dpop-key, else its generated key). */
async function proofKey(o: ProofFlags, deps: Deps): Promise<ResolvedDpopKey> {
  if (o.dpopKey !== undefined) return readDpopKeyFile(o.dpopKey, deps)
  const profile = deps.global.profile
  const store = openStore(deps)
  const saved = await store.getSettings(profile)
  if (saved?.dpopKey !== undefined) return readDpopKeyFile(saved.dpopKey, deps, `the DPoP key of profile "${profile}"`)
  const stored = await store.getDpopKey(profile)
  if (!stored) {
    throw new UsageError(`profile "${profile}" has no DPoP key`, { hint: 'get a DPoP-bound token first (tokentool token --dpop or tokentool login --dpop), or give --dpop-key FILE' })
  }
  const { dpopAlg, jwkThumbprint } = await import('../../core/dpop/key.js')
  const { registerSecret } = await import('../../core/secret-values.js')
  for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) registerSecret(stored.jwk[m])
  const label = `the DPoP key of profile "${profile}"`
  return { jwk: stored.jwk, alg: dpopAlg(stored.jwk, label), jkt: jwkThumbprint(stored.jwk), label }
}
