/**
 * `tokentool explain [token]`: why did the API say no? Reads the response (`--response FILE|-`,
 * or piped stdin when the token is an argument), the token that was sent (argument, `--file`,
 * or the profile's), optionally checks the signature (`--issuer`, `--jwks`, `--key`) and reads
 * the resource's metadata (RFC 9728, with `--url`), then prints the ranked causes.
 * @module
 */
import type { Command } from 'commander'
import { explain, type ExplainInput, type ResourceMetadataFacts, type VerificationFacts } from '../../core/explain/causes.js'
import { parseResponseText, headerValue, type ResponseFacts } from '../../core/explain/response.js'
import { parseTime } from '../../core/time.js'
import { TokentoolError, UsageError } from '../../errors.js'
import { renderExplain } from '../../render/explain.js'
import type { Deps } from '../deps.js'
import { readFileArg, readStream, readTokenInput, tokenFromText } from '../input.js'

interface ExplainFlags {
  file?: string
  response?: string
  url?: string
  issuer?: string
  jwks?: string
  key?: string
  aud?: string[]
  scope?: string[]
  now?: string
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v]

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('explain')
    .description('Why did the API say no? Ranked causes of a 401/403 from the response and the token, with evidence and the command that fixes each')
    .argument('[token]', 'the token that was sent ("-" reads stdin); default: the profile\'s access token')
    .option('-f, --file <path>', 'read the token from a file')
    .option('--response <file|->', 'the response: curl -i / curl -v output, devtools headers, or a log line with WWW-Authenticate ("-" reads stdin)')
    .option('--url <url>', 'the request URL (also reads the resource\'s RFC 9728 metadata)')
    .option('--issuer <url>', 'check the signature with this issuer\'s keys (OpenID discovery → jwks_uri)')
    .option('--jwks <url|file>', 'check the signature with a JWK Set')
    .option('--key <file>', 'check the signature with a PEM public key, certificate, JWK or JWK Set')
    .option('--aud <aud>', 'the audience the API expects (repeatable)', collect)
    .option('--scope <scope>', 'a scope the API needs (repeatable, or space-separated)', collect)
    .option('--now <time>', 'judge times as of this time (ISO 8601 or unix seconds) instead of the clock')
    .addHelpText(
      'after',
      `
Cause codes (--json "causes[].code"): expired, not_yet_valid, clock_skew, wrong_audience,
wrong_issuer, insufficient_scope, claims_challenge, step_up_required, dpop_nonce_required,
dpop_proof_invalid, scheme_mismatch, signature_invalid, unknown_key, unverifiable_by_design,
wrong_token_kind, opaque_token, revoked, token_missing, malformed_token, header_too_large,
ip_policy, invalid_token. Each comes with a confidence (certain, likely, possible), its
evidence and a fix. Exit 0 when the input was read (whatever it explains), 2 on unreadable input.

Examples:
  $ curl -si https://api.example.com/orders -H "Authorization: Bearer $T" | tokentool explain "$T"
  $ tokentool explain --response 401.txt --issuer https://login.example.com --aud api://orders
  $ tokentool call https://api.example.com/orders --explain
`,
    )
    .action(async (tokenArg: string | undefined, flags: ExplainFlags) => {
      const fixedNow = flags.now !== undefined ? parseTime(flags.now) : undefined
      if (flags.response === '-' && tokenArg === '-') throw new UsageError('the response and the token cannot both come from stdin: give the token as an argument or with --file')
      let responseText: string | undefined
      let token: string | null = null
      let tokenFrom: ExplainInput['tokenFrom'] = null
      if (flags.response === '-') responseText = await readStream(deps.io.in)
      else if (flags.response !== undefined) responseText = await readFileArg(flags.response, deps, 'response file')
      else if (!deps.io.stdinIsTTY && tokenArg !== '-') {
        // piped stdin: the response (curl -si ... | tokentool explain), or the token as for every command
        const piped = await readStream(deps.io.in)
        if (tokenArg === undefined && flags.file === undefined && looksLikeToken(piped)) {
          token = tokenFromText(piped)
          tokenFrom = 'argument'
        } else responseText = piped
      }
      const response = responseText !== undefined ? parseResponseText(responseText) : null

      // the token: argument, --file, stdin ("-"), or the profile's newest access token
      if (token === null && (tokenArg !== undefined || flags.file !== undefined)) {
        token = await readTokenInput(tokenArg, flags.file, deps)
        tokenFrom = 'argument'
      } else if (token === null) {
        token = await storedToken(deps)
        if (token !== null) tokenFrom = 'profile'
      }
      // the token is a secret of this run: a server that echoes it gets it masked
      if (token !== null) {
        const { registerSecret } = await import('../../core/secret-values.js')
        registerSecret(token)
      }
      const now = fixedNow ?? deps.now()
      const warnings: string[] = []
      const verification = token !== null ? await checkSignature(token, flags, deps, now, warnings) : null
      const resourceMetadata = await readMetadata(flags.url, response, deps, warnings)
      const input: ExplainInput = {
        response,
        token,
        tokenFrom,
        now,
        nowSource: fixedNow ? '--now' : 'local',
        profile: deps.global.profile,
        verification,
        resourceMetadata,
      }
      if (flags.aud?.length) input.audience = flags.aud
      const scopes = flags.scope?.flatMap((s) => s.split(' ').filter(Boolean))
      if (scopes?.length) input.scopes = scopes
      if (flags.url !== undefined) input.url = flags.url
      const result = explain(input)
      result.warnings.unshift(...warnings)
      renderExplain(deps.io, result, { json: deps.global.json })
    })
}

