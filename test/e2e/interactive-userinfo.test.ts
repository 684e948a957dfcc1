/**
 * Issue #19: the menu has a userinfo entry, in a real terminal (node-pty running the built
 * binary) against the real provider: the profile's signed-in user, and a pasted access token
 * with the issuer asked (offered from the profile). The token is never on the screen in full.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KEY, ptysKilledAfterAll } from '../helpers/pty.js'
import { signedInHome } from '../helpers/login-flow.js'
import { tempHome } from '../helpers/run-cli.js'
import { startProvider, type TestProvider } from './provider.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})
const pty = ptysKilledAfterAll(afterAll)
const accessToken = (h: string): string => (Object.values(JSON.parse(readFileSync(join(h, 'tokens', 'default.json'), 'utf8')).accessTokens)[0] as { accessToken: string }).accessToken

describe('menu entry for userinfo', () => {
  it("the profile's signed-in user: tokentool userinfo runs and shows the claims", { timeout: 90_000 }, async () => {
    const home = await signedInHome(provider)
    const t = pty([], { home })
    await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
    await t.choose('Show who is signed in')
    await t.waitFor(/Whose claims\?/)
    await t.choose(/The user signed in to profile default/)
    await t.waitFor(/\$ tokentool userinfo\n[\s\S]*Userinfo from http:\/\/127\.0\.0\.1:\d+\/me[\s\S]*sub\s+\S+[\s\S]*Main menu/)
    expect(provider.requestsTo('/me').at(-1)).toMatchObject({ authorization: 'Bearer', status: 200 })
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('a pasted access token with the issuer asked: its user; the token shown only shortened', { timeout: 90_000 }, async () => {
    const token = accessToken(await signedInHome(provider))
    const t = pty([], { home: tempHome() })
    await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
    await t.choose('Show who is signed in')
    await t.waitFor(/Whose claims\?/)
    // a profile without an issuer has no "signed in to profile" choice
    expect(t.sinceMark()).not.toMatch(/The user signed in to profile/)
    await t.choose(/The user of an access token/)
    await t.waitFor(/Paste the token/)
    t.type(`"${token}"` + KEY.enter)
    await t.waitFor(/Issuer URL/)
    t.type('not a url' + KEY.enter)
    await t.waitFor(/"not a url" is not a URL/)
    t.type('\x15' + provider.issuer + KEY.enter)
    await t.waitFor(/Client id the token was issued to/)
    t.type(provider.clients.native.client_id + KEY.enter)
    await t.waitFor(/\$ tokentool userinfo --issuer http:\/\/127\.0\.0\.1:\d+ --client-id \S+ -- \S+… \(\d+ chars\)[\s\S]*Userinfo from[\s\S]*sub\s+\S+[\s\S]*Main menu/)
    expect(t.screen()).not.toContain(token)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})
