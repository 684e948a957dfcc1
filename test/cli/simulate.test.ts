import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

describe('tokentool simulate', () => {
  it('prints the summary, the event table and the chart for a preset', async () => {
    const r = await runCli(['simulate', '--preset', 'e-government', '--width', '80'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const flat = r.stdout.replace(/\n {13}/g, ' ') // the summary wraps its values at the width
    expect(flat).toMatch(/^Policy +absolute 4h, sliding 1h, 1h access tokens refreshed 1m before expiry, always active/m)
    expect(flat).toMatch(/^Tokens +5 token sets issued \(access \+ refresh token\): the login's and 4 refreshes$/m)
    expect(flat).toMatch(/^Session end +at 4h: the absolute limit; the client needed a refresh at 4h55m and must log in again$/m)
    expect(r.stdout).toMatch(/^Overhang +56m: /m)
    expect(r.stdout).toContain('3h56m  refresh                       4h56m                 4h (absolute)')
    expect(r.stdout).toContain('4h55m  refresh fails: log in again')
    expect(r.stdout).toMatch(/^events +L +R +R +R +RE +!$/m)
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    expect(r.stdout).not.toMatch(/\x1b\[/)
  })

  it('--json is one document with the contract fields and every event', async () => {
    const r = await runCli(['simulate', '--preset', 'consumer', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.tokens_issued).toBe(733)
    expect(doc.refreshes).toBe(732)
    expect(doc.session_end).toEqual({ at: 30 * 86400, reason: 'absolute' })
    expect(doc.reauth_required_at).toBe(733 * 59 * 60)
    expect(doc.last_access_token).toEqual({ issued_at: 732 * 59 * 60, expires_at: 732 * 59 * 60 + 3600, overhang: 48 * 60, issuedAt: 732 * 59 * 60, expiresAt: 732 * 59 * 60 + 3600 })
    expect(doc.events).toHaveLength(1 + 732 + 3)
    const login = { at: 0, type: 'login', access_expires_at: 3600, refresh_expires_at: 3600, refresh_limit: 'sliding' }
    expect(doc.events[0]).toEqual({ ...login, accessExpiresAt: 3600, refreshExpiresAt: 3600, refreshLimit: 'sliding' })
    expect(doc.events.filter((e: { type: string }) => e.type === 'refresh')).toHaveLength(732)
    expect(doc.events.at(-3)).toMatchObject({ at: 2592000, type: 'session-end', access_expires_at: 2594880, refresh_expires_at: 2592000, reason: 'absolute' })
    expect(doc.policy).toMatchObject({ preset: 'consumer', absolute: 2592000, sliding: 3600, access_ttl: 3600, refresh_before: 60, horizon: 31 * 86400 })
    expect(doc.promise).toEqual({ scenario: 'consumer (social media)', token_sets: 720, tokenSets: 720 })
    // the contract's 0.1 names, until 0.3 (README "JSON output")
    expect([doc.tokensIssued, doc.sessionEnd, doc.reauthRequiredAt]).toEqual([doc.tokens_issued, doc.session_end, doc.reauth_required_at])
  })

  it('--json writes null for a refresh token that never expires and reports the horizon', async () => {
    const r = await runCli(['simulate', '--horizon', '3h', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.sessionEnd).toEqual({ at: 10800, reason: 'horizon' })
    expect(doc.events[0].refreshExpiresAt).toBeNull()
    expect(doc.lastAccessToken.overhang).toBeNull()
  })

  it('--revoke-at adds the exposure comparison to the JSON document', async () => {
    const r = await runCli(['--json', 'simulate', '--preset', 'enterprise', '--revoke-at', '2h30m', '--introspection-cache', '5m'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.sessionEnd).toEqual({ at: 9000, reason: 'revoked' })
    expect(doc.exposure.revokeAt).toBe(9000)
    expect(doc.exposure.rows.map((x: { kind: string; continuesFor: number }) => [x.kind, x.continuesFor])).toEqual([
      ['jwt', 28 * 60],
      ['reference', 5 * 60],
      ['cae', 15 * 60],
      ['long-lived', 25.5 * 3600],
    ])
  })

  it('a long table elides its middle and says how many rows it left out', async () => {
    const r = await runCli(['simulate', '--preset', 'consumer'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('... 696 more events not shown (--all or --json lists every event) ...')
    const all = await runCli(['simulate', '--preset', 'consumer', '--all'])
    expect(all.stdout).not.toContain('more events not shown')
    expect(all.stdout).toContain('12h47m  refresh')
  })

  it('a year of one-minute sliding windows answers at once', async () => {
    const r = await runCli(['simulate', '--horizon', '1y', '--sliding', '1m', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).sessionEnd).toEqual({ at: 60, reason: 'sliding' })
  })

  it('sliding longer than absolute is a warning on stderr, not an error', async () => {
    const r = await runCli(['simulate', '--absolute', '4h', '--sliding', '8h', '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^tokentool: warning: --sliding 8h is longer than --absolute 4h/)
    expect(JSON.parse(r.stdout).warnings).toHaveLength(1)
  })

  it.each([
    [['--absolute', '-4h'], /^tokentool: --absolute: "-4h" is negative; a duration must be positive/],
    [['--sliding', 'fortnight'], /^tokentool: --sliding: cannot read "fortnight" as a duration/],
    [['--active', '5h-3h'], /^tokentool: --active: window "5h-3h" runs backwards/],
    [['--active', '0-4h,3h-5h'], /^tokentool: --active: windows .* overlap/],
    [['--preset', 'bank'], /^tokentool: --preset: unknown preset "bank"/],
    [['--refresh-before', '2h'], /^tokentool: --refresh-before 2h is not shorter than --access-ttl/],
    [['--width', '10'], /^tokentool: --width: "10" must be a whole number of columns/],
  ])('%j: one clear line on stderr, exit 2', async (args, message) => {
    const r = await runCli(['simulate', ...args])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('--help shows the flags and examples', async () => {
    const r = await runCli(['simulate', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--revoke-at <dur>')
    expect(r.stdout).toContain('$ tokentool simulate --preset e-government')
  })
})
