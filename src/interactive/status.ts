/**
 * Token status from the menu: `tokentool status` for this profile or every stored one (what
 * `tokentool token` could give without a person). Reads only the store.
 * @module
 */
import { BACK } from './prompter.js'
import type { Session } from './session.js'

export async function statusFlow(s: Session): Promise<void> {
  const which = await s.prompt.select<'one' | 'all'>('Show the token status of', [
    { name: `This profile (${s.profile})`, value: 'one' },
    { name: 'Every stored profile', value: 'all' },
  ])
  if (which === BACK) return
  await s.run(which === 'all' ? ['status', '--all'] : ['status'])
}