/** One line without spaces or colons (after an optional "Bearer "): a token, not a response. */
function looksLikeToken(text: string): boolean {
  const t = text.trim().replace(/^(?:authorization:\s*)?bearer\s+/i, '')
  return t !== '' && !/[\s:]/.test(t)
}

/** The profile's newest stored access token, expired or not (the one that was likely sent). */
async function storedToken(deps: Deps): Promise<string | null> {
  const [{ openStore }, { pickStoredToken }] = await Promise.all([import('../../store/store.js'), import('../../oauth/call-token.js')])
  try {
    const tokens = await openStore(deps).getTokens(deps.global.profile)
    return pickStoredToken(tokens, deps.now(), -Infinity)?.accessToken ?? null
  } catch (e) {
    if (e instanceof TokentoolError) return null
    throw e
  }
}

/** verify's signature and key checks, when a key source is given; a failure to get keys is a warning. */
async function checkSignature(token: string, flags: ExplainFlags, deps: Deps, now: Date, warnings: string[]): Promise<VerificationFacts | null> {
  if (flags.issuer === undefined && flags.jwks === undefined && flags.key === undefined) return null
  // an opaque or broken token has no signature to check
  if (token.split('.').length !== 3) return null
  const [{ resolveKeySource }, { createVerifier }] = await Promise.all([import('../keys.js'), import('../../core/jwt/verify.js')])
  try {
    const keys = await resolveKeySource({ issuer: flags.issuer, jwks: flags.jwks, key: flags.key }, deps, [])
    // as verify: --issuer is also the expected iss
    const result = await createVerifier(keys.source, { clockSkew: 60, ...(flags.issuer !== undefined ? { iss: flags.issuer } : {}) })(token, now)
    return { keySource: keys.description, checks: result.checks }
  } catch (e) {
    if (!(e instanceof TokentoolError) || e instanceof UsageError) throw e
    warnings.push(`the signature could not be checked: ${e.message}`)
    return null
  }
}

/** RFC 9728 metadata: from the challenge's resource_metadata or --url's well-known URL; needs --url to check it. */
async function readMetadata(url: string | undefined, response: ResponseFacts | null, deps: Deps, warnings: string[]): Promise<ResourceMetadataFacts | null> {
  const { resourceMetadataFromHeader, fetchResourceMetadata } = await import('../../oauth/resource-metadata.js')
  const named = response ? resourceMetadataFromHeader(headerValue(response, 'www-authenticate')) : undefined
  if (url === undefined) {
    if (named) warnings.push(`the challenge names resource_metadata ${named}; give --url to read it`)
    return null
  }
  try {
    const got = await fetchResourceMetadata(url, deps, { metadataUrl: named, covering: true })
    return { url: got.url, document: got.metadata }
  } catch (e) {
    if (!(e instanceof TokentoolError) || e instanceof UsageError) throw e
    return { url: named ?? url, document: null, problem: e.message }
  }
}
