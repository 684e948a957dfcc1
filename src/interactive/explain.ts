/**
 * Why did the API say no: pick the token that was sent, paste what the API answered (its
 * WWW-Authenticate value, checked as `cae decode` checks it), and see `tokentool explain`'s ranked causes.
 * @module
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chooseToken } from './choose-token.js'
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validChallenge } from './validators.js'

export async function explainFlow(s: Session): Promise<void> {
  const token = await chooseToken(s, 'Which token did the API refuse?')
  if (token === BACK) return
  s.lastToken = token
  const what = await s.prompt.select<'paste' | 'none'>('What did the API answer?', [
    { name: 'Paste its WWW-Authenticate header', value: 'paste' },
    { name: 'Nothing to paste: explain from the token alone', value: 'none' },
  ])
  if (what === BACK) return
  let response: string | undefined
  if (what === 'paste') {
    const text = await s.prompt.input('Paste the WWW-Authenticate value (or the whole header line)', { validate: validChallenge })
    if (text === BACK) return
    // explain reads a response head: a bare value becomes its header line
    response = /^\s*www-authenticate\s*:/i.test(text) ? text.trim() : `WWW-Authenticate: ${text.trim()}`
  }
  if (response === undefined) {
    await s.run(['explain', '--', token.text], { secretArgs: [token.text] })
    return
  }
  // explain reads a response from a file (or stdin, which is the terminal here): a private one, removed after
  const dir = await mkdtemp(join(tmpdir(), 'tokentool-explain-'))
  try {
    const file = join(dir, 'response.txt')
    await writeFile(file, `${response}\n`, { mode: 0o600 })
    await s.run(['explain', '--response', file, '--', token.text], { secretArgs: [token.text] })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
