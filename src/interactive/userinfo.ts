/**
 * Who is signed in: `tokentool userinfo` from the menu. The profile's own user goes through
 * userinfo's token path (refreshed under the lock when expired); any other access token — the
 * one just obtained, a stored one, a paste — needs the issuer whose userinfo endpoint answers
 * and the client it was issued to.
 * @module
 */
import { chooseToken } from './choose-token.js'
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validUrl } from './validators.js'

export async function userinfoFlow(s: Session): Promise<void> {
  const saved = await s.settings()
  const whose = await s.prompt.select<'profile' | 'token'>('Whose claims?', [
    // only a profile that knows its issuer can find its userinfo endpoint without a question
    ...(saved?.issuer ? [{ name: `The user signed in to profile ${s.profile} (refreshed when needed)`, value: 'profile' as const }] : []),
    { name: 'The user of an access token (one known here, or a paste)', value: 'token' },
  ])
  if (whose === BACK) return
  if (whose === 'profile') {
    await s.run(['userinfo'])
    return
  }
  const token = await chooseToken(s, 'Which access token?')
  if (token === BACK) return
  s.lastToken = token
  const known = await s.knownIssuer()
  const issuer = await s.prompt.input('Issuer URL (its userinfo endpoint answers)', { ...(known ? { default: known } : {}), validate: validUrl })
  if (issuer === BACK) return
  s.lastIssuer = issuer
  // userinfo checks a signed (application/jwt) answer's audience against the client id
  const knownId = s.lastClientId ?? (await s.settings())?.clientId
  const clientId = await s.prompt.input('Client id the token was issued to', knownId ? { default: knownId } : {})
  if (clientId === BACK) return
  s.lastClientId = clientId
  await s.run(['userinfo', '--issuer', issuer, '--client-id', clientId, '--', token.text], { secretArgs: [token.text] })
}
