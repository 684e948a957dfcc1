/**
 * Exchange a token (RFC 8693): the subject token (the one just obtained, the profile's, or a
 * paste), what to ask for, then `tokentool exchange`'s own view of the new token and how its
 * claims differ from the subject's.
 * @module
 */
import { chooseToken } from './choose-token.js'
import { BACK } from './prompter.js'
import type { KnownToken, Session } from './session.js'

export async function exchangeFlow(s: Session, given?: KnownToken): Promise<void> {
  const subject = given ?? (await chooseToken(s, 'Exchange which token (the subject token)?'))
  if (subject === BACK) return
  const args = ['exchange', '--subject-token', subject.text]
  for (;;) {
    const add = await s.prompt.select<'run' | 'audience' | 'resource' | 'scope'>('Ask for (add as many as needed, then exchange):', [
      { name: 'Exchange now', value: 'run' },
      { name: 'An audience (target service)…', value: 'audience' },
      { name: 'A resource (RFC 8707)…', value: 'resource' },
      { name: 'Scopes (usually narrower)…', value: 'scope' },
    ])
    if (add === BACK) return
    if (add === 'run') break
    const value = await s.prompt.input(add === 'audience' ? 'Audience' : add === 'resource' ? 'Resource URI' : 'Scopes (space-separated)')
    if (value !== BACK) args.push(`--${add}`, value)
  }
  await s.run(args, { secretArgs: [subject.text] })
}
