/**
 * The questions shared by the flows that talk to the server as a client (client credentials,
 * introspection, revocation): issuer and client id (offered from the profile and the session)
 * and the client secret (the profile's, or typed without echo). Returns the flags to pass.
 * @module
 */
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validUrl } from './validators.js'

export interface ClientArgs {
  args: string[]
  /** Values to hide when the command line is shown. */
  secrets: string[]
}

export async function askClient(s: Session, purpose: string): Promise<ClientArgs | typeof BACK> {
  const saved = await s.settings()
  const known = s.lastIssuer ?? saved?.issuer
  const issuer = await s.prompt.input('Issuer URL', { ...(known ? { default: known } : {}), validate: validUrl })
  if (issuer === BACK) return BACK
  s.lastIssuer = issuer
  const knownId = s.lastClientId ?? saved?.clientId
  const clientId = await s.prompt.input(`Client id (${purpose})`, knownId ? { default: knownId } : {})
  if (clientId === BACK) return BACK
  s.lastClientId = clientId
  const out: ClientArgs = { args: ['--issuer', issuer, '--client-id', clientId], secrets: [] }
  const sameClient = saved?.clientId === clientId && saved.issuer === issuer
  const how = await s.prompt.select<'saved' | 'secret' | 'none'>('Client authentication', [
    ...(sameClient && (saved?.clientSecret || saved?.clientKey) ? [{ name: "The profile's saved credential", value: 'saved' as const }] : []),
    { name: 'Client secret (typed, not shown)', value: 'secret' },
    { name: 'None (public client)', value: 'none' },
  ])
  if (how === BACK) return BACK
  if (how === 'secret') {
    const secret = await s.prompt.secret('Client secret (not shown; env:VAR and @file work too)')
    if (secret === BACK) return BACK
    out.args.push('--client-secret', secret)
    out.secrets.push(secret)
  }
  if (how === 'none') out.args.push('--client-auth', 'none')
  return out
}
