/**
 * Decode a CAE challenge: paste the WWW-Authenticate value (checked by the same parser as
 * `cae decode`), see its view, and offer to answer it with a refresh carrying the claims.
 * @module
 */
import { decodeCaeChallenges } from '../core/cae/decode.js'
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validChallenge } from './validators.js'

export async function caeFlow(s: Session): Promise<void> {
  const header = await s.prompt.input('Paste the WWW-Authenticate value (or the whole header line)', { validate: validChallenge })
  if (header === BACK) return
  const code = await s.run(['cae', 'decode', header])
  if (code !== 0) return
  const claims = decodeCaeChallenges(header).challenges.find((c) => c.claims !== null)
  if (!claims) return
  const settings = await s.settings()
  if (!settings?.issuer) return
  const next = await s.prompt.select<'refresh'>('Answer the challenge?', [
    { name: `Refresh the tokens of profile ${s.profile} with this claims request`, value: 'refresh' },
  ])
  if (next === BACK) return
  const raw = claims.params.claims
  if (typeof raw === 'string') await s.run(['refresh', '--claims', raw])
}
