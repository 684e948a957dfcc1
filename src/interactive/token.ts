/**
 * Get a token with the client credentials grant: `tokentool token --client-credentials`. The
 * token is kept for the next step (inspect, verify, exchange, introspect) and shown only
 * abbreviated: the command prints it for scripts, the menu never puts it on the screen.
 * @module
 */
import { PassThrough } from 'node:stream'
import { askClient } from './client.js'
import { BACK } from './prompter.js'
import { shortToken, type Session } from './session.js'

export async function tokenFlow(s: Session): Promise<void> {
  const client = await askClient(s, 'a confidential client')
  if (client === BACK) return
  const what = await s.prompt.select<'default' | 'scope' | 'resource'>('What should the token be for?', [
    { name: "The server's default scopes", value: 'default' },
    { name: 'These scopes…', value: 'scope' },
    { name: 'An API (resource indicator, RFC 8707)…', value: 'resource' },
  ])
  if (what === BACK) return
  const args = ['token', '--client-credentials', ...client.args]
  if (what === 'resource') {
    const resource = await s.prompt.input('Resource URI of the API')
    if (resource === BACK) return
    args.push('--resource', resource)
  }
  if (what !== 'default') {
    const scope = await s.prompt.input('Scopes (space-separated)', what === 'resource' ? { default: '' } : {})
    if (scope !== BACK) args.push('--scope', scope)
    else if (what === 'scope') return
  }
  args.push('--force') // the menu asks for a new token; the cache is for scripts
  // stdout carries the bare token: keep it, show it abbreviated
  const out = new PassThrough()
  let text = ''
  out.setEncoding('utf8').on('data', (d: string) => (text += d))
  s.echo(`tokentool ${args.map((a) => (client.secrets.includes(a) ? '****' : a)).join(' ')}`)
  const code = await s.runQuiet(args, { out, err: s.deps.io.err })
  const token = text.trim()
  if (code !== 0 || token === '') return
  s.lastToken = { text: token, label: 'client credentials token' }
  s.prose([{ text: 'Got an access token', style: s.style.green }, { text: ` ${shortToken(token)} (stored in profile ${s.profile})` }], { rest: '  ' })
  s.say('')
  await afterToken(s)
}

/** What to do with the token just obtained. */
async function afterToken(s: Session): Promise<void> {
  const token = s.lastToken!
  for (;;) {
    const next = await s.prompt.select<'inspect' | 'verify' | 'exchange' | 'introspect'>('What next?', [
      { name: 'Inspect it', value: 'inspect' },
      { name: 'Verify it (issuer, JWKS, key file or secret)', value: 'verify' },
      ...(s.has('exchange') ? [{ name: 'Exchange it (RFC 8693)', value: 'exchange' as const }] : []),
      ...(s.has('introspect') ? [{ name: 'Introspect or revoke it', value: 'introspect' as const }] : []),
    ], { back: '← Main menu' })
    if (next === BACK) return
    if (next === 'inspect') await (await import('./inspect.js')).inspectFlow(s, token)
    if (next === 'verify') await (await import('./verify.js')).verifyToken(s, token)
    if (next === 'exchange') await (await import('./exchange.js')).exchangeFlow(s, token)
    if (next === 'introspect') await (await import('./introspect.js')).introspectFlow(s, token)
  }
}
