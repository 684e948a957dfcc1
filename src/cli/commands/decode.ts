/**
 * `tokentool decode [token]`: shows what a token says without verifying it.
 * @module
 */
import type { Command } from 'commander'
import { decodeToken, type DecodedToken } from '../../core/jwt/decode.js'
import type { BindingKeys } from '../../core/dpop/decode-checks.js'
import { normalizeTokenText } from '../../core/token-text.js'
import { resolveSecretArg } from '../secret-arg.js'
import { decodeJwt } from '../../core/jwt/split.js'
import { parseTime } from '../../core/time.js'
import { renderDecoded } from '../../render/decode.js'
import type { Deps } from '../deps.js'
import { readFileArg, readTokenInput } from '../input.js'

export interface DecodeFlags {
  file?: string
  now?: Date
  key?: string
  dpopKey?: string
  clientCert?: string
  accessToken?: string
}

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('decode')
    .description('Decode a JWT (or JWE, or name an opaque token) without verifying it')
    .argument('[token]', 'the token; "-" or a pipe reads stdin; "Bearer " and "Authorization:" are stripped')
    .option('-f, --file <path>', 'read the token from a file')
    .option('--now <time>', 'evaluate exp/nbf/iat at this time (ISO 8601 or unix seconds)', (v: string) => parseTime(v))
    .option('--key <path>', 'decrypt a JWE with this private key (PEM or JWK/JWKS)')
    .option('--dpop-key <file>', "a cnf.jkt-bound token: check it against this DPoP key (default: the profile's)")
    .option('--client-cert <file>', 'a cnf.x5t#S256-bound token: check it against this certificate (PEM)')
    .option('--access-token <token>', 'a DPoP proof: check its ath against this access token (also @file, env:VAR)')
    .addHelpText(
      'after',
      `
Exits 0 when the token could be decoded (even if it is expired: decode does not judge),
2 when it is malformed, naming the segment and what is wrong with it.

Examples:
  $ tokentool decode eyJhbGciOiJSUzI1NiIs...
  $ pbpaste | tokentool decode --json | jq .times.claims.exp
  $ tokentool decode --file id_token.txt --now 2026-01-31T12:00:00Z
  $ tokentool decode --key private.pem eyJhbGciOiJSU0EtT0FFUCIs...   # a JWE
  $ tokentool token --dpop | tokentool decode          # cnf.jkt checked against the profile's DPoP key
  $ tokentool decode "$PROOF" --access-token env:AT    # a DPoP proof: htm, htu, and its ath checked
`,
    )
    .action((arg: string | undefined, flags: DecodeFlags) => runDecode(arg, flags, deps))
}

/** The command's work, after parsing (by commander, or by the start-up fast path in start.ts). */
export async function runDecode(arg: string | undefined, flags: DecodeFlags, deps: Deps): Promise<void> {
  const text = await readTokenInput(arg, flags.file, deps)
  const now = flags.now ?? deps.now()
  let plaintext: string | undefined
  if (flags.key !== undefined) plaintext = await decryptWithKeyFile(text, flags.key, deps)
  const result = decodeToken(text, { now, ...(plaintext !== undefined ? { plaintext } : {}) })
  await senderChecks(result, flags, deps)
  renderDecoded(deps.io, result, { json: deps.global.json })
}

/** Only for a JWE and `--key`: loads the key file and jose (lazily: plain decode never loads it). */
async function decryptWithKeyFile(text: string, keyPath: string, deps: Deps): Promise<string | undefined> {
  if (text.split('.').length !== 5) {
    deps.io.err.write('tokentool: note: --key is only used to decrypt a JWE; this token is not one\n')
    return undefined
  }
  const parts = decodeJwt(text) // precise errors before touching the key
  const keyText = await readFileArg(keyPath, deps, 'key file')
  const { decryptJwe } = await import('../../core/jwt/decrypt.js')
  return decryptJwe(text, keyText, parts.header, `--key ${keyPath}`)
}

/**
 * The sender-constraint checks, loading the key, certificate or store only when the token
 * is one they apply to: a `cnf`-bound token, or a DPoP proof.
 */
async function senderChecks(result: DecodedToken, flags: DecodeFlags, deps: Deps): Promise<void> {
  const cnf = result.payload?.cnf
  if (result.kind === 'dpop_proof') {
    const { dpopProofFacts } = await import('../../core/dpop/decode-checks.js')
    const at = flags.accessToken !== undefined ? normalizeTokenText(await resolveSecretArg(flags.accessToken, deps, '--access-token')) : undefined
    result.dpopProof = dpopProofFacts(result.header, result.payload, at)
  } else if (flags.accessToken !== undefined) {
    deps.io.err.write('tokentool: note: --access-token is only used to check the ath of a DPoP proof; this token is not one\n')
  }
  if (cnf === null || typeof cnf !== 'object') return
  const { checkBinding, certificateThumbprint } = await import('../../core/dpop/decode-checks.js')
  const c = cnf as Record<string, unknown>
  const keys: BindingKeys = {}
  if (typeof c.jkt === 'string') {
    if (flags.dpopKey !== undefined) {
      const { readDpopKeyFile } = await import('../dpop-key.js')
      const k = await readDpopKeyFile(flags.dpopKey, deps)
      keys.dpop = { jkt: k.jkt, label: k.label }
    } else {
      const profileKey = await profileDpopThumbprint(deps)
      if (profileKey) keys.dpop = profileKey
    }
  }
  if (typeof c['x5t#S256'] === 'string' && flags.clientCert !== undefined) {
    keys.cert = { x5t: certificateThumbprint(await readFileArg(flags.clientCert, deps, '--client-cert file'), `--client-cert ${flags.clientCert}`), label: `--client-cert ${flags.clientCert}` }
  }
  const check = checkBinding(result.payload, keys)
  if (check) result.bindingCheck = check
}

/** The profile's DPoP key thumbprint, when it has one (its saved --dpop-key, else its generated key). */
async function profileDpopThumbprint(deps: Deps): Promise<{ jkt: string; label: string } | undefined> {
  const { openStore } = await import('../../store/store.js')
  const store = openStore(deps)
  const profile = deps.global.profile
  const saved = await store.getSettings(profile)
  const label = `the DPoP key of profile "${profile}"`
  if (saved?.dpopKey !== undefined) {
    const { readDpopKeyFile } = await import('../dpop-key.js')
    return { jkt: (await readDpopKeyFile(saved.dpopKey, deps, label)).jkt, label }
  }
  const stored = await store.getDpopKey(profile)
  if (!stored) return undefined
  const { jwkThumbprint } = await import('../../core/dpop/key.js')
  return { jkt: jwkThumbprint(stored.jwk), label }
}
