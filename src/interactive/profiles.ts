/**
 * Manage profiles: list, show, switch the one the menu uses (or start a new one), remove —
 * each through `tokentool profiles ...` itself.
 * @module
 */
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validProfileName } from './validators.js'

export async function profilesFlow(s: Session): Promise<void> {
  for (;;) {
    const names = await s.profileNames()
    const step = await s.prompt.select<'list' | 'show' | 'switch' | 'new' | 'remove'>(`Profiles (using: ${s.profile})`, [
      { name: 'List the stored profiles', value: 'list' },
      ...(names.length > 0
        ? [
            { name: 'Show one (secrets masked)', value: 'show' as const },
            { name: 'Switch to another profile', value: 'switch' as const },
          ]
        : []),
      { name: 'Use a new profile…', value: 'new' },
      ...(names.length > 0 ? [{ name: 'Remove one', value: 'remove' as const }] : []),
    ])
    if (step === BACK) return
    if (step === 'list') await s.run(['profiles', 'list'])
    if (step === 'new') {
      const name = await s.prompt.input('Name of the new profile (it is saved at the first login)', { validate: validProfileName })
      if (name !== BACK) s.profile = name
      continue
    }
    if (step === 'show' || step === 'switch' || step === 'remove') {
      const name = await s.prompt.select(
        step === 'show' ? 'Show which profile?' : step === 'switch' ? 'Switch to which profile?' : 'Remove which profile?',
        names.map((n) => ({ name: n === s.profile ? `${n} (in use)` : n, value: n })),
        { default: s.profile },
      )
      if (name === BACK) continue
      if (step === 'show') await s.run(['profiles', 'show', name])
      if (step === 'switch') {
        s.profile = name
        s.lastIssuer = undefined
        s.say(s.style.green(`Using profile ${name}`))
      }
      if (step === 'remove') {
        const ok = await s.prompt.confirm(`Remove profile ${name}: its settings, client secret and tokens (not revoked at the server)?`, false)
        if (ok === true) await s.run(['profiles', 'remove', name])
      }
    }
  }
}
