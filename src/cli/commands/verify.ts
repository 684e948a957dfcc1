/**
 * `tokentool verify [token]`: verifies a JWT's signature against a key source and checks its
 * claims, shown as a checklist (or `--json`); `--batch` verifies one token per stdin line and
 * streams NDJSON. Exit 0 only when every check passed, 1 when one failed.
 * @module
 */
import { once } from 'node:events'
import { StringDecoder } from 'node:string_decoder'
import { Option, type Command } from 'commander'
import { InputError, NetworkError, TokenInvalidError, TokentoolError, UsageError } from '../../errors.js'
import { parseDuration } from '../../core/duration.js'
import { parseTime } from '../../core/time.js'
import { normalizeTokenText } from '../../core/token-text.js'
import { SUPPORTED_ALGS } from '../../core/jwt/alg-policy.js'
import { clockSkewWarning } from '../../core/jwt/clock.js'
import type { ClaimRequirement } from '../../core/jwt/verify-checks.js'
import { decodeJsonSegment, decodeJwt, segmentLabel, splitCompact } from '../../core/jwt/split.js'
import type { Check } from '../../core/jwt/verify-checks.js'
import { resolveSecretArg } from '../secret-arg.js'
import { createVerifier, type Verifier, type VerifyOptions } from '../../core/jwt/verify.js'
import { batchErrorLine, batchLine, renderVerify, type VerifyReport } from '../../render/verify.js'
import type { Deps } from '../deps.js'
import { printable } from '../../core/printable.js'
import { readTokenInput } from '../input.js'
import { resolveKeySource, type KeySourceFlags, type ResolvedKeySource } from '../keys.js'
import { verifyBatchLine } from './verify-line.js'
import { createVerifyPool, MAX_LINE, runPooledBatch } from './verify-pool.js'

export interface VerifyFlags extends KeySourceFlags {
  file?: string
  alg?: string[]
  clockSkew: string
  iss?: string
  aud?: string[]
  typ?: string
  sub?: string
  scope?: string[]
  claim?: string[]
  maxAge?: string
  now?: string
  batch?: boolean
  dpopProof?: string
  method?: string
  url?: string
  dpopNonce?: string
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v]

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('verify')
    .description('Verify a JWT: signature against a key, algorithm policy, exp/nbf/iat, iss, aud and more, as a checklist')
    .argument('[token]', 'the JWT; "-" or piped stdin reads stdin')
    .option('-f, --file <path>', 'read the token from a file')
    .option('--issuer <url>', 'key source: OpenID discovery of this issuer → its jwks_uri (also the default --iss)')
    .option('--jwks <url|file>', 'key source: a JWK Set URL or file')
    .option('--key <file>', 'key source: PEM public key, X.509 certificate, JWK or JWK Set')
    .option('--secret <s>', 'key source: HMAC secret (also @file, env:VAR)')
    .option('--alg <alg>', `allowed algorithm, repeatable; narrows what the key allows (${SUPPORTED_ALGS.slice(0, 12).join(', ')}, ...)`, collect)
    .option('--clock-skew <dur>', 'leeway for exp, nbf, iat and --max-age', '60s')
    .option('--iss <issuer>', 'required iss (default: --issuer)')
    .option('--aud <aud>', 'required audience (repeatable: any one of them)', collect)
    .option('--typ <typ>', 'required typ header, e.g. at+jwt')
    .option('--sub <sub>', 'required sub')
    .option('--scope <scope>', 'required scope(s), in "scope" or "scp" (repeatable, or space-separated)', collect)
    .option('--claim <name=value>', 'required claim value, JSON when it parses (repeatable)', collect)
    .option('--max-age <dur>', 'auth_time must be no older than this')
    .option('--now <time>', 'check as of this time (ISO 8601 or unix seconds) instead of the clock')
    .option('--dpop-proof <proof>', 'check this DPoP proof as a resource would (RFC 9449 §4.3), with --method and --url; the token, when given, is the access token it came with (also @file, env:VAR)')
    .option('--method <method>', 'with --dpop-proof: the request method (default GET)')
    .option('--url <url>', 'with --dpop-proof: the request URL')
    .option('--dpop-nonce <nonce>', 'with --dpop-proof: the DPoP-Nonce the server gave')
    .addOption(new Option('--batch', 'one token per stdin line, one NDJSON result per line; exit 1 if any failed').conflicts(['file']))
    .addHelpText(
      'after',
      `
The allowed algorithms come from the key (its JWK "alg", or what its type allows) and --alg,
never from the token: "none" is never accepted, an HMAC secret never verifies RS/ES/PS/EdDSA and
a public key never verifies HS*. jwk/jku/x5u/x5c headers are ignored. An unknown kid refetches
a remote JWKS once (key rotation), at most once per 30s.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or flags, 3 network failure.

Examples:
  $ tokentool verify --issuer https://login.example.com --aud api://orders "$TOKEN"
  $ tokentool verify --key public.pem --typ at+jwt --scope orders.read --json token.jwt
  $ cut -f2 tokens.tsv | tokentool verify --batch --jwks https://example.com/jwks.json > results.ndjson
  $ tokentool verify --dpop-proof "$PROOF" --method GET --url https://api.example.com/me "$TOKEN" --issuer https://login.example.com
`,
    )
    .action(async (token: string | undefined, flags: VerifyFlags) => {
      if (flags.dpopProof !== undefined) return verifyWithProof(token, flags, deps)
      if (flags.method !== undefined || flags.url !== undefined || flags.dpopNonce !== undefined) throw new UsageError('--method, --url and --dpop-nonce go with --dpop-proof PROOF')
      const options = parseOptions(flags)
      const fixedNow = flags.now !== undefined ? parseTime(flags.now) : undefined
      if (flags.batch && token !== undefined && token !== '-') throw new UsageError('--batch reads tokens from stdin, one per line: do not pass a token argument')
      if (flags.batch) return verifyBatch(flags, options, fixedNow, deps)
      // Read the token before any network call, so bad input fails fast with exit 2.
      const text = await readTokenInput(token, flags.file, deps)
      precheck(text)
      const keys = await resolveKeySource(flags, deps, options.algorithms ?? [])
      const warnings = keyWarnings(keys, options, deps)
      const verifier = createVerifier(keys.source, options)
      const now = fixedNow ?? deps.now()
      const result = await verifier(text, now)
      const report: VerifyReport = {
        ...result,
        clock: { now: now.toISOString(), source: fixedNow ? '--now' : 'local', leeway: options.clockSkew },
        keySource: keys.description,
        warnings: [...warnings, ...(result.warnings ?? [])],
      }
      renderVerify(deps.io, report, { json: deps.global.json })
      if (!result.valid) {
        // the causes, not their consequences ("signature: not checked: the algorithm was rejected")
        const failed = result.checks.filter((c) => !c.ok)
        const causes = failed.filter((c) => !/^not (checked|looked up)| cannot verify [A-Z]/.test(c.detail))
        const shown = (causes.length > 0 ? causes : failed).map((c) => `${c.name}: ${c.detail}`).join('; ')
        throw new TokenInvalidError(`token is not valid: ${shown}`)
      }
    })
}

