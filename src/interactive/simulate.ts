/**
 * Simulate: a preset or a custom policy, asked one duration at a time (each checked as typed
 * by the parser `simulate` uses), then simulate's own summary, table and chart.
 * @module
 */
import { PRESETS } from '../core/simulate/policy.js'
import { formatDuration } from '../core/duration.js'
import { BACK } from './prompter.js'
import type { Session } from './session.js'
import { validDuration, validLimit, validWindows } from './validators.js'

export async function simulateFlow(s: Session): Promise<void> {
  const preset = await s.prompt.select<string>('Which expiry policy?', [
    ...Object.values(PRESETS).map((p) => ({
      name: `${p.name}: ${p.scenario}, absolute ${formatDuration(p.absolute)}, sliding ${formatDuration(p.sliding)}`,
      value: p.name as string,
    })),
    { name: 'Custom: absolute and sliding limits of my own', value: 'custom' },
  ])
  if (preset === BACK) return
  const args = ['simulate']
  if (preset === 'custom') {
    const absolute = await s.prompt.input('Absolute limit from login (e.g. 8h, 30d, "none")', { validate: validLimit })
    if (absolute === BACK) return
    const sliding = await s.prompt.input('Sliding window per refresh (e.g. 1h, "none")', { default: 'none', validate: validLimit })
    if (sliding === BACK) return
    args.push('--absolute', absolute, '--sliding', sliding)
  } else {
    args.push('--preset', preset)
  }
  const accessTtl = await s.prompt.input('Access token lifetime', { default: '1h', validate: validDuration })
  if (accessTtl === BACK) return
  if (accessTtl !== '1h') args.push('--access-ttl', accessTtl)
  const activity = await s.prompt.select<'always' | 'windows'>('When is the user active?', [
    { name: 'All the time', value: 'always' },
    { name: 'In windows from login (e.g. 0-3h,5h-9h)…', value: 'windows' },
  ])
  if (activity === BACK) return
  if (activity === 'windows') {
    const w = await s.prompt.input('Active windows', { validate: validWindows })
    if (w === BACK) return
    args.push('--active', w)
  }
  const revoke = await s.prompt.select<'no' | 'yes'>('Add a revocation event (how long a stolen token keeps working)?', [
    { name: 'No', value: 'no' },
    { name: 'Yes, at a time from login…', value: 'yes' },
  ])
  if (revoke === BACK) return
  if (revoke === 'yes') {
    const at = await s.prompt.input('Revoke at (from login, e.g. 2h30m)', { validate: validDuration })
    if (at === BACK) return
    args.push('--revoke-at', at)
  }
  await s.run(args)
}
