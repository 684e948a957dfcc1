/**
 * Sign-in and what follows it: log in (browser or device), refresh, call an API, show the
 * ID token. Each runs the subcommand itself; after a step the natural next ones are offered.
 * @module
 */
import { exchangeFlow } from './exchange.js'
import { inspectFlow } from './inspect.js'
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validUrl } from './validators.js'

export async function loginFlow(s: Session): Promise<void> {
  const saved = await s.settings()
  const issuer = await s.prompt.input('Issuer URL', { ...(s.lastIssuer ?? saved?.issuer ? { default: s.lastIssuer ?? saved?.issuer } : {}), validate: validUrl })
  if (issuer === BACK) return
  const knownId = s.lastClientId ?? saved?.clientId
  const clientId = await s.prompt.input('Client id', knownId ? { default: knownId } : {})
  if (clientId === BACK) return
  s.lastClientId = clientId
  const kind = await s.prompt.select<'public' | 'secret'>('Client type', [
    { name: 'Public client (no secret: a CLI or native app)', value: 'public' },
    { name: 'Confidential client (give its secret)', value: 'secret' },
  ])
  if (kind === BACK) return
  const secretArgs: string[] = []
  const args = ['login', '--issuer', issuer, '--client-id', clientId]
  if (kind === 'secret') {
    const secret = await s.prompt.secret('Client secret (not shown; env:VAR and @file work too)')
    if (secret === BACK) return
    args.push('--client-secret', secret)
    secretArgs.push(secret)
  }
  const scope = await s.prompt.input('Scopes (offline_access gives a refresh token)', { default: saved?.scope ?? 'openid profile offline_access' })
  if (scope === BACK) return
  args.push('--scope', scope)
  const how = await s.prompt.select<'browser' | 'device'>('How do you sign in?', [
    { name: 'In a browser on this machine (authorization code + PKCE)', value: 'browser' },
    { name: 'On another device (device code)', value: 'device' },
  ])
  if (how === BACK) return
  if (how === 'device') args.push('--device')
  s.lastIssuer = issuer
  const code = await s.run(args, { hiddenArgs: secretArgs })
  if (code === 0) await afterSignIn(s)
}

/** The natural next steps once the profile holds tokens. */
export async function afterSignIn(s: Session): Promise<void> {
  for (;;) {
    type Next = 'call' | 'refresh' | 'exchange' | 'id' | 'access'
    const next = await s.prompt.select<Next>('Signed in: what next?', [
      { name: 'Call an API with the access token', value: 'call' },
      { name: 'Refresh the tokens', value: 'refresh' },
      ...(s.has('exchange') ? [{ name: 'Exchange the access token (RFC 8693)', value: 'exchange' as Next }] : []),
      { name: 'Show the ID token', value: 'id' },
      { name: 'Inspect the access token', value: 'access' },
    ], { back: '← Main menu' })
    if (next === BACK) return
    if (next === 'call') await callFlow(s)
    if (next === 'refresh') await refreshFlow(s, false)
    if (next === 'exchange') {
      await exchangeFlow(s)
    }
    if (next === 'id' || next === 'access') {
      const label = next === 'id' ? 'ID token' : 'access token'
      const t = (await s.storedTokens()).find((k) => k.label.startsWith(label))
      if (!t) s.say(s.style.yellow(`profile ${s.profile} holds no ${label}`))
      else await inspectFlow(s, t)
    }
  }
}

export async function refreshFlow(s: Session, offerNext = true): Promise<void> {
  const code = await s.run(['refresh'])
  if (code === 0 && offerNext) await afterSignIn(s)
}

export async function callFlow(s: Session): Promise<void> {
  const url = await s.prompt.input('API URL', { validate: validUrl })
  if (url === BACK) return
  await s.run(['call', url])
}