/** The key source's warnings, and one about the first server whose clock disagrees with ours. */
function keyWarnings(keys: ResolvedKeySource, options: VerifyOptions, deps: Deps): string[] {
  const warnings: string[] = [...keys.warnings]
  for (const { date, who } of keys.serverDates) {
    const w = clockSkewWarning(date, deps.now(), options.clockSkew, who)
    if (w) {
      warnings.push(w)
      break
    }
  }
  return warnings
}

/**
 * `verify --batch` from its flags, as the command's action runs it for a line without a token
 * argument: what the start-up fast path (src/cli/start.ts) runs for a line it takes.
 */
export async function runVerifyBatch(flags: VerifyFlags, deps: Deps): Promise<void> {
  const options = parseOptions(flags)
  const fixedNow = flags.now !== undefined ? parseTime(flags.now) : undefined
  return verifyBatch(flags, options, fixedNow, deps)
}

/**
 * `--batch`: on the worker pool (verify-pool.ts) where there is one, else on this thread. The
 * pool's workers start first, loading while this thread reads (or fetches) the keys.
 */
async function verifyBatch(flags: VerifyFlags, options: VerifyOptions, fixedNow: Date | undefined, deps: Deps): Promise<void> {
  const pool = createVerifyPool({ options, fixedNow })
  try {
    const keys = await resolveKeySource(flags, deps, options.algorithms ?? [])
    for (const w of keyWarnings(keys, options, deps)) deps.io.err.write(`tokentool: warning: ${printable(w)}\n`)
    let counts: { failed: number; total: number }
    if (pool) {
      await pool.keys(keys.shared)
      counts = await runPooledBatch(pool, deps.io.in as AsyncIterable<unknown>, deps.io.out)
    } else {
      const verifier = createVerifier(keys.source, options)
      counts = await runBatch((lineNo, text) => verifyBatchLine(verifier, lineNo, text, fixedNow ?? deps.now()), 16, deps)
    }
    // nothing verified is not a success: an empty file, a wrong redirection, stdin a directory
    if (counts.total === 0) throw new InputError('no token on stdin: verify --batch reads one token per line', { hint: 'pipe the tokens in, e.g. tokentool verify --batch --jwks jwks.json < tokens.txt' })
    if (counts.failed > 0) throw new TokenInvalidError(`${counts.failed} of ${counts.total} token${counts.total === 1 ? '' : 's'} failed verification`)
  } finally {
    await pool?.close()
  }
}

