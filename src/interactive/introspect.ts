/**
 * Introspect or revoke a token: pick the token, then `tokentool introspect` (plain or the
 * RFC 9701 JWT response) or `tokentool revoke`, authenticated as the client.
 * @module
 */
import { askClient } from './client.js'
import { chooseToken } from './choose-token.js'
import { BACK } from './prompter.js'
import type { KnownToken, Session } from './session.js'

export async function introspectFlow(s: Session, given?: KnownToken): Promise<void> {
  const token = given ?? (await chooseToken(s, 'Which token?'))
  if (token === BACK) return
  const action = await s.prompt.select<'introspect' | 'jwt' | 'revoke'>('Ask the server', [
    ...(s.has('introspect')
      ? [
          { name: 'Is it active? (introspection, RFC 7662)', value: 'introspect' as const },
          { name: 'Is it active, as a signed JWT? (RFC 9701)', value: 'jwt' as const },
        ]
      : []),
    ...(s.has('revoke') ? [{ name: 'Revoke it (RFC 7009)', value: 'revoke' as const }] : []),
  ])
  if (action === BACK) return
  if (action === 'revoke') {
    const ok = await s.prompt.confirm('Revoke this token at the server? It stops working everywhere.', false)
    if (ok !== true) return
  }
  const client = await askClient(s, 'introspection and revocation need a confidential client')
  if (client === BACK) return
  const args = [action === 'revoke' ? 'revoke' : 'introspect', ...client.args, ...(action === 'jwt' ? ['--jwt'] : []), '--', token.text]
  await s.run(args, { secretArgs: [token.text], hiddenArgs: client.secrets })
}
