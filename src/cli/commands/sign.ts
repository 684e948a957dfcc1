/**
 * `tokentool sign`: mints a signed JWT for testing, from a private key (PEM or JWK) or an HMAC
 * secret, with registered-claim flags (`--exp 1h`), `--claim name=value` and a base payload.
 * @module
 */
import type { Command } from 'commander'
import type { JWK } from 'jose'
import { InputError, UsageError } from '../../errors.js'
import { parseDuration } from '../../core/duration.js'
import { parseTime } from '../../core/time.js'
import { buildClaims, chooseSigningAlg, signToken, type ClaimOptions } from '../../core/jwt/sign.js'
import { parseJsonObject } from '../../core/jwt/split.js'
import { parseSigningKey } from '../../core/keys/parse.js'
import { writeJson } from '../../render/json.js'
import type { Deps } from '../deps.js'
import { readFileArg, readStream } from '../input.js'
import { descriptorOf } from '../keys.js'
import { resolveSecretArg } from '../secret-arg.js'
import { parseClaimFlag } from './verify.js'

interface SignFlags {
  key?: string
  secret?: string
  alg?: string
  iss?: string
  sub?: string
  aud?: string[]
  exp?: string
  nbf?: string
  iat?: string | boolean
  jti?: string
  typ?: string
  kid?: string
  claim?: string[]
  payload?: string
  now?: string
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v]

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('sign')
    .description('Mint a signed JWT for testing, from a private key or an HMAC secret')
    .option('--key <file>', 'private key: PEM (PKCS#8, SEC1, PKCS#1) or private JWK')
    .option('--secret <s>', 'HMAC secret (also @file, env:VAR)')
    .option('--alg <alg>', 'algorithm (default: the JWK "alg", else RS256 / ES256/384/512 / EdDSA / HS256 by key type)')
    .option('--iss <issuer>', 'iss claim')
    .option('--sub <subject>', 'sub claim')
    .option('--aud <aud>', 'aud claim (repeatable: an array)', collect)
    .option('--exp <when>', 'exp: a duration from now (1h, -5m for an expired token) or a time (ISO 8601)')
    .option('--nbf <when>', 'nbf: a duration from now (0, 10m, -1m) or a time')
    .option('--iat <time>', 'iat: a time (default now)')
    .option('--no-iat', 'leave iat out')
    .option('--jti <id>', 'jti claim')
    .option('--typ <typ>', 'typ header (e.g. JWT, at+jwt)')
    .option('--kid <kid>', 'kid header (default: the JWK "kid")')
    .option('--claim <name=value>', 'any claim, value as JSON when it parses (repeatable)', collect)
    .option('--payload <file|->', 'base payload: a JSON object from a file or stdin; flags override its claims')
    .option('--now <time>', 'mint as of this time (ISO 8601 or unix seconds)')
    .addHelpText(
      'after',
      `
Prints the token and a newline (with --json: {"token", "header", "payload"}).

Examples:
  $ tokentool sign --key key.json --iss https://issuer.test --sub alice --aud api --exp 1h
  $ tokentool sign --secret env:HMAC_KEY --claim roles='["admin"]' --exp -5m    # already expired
  $ echo '{"scope":"orders.read"}' | tokentool sign --key key.pem --typ at+jwt --payload - --exp 15m
`,
    )
    .action(async (flags: SignFlags) => {
      const now = flags.now !== undefined ? parseTime(flags.now) : deps.now()
      const { key, descriptorJwk } = await loadSigningKey(flags, deps)
      const alg = chooseSigningAlg(descriptorOf(descriptorJwk), flags.alg)
      const base = flags.payload !== undefined ? await readPayload(flags.payload, deps) : {}
      const claims = buildClaims(base, claimOptions(flags, now), now)
      const header: { typ?: string; kid?: string } = {}
      if (flags.typ !== undefined) header.typ = flags.typ
      const kid = flags.kid ?? (key instanceof Uint8Array ? undefined : key.kid)
      if (kid !== undefined) header.kid = kid
      const token = await signToken({ key, alg, header, claims })
      if (deps.global.json) writeJson(deps.io, { token, header: { alg, ...header }, payload: claims })
      else deps.io.out.write(token + '\n')
    })
}

async function loadSigningKey(flags: SignFlags, deps: Deps): Promise<{ key: JWK | Uint8Array; descriptorJwk: JWK }> {
  if ((flags.key === undefined) === (flags.secret === undefined)) throw new UsageError('give one signing key: --key FILE (private PEM or JWK) or --secret S')
  if (flags.secret !== undefined) {
    const secret = await resolveSecretArg(flags.secret, deps, '--secret')
    return { key: new TextEncoder().encode(secret), descriptorJwk: { kty: 'oct' } }
  }
  const jwk = parseSigningKey(await readFileArg(flags.key!, deps, 'key file'), `key file ${flags.key}`)
  return { key: jwk, descriptorJwk: jwk }
}

async function readPayload(arg: string, deps: Deps): Promise<Record<string, unknown>> {
  const text = arg === '-' ? await readStream(deps.io.in) : await readFileArg(arg, deps, 'payload file')
  const label = arg === '-' ? 'the payload on stdin' : `payload file ${arg}`
  if (text.trim() === '') throw new InputError(`${label} is empty`)
  return parseJsonObject(text, label)
}

/** A duration from now ("1h", "-5m", "0") or an absolute time (ISO 8601, or unix seconds ≥ 10 digits). */
export function parseWhen(text: string, now: Date, flag: string): number {
  const t = text.trim()
  const nowSec = Math.floor(now.getTime() / 1000)
  if (/^\d{4}-\d{2}-\d{2}/.test(t) || /^\d{10,}$/.test(t)) return Math.floor(parseTime(t, flag).getTime() / 1000)
  if (t.startsWith('-')) return nowSec - parseDuration(t.slice(1), flag)
  return nowSec + parseDuration(t.startsWith('+') ? t.slice(1) : t, flag)
}

function claimOptions(f: SignFlags, now: Date): ClaimOptions {
  const o: ClaimOptions = {}
  if (f.iss !== undefined) o.iss = f.iss
  if (f.sub !== undefined) o.sub = f.sub
  if (f.aud) o.aud = f.aud
  if (f.exp !== undefined) o.exp = parseWhen(f.exp, now, '--exp')
  if (f.nbf !== undefined) o.nbf = parseWhen(f.nbf, now, '--nbf')
  if (f.iat === false) o.iat = false
  else if (typeof f.iat === 'string') o.iat = Math.floor(parseTime(f.iat, '--iat').getTime() / 1000)
  if (f.jti !== undefined) o.jti = f.jti
  if (f.claim) o.extra = f.claim.map((c) => parseClaimFlag(c))
  return o
}
