/**
 * Verify: pick or paste a token, give the issuer (offered: the token's `iss`, the issuer last
 * used, the profile's), and see verify's own checklist. After a failure: why each check
 * failed and what to try.
 * @module
 */
import { PassThrough } from 'node:stream'
import { decodeToken } from '../core/jwt/decode.js'
import { BACK } from './prompter.js'
import type { KnownToken, Session } from './session.js'
import { validUrl } from './validators.js'

export async function verifyFlow(s: Session): Promise<void> {
  const { chooseToken } = await import('./inspect.js')
  const token = await chooseToken(s, 'Verify which token?')
  if (token === BACK) return
  s.lastToken = token
  await verifyToken(s, token)
}

/** Runs `tokentool verify --issuer URL [--aud A] TOKEN` and offers the next step. */
export async function verifyToken(s: Session, token: KnownToken, tokenIssuer?: string): Promise<void> {
  const issuer = await s.prompt.input('Issuer URL (its discovery document gives the keys)', {
    ...(await defaultIssuer(s, tokenIssuer, token)),
    validate: validUrl,
  })
  if (issuer === BACK) return
  const audMode = await s.prompt.select<'any' | 'aud'>('Audience', [
    { name: 'Any audience (check signature, times and issuer)', value: 'any' },
    { name: 'Require an audience…', value: 'aud' },
  ])
  if (audMode === BACK) return
  const args = ['verify', '--issuer', issuer]
  if (audMode === 'aud') {
    const aud = await s.prompt.input('Required audience (aud)')
    if (aud === BACK) return
    args.push('--aud', aud)
  }
  args.push('--', token.text) // after --: an opaque token may begin with '-'
  s.lastIssuer = issuer
  const code = await s.run(args, { secretArgs: [token.text] })
  if (code === 0) return
  for (;;) {
    const next = await s.prompt.select<'why' | 'again'>('Verification failed: what next?', [
      ...(code === 1 ? [{ name: 'Why did it fail, and what to try?', value: 'why' as const }] : []),
      { name: 'Verify against another issuer', value: 'again' as const },
    ])
    if (next === BACK) return
    if (next === 'again') return verifyToken(s, token, tokenIssuer)
    await explainFailure(s, args)
  }
}

async function defaultIssuer(s: Session, tokenIssuer: string | undefined, token: KnownToken): Promise<{ default?: string }> {
  tokenIssuer ??= issOf(token.text)
  const candidate = tokenIssuer && validUrl(tokenIssuer) === true ? tokenIssuer : await s.knownIssuer()
  return candidate ? { default: candidate } : {}
}

/** The token's `iss`, when it is a readable JWT. */
function issOf(text: string): string | undefined {
  try {
    const iss = decodeToken(text, { now: new Date() }).payload?.iss
    return typeof iss === 'string' ? iss : undefined
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
    'The issuer\'s keys do not verify this token: it may come from another issuer or tenant (compare its iss), be altered, or be signed with a key the JWKS no longer has.',
  key: 'No key of the issuer matches the token\'s kid: the token comes from another issuer or tenant, or the keys rotated (a key that left the JWKS verifies nothing).',
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
