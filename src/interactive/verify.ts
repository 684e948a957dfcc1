/**
 * Verify: pick or paste a token, choose the key source — the issuer (offered: the token's `iss`,
 * the issuer last used, the profile's), a JWKS URL or file, a key file, or a shared secret typed
 * without echo — and see verify's own checklist. After a failure: why each check
 * failed and what to try.
 * @module
 */
import { resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { decodeToken } from '../core/jwt/decode.js'
import { chooseToken } from './choose-token.js'
import { BACK } from './prompter.js'
import type { KnownToken, Session } from './session.js'
import { validFile, validUrl } from './validators.js'

export async function verifyFlow(s: Session): Promise<void> {
  const token = await chooseToken(s, 'Verify which token?')
  if (token === BACK) return
  s.lastToken = token
  await verifyToken(s, token)
}

type KeySource = 'issuer' | 'jwks-url' | 'jwks-file' | 'key' | 'secret'

/**
 * Asks where the keys come from (the issuer's discovery, a JWKS URL or file, a key file, a
 * shared secret typed without echo), runs `tokentool verify` with that key source and offers
 * the next step.
 */
export async function verifyToken(s: Session, token: KnownToken, tokenIssuer?: string): Promise<void> {
  const source = await s.prompt.select<KeySource>(
    'Check the signature with',
    [
      { name: "The issuer's keys (its discovery document gives the JWKS)", value: 'issuer' },
      { name: 'A JWKS URL', value: 'jwks-url' },
      { name: 'A JWKS file', value: 'jwks-file' },
      { name: 'A key file (PEM public key, X.509 certificate, JWK)', value: 'key' },
      { name: 'A shared secret (HS256/HS384/HS512; typed, not shown)', value: 'secret' },
    ],
    { default: algOf(token.text)?.startsWith('HS') ? 'secret' : 'issuer' },
  )
  if (source === BACK) return
  const keyArgs = await askKeySource(s, source, token, tokenIssuer)
  if (keyArgs === BACK) return
  const audMode = await s.prompt.select<'any' | 'aud'>('Audience', [
    { name: `Any audience (check signature, times${source === 'issuer' ? ' and issuer' : ''})`, value: 'any' },
    { name: 'Require an audience…', value: 'aud' },
  ])
  if (audMode === BACK) return
  const args = ['verify', ...keyArgs.args]
  if (audMode === 'aud') {
    const aud = await s.prompt.input('Required audience (aud)')
    if (aud === BACK) return
    args.push('--aud', aud)
  }
  args.push('--', token.text) // after --: an opaque token may begin with '-'
  const code = await s.run(args, { secretArgs: [token.text], hiddenArgs: keyArgs.hidden })
  if (code === 0) return
  for (;;) {
    const next = await s.prompt.select<'why' | 'again'>('Verification failed: what next?', [
      ...(code === 1 ? [{ name: 'Why did it fail, and what to try?', value: 'why' as const }] : []),
      { name: 'Verify with another key source', value: 'again' as const },
    ])
    if (next === BACK) return
    if (next === 'again') return verifyToken(s, token, tokenIssuer)
    await explainFailure(s, args)
  }
}

/** The verify flags for the chosen key source; `hidden` holds what the shown command line masks. */
async function askKeySource(s: Session, source: KeySource, token: KnownToken, tokenIssuer: string | undefined): Promise<{ args: string[]; hidden: string[] } | typeof BACK> {
  switch (source) {
    case 'issuer': {
      const issuer = await s.prompt.input('Issuer URL (its discovery document gives the keys)', { ...(await defaultIssuer(s, tokenIssuer, token)), validate: validUrl })
      if (issuer === BACK) return BACK
      s.lastIssuer = issuer
      return { args: ['--issuer', issuer], hidden: [] }
    }
    case 'jwks-url': {
      const url = await s.prompt.input('JWKS URL (e.g. https://login.example.com/keys)', { validate: validUrl })
      return url === BACK ? BACK : { args: ['--jwks', url], hidden: [] }
    }
    case 'jwks-file':
    case 'key': {
      const what = source === 'key' ? 'Key file (PEM public key, certificate, JWK or JWKS JSON)' : 'JWKS file ({"keys": [...]})'
      const file = await s.prompt.input(what, { validate: (v) => validFile(resolvePath(s, v)) })
      return file === BACK ? BACK : { args: [source === 'key' ? '--key' : '--jwks', resolvePath(s, file)], hidden: [] }
    }
    case 'secret': {
      const secret = await s.prompt.secret('Shared secret (not shown; env:VAR and @file work too)')
      return secret === BACK ? BACK : { args: ['--secret', secret], hidden: [secret] }
    }
  }
}

/** A path as typed: `~/` is the home directory, a relative one is from the working directory. */
function resolvePath(s: Session, typed: string): string {
  const home = s.deps.env.HOME
  return resolve(s.deps.cwd, home && /^~(\/|$)/.test(typed) ? home + typed.slice(1) : typed)
}

async function defaultIssuer(s: Session, tokenIssuer: string | undefined, token: KnownToken): Promise<{ default?: string }> {
  tokenIssuer ??= issOf(token.text)
  const candidate = tokenIssuer && validUrl(tokenIssuer) === true ? tokenIssuer : await s.knownIssuer()
  return candidate ? { default: candidate } : {}
}

/** The token's `iss`, when it is a readable JWT. */
function issOf(text: string): string | undefined {
  const iss = readableJwt(text)?.payload?.iss
  return typeof iss === 'string' ? iss : undefined
}

/** The token's header `alg`, when it is a readable JWT (to offer a secret first for HS*). */
function algOf(text: string): string | undefined {
  const alg = readableJwt(text)?.header?.alg
  return typeof alg === 'string' ? alg : undefined
}

function readableJwt(text: string): ReturnType<typeof decodeToken> | undefined {
  try {
    return decodeToken(text, { now: new Date() })
  } catch {
    return undefined
  }
}

interface CheckRow {
  name: string
  ok: boolean
  detail: string
}

/** Runs the same verification with --json into a buffer and explains each failed check. */
async function explainFailure(s: Session, args: string[]): Promise<void> {
  const out = new PassThrough()
  let json = ''
  out.setEncoding('utf8').on('data', (d: string) => (json += d))
  await s.runQuiet(['--json', ...args], { out, err: new PassThrough() })
  let checks: CheckRow[] = []
  try {
    checks = (JSON.parse(json) as { checks: CheckRow[] }).checks
  } catch {
    s.prose('tokentool: could not run the verification again to explain it; see the checklist above', { rest: '  ' })
    return
  }
  const c = s.style
  s.prose([{ text: 'Why it failed, and what to try', style: c.bold }])
  s.say('')
  // the detail quotes the token (a kid, a claim): the wrapper escapes it; advice hangs under it
  for (const k of checks.filter((x) => !x.ok)) {
    s.prose([{ text: 'FAIL', style: c.red }, { text: ` ${k.name}: ${k.detail}` }], { rest: '     ' })
    s.prose(ADVICE[k.name] ?? 'see the detail above', { first: '     ' })
    s.say('')
  }
}

/** What to try when a check fails, by check name (the names of core/jwt/verify-checks). */
const ADVICE: Record<string, string> = {
  signature:
    'The keys given do not verify this token: it may come from another issuer or tenant (compare its iss), be altered, or be signed with a key the JWKS no longer has (or with another secret).',
  key: 'No key of the key source matches the token (its kid or key type): the token comes from another issuer or tenant, the keys rotated (a key that left the JWKS verifies nothing), or the key given is not the one that signed it.',
  alg: 'The token\'s alg is not allowed for this key: a token signed with HS256 cannot be checked with a public key, and "none" is never accepted.',
  exp: 'The token has expired: get a new one (Refresh, or Log in). If it should still be valid, check this machine\'s clock.',
  nbf: 'The token is not valid yet: this machine\'s clock is probably behind the issuer\'s. Fix the clock (NTP), or allow more --clock-skew.',
  iat: 'Issued in the future: this machine\'s clock is behind the issuer\'s. Fix the clock (NTP), or allow more --clock-skew.',
  iss: 'The token names another issuer: verify against the URL in its iss claim (Entra v1 and v2 endpoints have different issuers).',
  aud: 'The token was issued for another audience: request it for your API (scope api://.../.default, --resource or --audience), or require the audience it has.',
  typ: 'The typ header differs: an ID token is not an access token (at+jwt). Use the token meant for the API.',
  scope: 'The token lacks a scope: ask for it when obtaining the token (--scope), and check it was granted (consent).',
  'max-age': 'The sign-in is too old: sign in again (Log in with prompt=login or max_age).',
  'header-keys': 'The token carries its own key (jwk/jku/x5u/x5c): those are never trusted; the key must come from the issuer.',
  crit: 'The token has critical header parameters tokentool does not understand.',
}