/**
 * `--dpop-proof`: the proof's checklist (RFC 9449 §4.3); with a token, `ath` and `cnf.jkt`
 * against it and, when a key source is given, the token's own checks before the proof's.
 */
async function verifyWithProof(token: string | undefined, flags: VerifyFlags, deps: Deps): Promise<void> {
  if (flags.batch) throw new UsageError('--dpop-proof checks one proof: it does not go with --batch')
  if (flags.url === undefined) throw new UsageError('--dpop-proof needs --url URL (the request the proof came with)')
  let url: URL
  try {
    url = new URL(flags.url)
  } catch {
    throw new UsageError(`--url is not a URL: ${flags.url}`)
  }
  const method = (flags.method ?? 'GET').trim()
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new UsageError(`--method is not an HTTP method: ${flags.method}`)
  const options = parseOptions(flags)
  const fixedNow = flags.now !== undefined ? parseTime(flags.now) : undefined
  const now = fixedNow ?? deps.now()
  const proofText = normalizeTokenText(/^(@|env:)/.test(flags.dpopProof!) ? await resolveSecretArg(flags.dpopProof!, deps, '--dpop-proof') : flags.dpopProof!)
  const text = token !== undefined || flags.file !== undefined ? await readTokenInput(token, flags.file, deps) : undefined
  const keyGiven = flags.issuer !== undefined || flags.jwks !== undefined || flags.key !== undefined || flags.secret !== undefined
  let tokenPart: { checks: Check[]; header: unknown; payload: unknown } | undefined
  let cnf: unknown
  let keySource = 'the proof\'s own jwk header (RFC 9449)'
  if (text !== undefined) {
    if (keyGiven) {
      precheck(text)
      const keys = await resolveKeySource(flags, deps, options.algorithms ?? [])
      const result = await createVerifier(keys.source, options)(text, now)
      tokenPart = result
      keySource = `token: ${keys.description}; proof: its own jwk header`
      cnf = (result.payload as { cnf?: unknown } | undefined)?.cnf
    } else {
      const parts = decodeJwtParts(text)
      cnf = parts?.cnf
      tokenPart = { checks: [{ name: 'token signature', ok: true, skipped: true, detail: 'not checked: no key source (--issuer, --jwks, --key)' }], header: {}, payload: parts }
    }
  } else if (keyGiven) {
    throw new UsageError('a key source checks the access token: give the token too (argument, - or --file)')
  }
  // jose's proof checks only here: --batch and plain verify do not load them
  const { checkDpopProof } = await import('../../core/dpop/proof-checks.js')
  const proof = await checkDpopProof({
    proof: proofText,
    method,
    url,
    leeway: options.clockSkew,
    now,
    accessToken: text !== undefined ? { token: text, cnf } : undefined,
    nonce: flags.dpopNonce,
  })
  const checks = [...(tokenPart?.checks ?? []), ...proof.checks]
  const valid = checks.every((c) => c.ok)
  const report: VerifyReport = {
    valid,
    checks,
    header: proof.header,
    payload: proof.payload,
    clock: { now: now.toISOString(), source: fixedNow ? '--now' : 'local', leeway: options.clockSkew },
    keySource,
    warnings: [],
  }
  renderVerify(deps.io, report, { json: deps.global.json })
  if (!valid) {
    const failed = checks.filter((c) => !c.ok && !/^not checked/.test(c.detail))
    throw new TokenInvalidError(`DPoP proof is not valid: ${(failed.length ? failed : checks.filter((c) => !c.ok)).map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
  }
}

/** The claims of a JWS token, or undefined for anything else (an opaque token has no cnf to read). */
function decodeJwtParts(text: string): Record<string, unknown> | undefined {
  try {
    const parts = decodeJwt(text)
    return 'payload' in parts ? parts.payload : undefined
  } catch {
    return undefined
  }
}

/** Malformed input is exit 2 before any network call: segment count and a JSON header. */
function precheck(token: string): void {
  const split = splitCompact(token)
  if (split.format === 'jws') decodeJsonSegment(split.segments[0], segmentLabel(0, 'jws'))
}

/** Flags → the options of core/jwt/verify, validated once (exit 2 on a bad value). */
export function parseOptions(flags: VerifyFlags): VerifyOptions {
  const o: VerifyOptions = { clockSkew: parseDuration(flags.clockSkew, '--clock-skew') }
  const algs = flags.alg ?? []
  for (const a of algs) {
    if (a.toLowerCase() === 'none') throw new UsageError('--alg none: unsigned tokens are never accepted')
    if (!SUPPORTED_ALGS.includes(a)) throw new UsageError(`--alg ${a} is not a supported JWS algorithm (${SUPPORTED_ALGS.join(', ')})`)
  }
  if (algs.length > 0) o.algorithms = algs
  const iss = flags.iss ?? flags.issuer
  if (iss !== undefined) o.iss = iss
  if (flags.aud) o.aud = flags.aud
  if (flags.typ !== undefined) o.typ = flags.typ
  if (flags.sub !== undefined) o.sub = flags.sub
  const scopes = (flags.scope ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean)
  if (scopes.length > 0) o.scopes = scopes
  if (flags.claim) o.claims = flags.claim.map((c) => parseClaimFlag(c))
  if (flags.maxAge !== undefined) o.maxAge = parseDuration(flags.maxAge, '--max-age')
  return o
}

/** `name=value`: the value as JSON when it parses (`admin=true`, `level=2`), else a string. */
export function parseClaimFlag(text: string, flag = '--claim'): ClaimRequirement {
  const i = text.indexOf('=')
  if (i <= 0) throw new UsageError(`${flag} "${text}": expected name=value`)
  const name = text.slice(0, i)
  const raw = text.slice(i + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // a plain string
  }
  return { name, value }
}

/**
 * `--batch` on this thread (no pool: one core, or in-process tests of src/): stdin chunk by
 * chunk, one token per line, one NDJSON line out per token, in input order. Up to WINDOW
 * verifications are in flight at once: overlapping them keeps a remote JWKS fetch from stalling
 * the rest.
 * Output is written once per input chunk (a pipe gives 64 KiB at a time; a person typing, a
 * line) and waits for `drain`; with the window that keeps memory flat however long the input.
 */
async function runBatch(verifyOne: (lineNo: number, text: string) => Promise<{ line: string; failed: boolean }>, WINDOW: number, deps: Deps): Promise<{ failed: number; total: number }> {
  const out = deps.io.out
  const decoder = new StringDecoder('utf8')
  const inFlight: Promise<string>[] = []
  let rest = ''
  let overlong = false
  let lineNo = 0
  let total = 0
  let failed = 0
  let pending = ''

  const verifyLine = async (lineNo: number, text: string): Promise<string> => {
    const r = await verifyOne(lineNo, text)
    if (r.failed) failed++
    return r.line
  }
  const handle = async (raw: string): Promise<void> => {
    lineNo++
    const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw
    if (text.trim() === '') return
    total++
    inFlight.push(verifyLine(lineNo, text))
    if (inFlight.length >= WINDOW) pending += await inFlight.shift()!
  }
  const flush = async (all: boolean): Promise<void> => {
    if (all) while (inFlight.length > 0) pending += await inFlight.shift()!
    if (pending === '') return
    const ok = out.write(pending)
    pending = ''
    if (!ok) await once(out, 'drain')
  }

  try {
    for await (const chunk of deps.io.in) {
      const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer))
      let start = 0
      let nl: number
      if (overlong) {
        // still inside a line too long to be a token: drop it up to its end
        nl = text.indexOf('\n')
        rest = ''
        if (nl === -1) continue
        start = nl + 1
        overlong = false
      }
      while ((nl = text.indexOf('\n', start)) !== -1) {
        await handle(text.slice(start, nl))
        start = nl + 1
        if (pending.length >= 65536) await flush(false)
      }
      rest = text.slice(start)
      if (rest.length > MAX_LINE) {
        // not a token: report it in order and skip it, rather than buffer it
        await flush(true)
        lineNo++
        total++
        failed++
        pending += batchErrorLine(lineNo, `line is longer than ${MAX_LINE} bytes: not a token`)
        rest = ''
        overlong = true
      }
      // the end of a chunk: whatever is ready goes out now (streaming for interactive input)
      await flush(true)
    }
    rest += decoder.end()
    if (rest !== '') await handle(rest)
    await flush(true)
  } finally {
    // a failure (network, bad line) must not leave rejections unobserved
    for (const p of inFlight) p.catch(() => {})
  }
  return { failed, total }
}
