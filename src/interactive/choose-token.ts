/**
 * "Which token?": one the session or the profile already knows, or a paste (not echoed; quotes
 * and a `Bearer ` prefix dropped as on the command line). Shared by every flow that works on a
 * token, below them all.
 * @module
 */
import { normalizeTokenText } from '../core/token-text.js'
import { BACK } from './prompter.js'
import { shortToken, type KnownToken, type Session } from './session.js'
import { validToken } from './validators.js'

/** Asks for a token: a stored or known one, or a paste. BACK when the user goes back. */
export async function chooseToken(s: Session, message = 'Which token?'): Promise<KnownToken | typeof BACK> {
  const known: KnownToken[] = []
  if (s.lastToken) known.push(s.lastToken)
  for (const t of await s.storedTokens()) if (!known.some((k) => k.text === t.text)) known.push(t)
  if (known.length > 0) {
    const pick = await s.prompt.select<KnownToken | 'paste'>(message, [
      ...known.map((k) => ({ name: `${k.label}: ${shortToken(k.text)}`, value: k })),
      { name: 'Paste a token', value: 'paste' as const },
    ])
    if (pick === BACK) return BACK
    if (pick !== 'paste') return pick
  }
  return pasteToken(s)
}

export async function pasteToken(s: Session): Promise<KnownToken | typeof BACK> {
  const text = await s.prompt.secret('Paste the token (not shown; Enter when done, empty to go back)', { validate: validToken })
  if (text === BACK) return BACK
  const token = { text: normalizeTokenText(text), label: 'pasted token' }
  s.say(s.style.dim(`token: ${shortToken(token.text)}`))
  return token
}
