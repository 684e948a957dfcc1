/**
 * Issue #19: the menu has status and explain entries, in a real terminal (node-pty running the
 * built binary): status for this profile or every one; explain with a pasted token and the
 * API's WWW-Authenticate (refused at the prompt while it does not parse), or the token alone.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { rawJws } from '../helpers/jwt-fixtures.js'
import { KEY, ptysKilledAfterAll } from '../helpers/pty.js'
import { tempHome } from '../helpers/run-cli.js'
import { fileStore } from '../../src/store/store.js'

const now = Math.floor(Date.now() / 1000)
const token = rawJws({ alg: 'RS256', typ: 'JWT' }, { iss: 'https://login.example', sub: 'user-42', aud: 'api://orders', scp: 'orders.read', exp: now + 3600, iat: now })
const expired = rawJws({ alg: 'RS256', typ: 'JWT' }, { iss: 'https://login.example', sub: 'user-42', aud: 'api://orders', exp: now - 7200, iat: now - 10800 })

const pty = ptysKilledAfterAll(afterAll)

describe('menu entries for status and explain', () => {
  it('status: this profile, then every stored profile; the menu again after each', { timeout: 60_000 }, async () => {
    const home = tempHome()
    const store = fileStore(home)
    await store.saveSettings('ci', { issuer: 'https://login.example', clientId: 'ci-client' })
    await store.saveSettings('prod-eu', { issuer: 'https://eu.example', clientId: 'app' })
    const t = pty(['--profile', 'ci'], { home })
    await t.waitFor(/Main menu \(profile ci\)/)
    await t.choose('Show the token status')
    await t.waitFor(/Show the token status of/)
    await t.choose('This profile (ci)')
    await t.waitFor(/\$ tokentool --profile ci status\n[\s\S]*https:\/\/login\.example · client ci-client[\s\S]*sign-in needed[\s\S]*Main menu \(profile ci\)/)
    // this profile only: the other one is not in status's output
    expect(t.screen().split('$ tokentool --profile ci status\n')[1]).not.toContain('prod-eu')
    await t.choose('Show the token status')
    await t.choose('Every stored profile')
    await t.waitFor(/\$ tokentool --profile ci status --all[\s\S]*ci-client[\s\S]*https:\/\/eu\.example · client app[\s\S]*Main menu/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('explain: a pasted token and WWW-Authenticate value give the ranked cause; a bad value is refused at the prompt', { timeout: 60_000 }, async () => {
    const t = pty([])
    await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
    await t.choose('Explain why the API said no')
    await t.waitFor(/Paste the token/)
    t.type(token + KEY.enter)
    await t.waitFor(/What did the API answer\?/)
    await t.choose('Paste its WWW-Authenticate header')
    await t.waitFor(/Paste the WWW-Authenticate value/)
    t.type('Bearer error="insufficient_scope", scope="orders.write' + KEY.enter)
    await t.waitFor(/cannot parse WWW-Authenticate at column \d+: the quoted string that starts here has no closing quote/)
    t.type('\x15' + 'Bearer error="insufficient_scope", scope="orders.write"' + KEY.enter)
    await t.waitFor(/\$ tokentool explain --response \S+ -- eyJ\S+ \(\d+ chars\)[\s\S]*insufficient_scope \(certain\)[\s\S]*missing orders\.write[\s\S]*Main menu/)
    // the token never in full on the screen
    expect(t.screen()).not.toContain(token)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('explain from the token alone: an expired token is the cause', { timeout: 60_000 }, async () => {
    const t = pty([])
    await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
    await t.choose('Explain why the API said no')
    await t.waitFor(/Paste the token/)
    t.type(expired + KEY.enter)
    await t.choose('Nothing to paste')
    await t.waitFor(/\$ tokentool explain -- eyJ\S+ \(\d+ chars\)[\s\S]*expired \(likely\) the token expired 2h[\s\S]*Main menu/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})
