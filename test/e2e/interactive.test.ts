/**
 * The interactive debugger in a real terminal (node-pty running the built binary): the main
 * menu, inspect (long paste not echoed, a claim and its meaning, an embedded token, save as
 * JSON), verify against the test provider (pass, and a failure explained), simulate a preset,
 * Esc going back, Ctrl-C leaving with 130, and `inspect TOKEN` opening the walk directly.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KEY, ptysKilledAfterAll, type PtySession } from '../helpers/pty.js'
import { rawJws } from '../helpers/jwt-fixtures.js'
import { tempHome } from '../helpers/run-cli.js'
import { fileStore } from '../../src/store/store.js'
import { browserlessLogin } from './browserless-login.js'
import { startProvider, type TestProvider } from './provider.js'
import { apiAccessToken } from './provider-tokens.js'

const inner = rawJws({ alg: 'RS256', typ: 'JWT' }, { iss: 'https://inner.example', sub: 'agent-7', aud: 'https://api.example' })
const now = Math.floor(Date.now() / 1000)
/** An access token with vendor claims, an actor, an embedded token, and padding to make the paste long. */
const token = rawJws(
  { alg: 'RS256', typ: 'at+jwt', kid: 'k1' },
  {
    iss: 'https://login.example',
    sub: 'user-42',
    aud: 'api://orders',
    exp: now + 3600,
    iat: now,
    scp: 'orders.read orders.write',
    xms_cc: ['cp1'],
    act: { sub: 'service-a', actor_token: inner },
    padding: 'x'.repeat(2500),
  },
)

const pty = ptysKilledAfterAll(afterAll)

async function waitRaw(t: PtySession, from: number, re: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!re.test(t.raw().slice(from))) {
    if (Date.now() > deadline) throw new Error(`no ${re} in the raw output: ${JSON.stringify(t.raw().slice(from).slice(-500))}`)
    await new Promise((r) => setTimeout(r, 40))
  }
}

/** A shown command line as a pattern (its spaces may be ` \\` line breaks: it is wrapped to the terminal). */
function shown(pattern: string): RegExp {
  return new RegExp(pattern.replace(/^\$/, '\\$').replace(/ /g, '(?: | \\\\\\n +)'))
}

async function mainMenu(t: PtySession) {
  await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
}

describe('tokentool (interactive) in a terminal', () => {
  it('inspect: a long paste is not echoed; walk a claim, then an embedded token; save the JSON; Esc goes back; Ctrl-C exits 130', { timeout: 90_000 }, async () => {
    const t = pty([])
    await mainMenu(t)
    await t.choose('Inspect a token')
    await t.waitFor(/Paste the token/)
    t.mark()
    t.type(token + KEY.enter)
    await t.waitFor(/NOT VERIFIED|not verified/i)
    // the token went into the terminal but never came back out in full
    expect(t.screen()).not.toContain(token)
    expect(t.screen()).toContain(`(${token.length} chars)`)
    await t.waitFor(/what next\?/)

    await t.choose('Walk the claims')
    await t.waitFor(/Pick a claim/)
    await t.choose(/^. xms_cc/)
    await t.waitFor(/meaning\s+client capabilities \(cp1 = CAE\)/)
    await t.waitFor(/Pick a claim/)
    await t.choose(/^. act /)
    await t.waitFor(/meaning\s+actor \(delegation, RFC 8693\)/)
    await t.waitFor(/act: pick a member/)
    await t.choose('actor_token')
    await t.waitFor(/This value is a token itself: open it\?/)
    t.mark()
    t.type(KEY.enter)
    await t.waitFor(/agent-7[\s\S]*\(embedded, claim act\.actor_token\): what next\?/)

    // Esc: back from the embedded token, to act's members, to the claims, to the outer token
    for (const re of [/act: pick a member/, /Pick a claim/, /what next\?/]) {
      t.mark()
      t.type(KEY.esc)
      await t.waitFor(re)
    }
    await t.choose('Save the decoded JSON')
    await t.waitFor(/Save to which file\?/)
    t.mark()
    const file = join(t.home, 'decoded.json')
    t.type(file + KEY.enter)
    await t.waitFor(/Saved the decoded token to/)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { payload: Record<string, unknown>; nested: { path: string }[] }
    expect(saved.payload.sub).toBe('user-42')
    expect(saved.nested.map((n) => n.path)).toContain('act.actor_token')

    await t.waitFor(/what next\?/)
    t.mark()
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
    expect(t.sinceMark()).toMatch(/tokentool: interrupted/)
    // the prompt handed the terminal back: the cursor it hid is shown again
    const raw = t.raw()
    expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'))
  })

  it('a malformed paste is refused at the prompt with the reason, and the prompt stays', { timeout: 60_000 }, async () => {
    const t = pty(['inspect'])
    await t.waitFor(/Paste the token/)
    t.mark()
    t.type('eyJhbGciOiJSUzI1NiJ9.not-json!.sig' + KEY.enter)
    await t.waitFor(/base64url|JSON|segment/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('an opaque token pasted is named as such, never shown (only its first 6 characters), and introspection is offered', { timeout: 60_000 }, async () => {
    const opaque = 'q4bN7yW2xZkL9mPvR3sT8uVw'
    const t = pty(['inspect'])
    await t.waitFor(/Paste the token/)
    t.mark()
    t.type(opaque + KEY.enter)
    await t.waitFor(/opaque \(reference\) token: what next\?[\s\S]*Ask the server about it \(introspect\)/)
    expect(t.screen()).toContain('token: q4bN7y… (24 chars)')
    expect(t.screen()).not.toContain(opaque)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('tokentool inspect TOKEN opens the walk straight away; Back leaves with 0', { timeout: 60_000 }, async () => {
    const t = pty(['inspect', inner])
    await t.waitFor(/Kind[\s\S]*what next\?/)
    expect(t.screen()).not.toMatch(/Main menu/)
    t.mark()
    t.type(KEY.esc)
    expect(await t.exited).toBe(0)
  })

  it('simulate: the enterprise preset shows simulate\'s summary and chart, then the menu again', { timeout: 60_000 }, async () => {
    const t = pty([])
    await mainMenu(t)
    await t.choose('Simulate an expiry policy')
    await t.waitFor(/Which expiry policy\?[\s\S]*Custom/)
    await t.choose('enterprise')
    await t.waitFor(/Access token lifetime/)
    t.mark()
    t.type(KEY.enter) // default 1h
    await t.waitFor(/When is the user active\?[\s\S]*In windows/)
    await t.choose('All the time')
    await t.waitFor(/revocation event[\s\S]*Yes/)
    await t.choose('No')
    await t.waitFor(/\$ tokentool simulate --preset enterprise/)
    await t.waitFor(/absolute/)
    await mainMenu(t)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('a bad duration is refused as typed, with the parser\'s message', { timeout: 60_000 }, async () => {
    const t = pty([])
    await mainMenu(t)
    await t.choose('Simulate an expiry policy')
    await t.waitFor(/Custom/)
    await t.choose('Custom')
    await t.waitFor(/Absolute limit/)
    t.mark()
    t.type('8 hours' + KEY.enter)
    await t.waitFor(/8 hours/)
    await t.waitFor(/duration|expected/i)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
  it('decode a CAE challenge: a malformed one is refused with the position, a good one shows cae decode\'s view', { timeout: 60_000 }, async () => {
    const t = pty([])
    await mainMenu(t)
    await t.choose('Decode a CAE challenge')
    await t.waitFor(/Paste the WWW-Authenticate value/)
    t.type('Bearer error="insufficient_claims", claims="abc' + KEY.enter)
    await t.waitFor(/cannot parse WWW-Authenticate at column 44: the quoted string that starts here has no closing quote/)
    // fix the answer: Ctrl-U clears the line, then a good header
    t.type('\x15' + 'Bearer realm="", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0="' + KEY.enter)
    await t.waitFor(/\$ tokentool cae decode[\s\S]*Claims request[\s\S]*present a token issued after 2020-10-31T01:10:51Z/)
    // no profile with an issuer: nothing to answer with, back to the main menu
    await mainMenu(t)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('manage profiles: list them, switch to another; the main menu names it', { timeout: 60_000 }, async () => {
    const home = tempHome()
    const store = fileStore(home)
    await store.saveSettings('ci', { issuer: 'https://login.example', clientId: 'ci-client' })
    await store.saveSettings('prod-eu', { issuer: 'https://eu.example', clientId: 'app' })
    const t = pty(['--profile', 'ci'], { home })
    await t.waitFor(/Main menu \(profile ci\)/)
    await t.choose('Manage profiles')
    await t.waitFor(/Profiles \(using: ci\)/)
    await t.choose('List the stored profiles')
    await t.waitFor(/\$ tokentool --profile ci profiles list[\s\S]*prod-eu[\s\S]*Profiles \(using: ci\)/)
    await t.choose('Switch to another profile')
    await t.waitFor(/Switch to which profile\?/)
    await t.choose('prod-eu')
    await t.waitFor(/Using profile prod-eu/)
    t.mark()
    t.type(KEY.esc)
    await t.waitFor(/Main menu \(profile prod-eu\)/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('with colour, an answer is red while it does not parse and green once it does, as it is typed', { timeout: 60_000 }, async () => {
    const t = pty([], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
    await mainMenu(t)
    await t.choose('Simulate an expiry policy')
    await t.waitFor(/Custom/)
    await t.choose('Custom')
    await t.waitFor(/Absolute limit/)
    const before = t.raw().length
    t.type('8 hours')
    // red (31) while typed, before any Enter
    await waitRaw(t, before, /\x1b\[31m8 hours\x1b\[39m/)
    t.type('\x15' + '8h')
    await waitRaw(t, before, /\x1b\[32m8h\x1b\[39m/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})

describe('verify against the test provider', () => {
  let op: TestProvider
  let accessToken: string
  beforeAll(async () => {
    op = await startProvider()
    accessToken = await apiAccessToken(op)
  })
  afterAll(async () => {
    await op?.stop()
  })

  it('offers the token\'s iss as the issuer, shows VALID; a wrong audience fails and is explained', { timeout: 90_000 }, async () => {
    const t = pty([])
    await mainMenu(t)
    await t.choose('Verify a token')
    await t.waitFor(/Paste the token/)
    t.mark()
    t.type(accessToken + KEY.enter)
    await t.waitFor(/Check the signature with[\s\S]*navigate/)
    await t.choose("The issuer's keys")
    await t.waitFor(/Issuer URL/)
    // the default offered is the issuer named in the token
    await t.waitFor(new RegExp(`Issuer URL.*\\(${op.issuer.replace(/[.:/]/g, '\\$&')}\\)`))
    t.mark()
    t.type(KEY.enter)
    await t.waitFor(/Audience[\s\S]*Require an audience/)
    await t.choose('Any audience')
    await t.waitFor(/VALID: every check passed/)
    expect(t.sinceMark()).not.toContain(accessToken)
    await mainMenu(t)

    await t.choose('Verify a token')
    // the token just used is offered
    await t.waitFor(/Verify which token\?[\s\S]*pasted token/)
    await t.choose('pasted token')
    await t.waitFor(/Check the signature with[\s\S]*navigate/)
    await t.choose("The issuer's keys")
    await t.waitFor(/Issuer URL/)
    t.mark()
    t.type(KEY.enter)
    await t.waitFor(/Require an audience/)
    await t.choose('Require an audience')
    await t.waitFor(/Required audience/)
    t.mark()
    t.type('https://other.example' + KEY.enter)
    await t.waitFor(/INVALID: 1 check failed/)
    await t.waitFor(/Verification failed: what next\?[\s\S]*Why did it fail/)
    await t.choose('Why did it fail')
    await t.waitFor(/FAIL aud:[\s\S]*issued for another audience/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('get a token with client credentials (abbreviated, never in full), then introspect it', { timeout: 90_000 }, async () => {
    const c = op.clients.basic
    const t = pty([])
    await mainMenu(t)
    await t.choose('Get a token (client credentials)')
    await t.waitFor(/Issuer URL/)
    t.mark()
    t.type(op.issuer + KEY.enter)
    await t.waitFor(/Client id/)
    t.mark()
    t.type(c.client_id + KEY.enter)
    await t.waitFor(/Client authentication[\s\S]*navigate/)
    await t.choose('Client secret')
    await t.waitFor(/Client secret \(not shown/)
    t.mark()
    t.type(c.client_secret + KEY.enter)
    await t.waitFor(/What should the token be for\?/)
    // the server's default: an opaque token, which the server can introspect (JWTs it cannot)
    await t.choose("The server's default scopes")
    const got = await t.waitFor(/Got an access token (\S+…) \((\d+) chars\)/)
    await t.waitFor(shown('$ tokentool token --client-credentials --issuer \\S+ --client-id \\S+ --client-secret \\*\\*\\*\\* --force'), { sinceMark: false })
    expect(t.screen()).not.toContain(c.client_secret)
    await t.waitFor(/What next\?[\s\S]*Introspect or revoke it/)
    await t.choose('Introspect or revoke it')
    await t.waitFor(/Ask the server[\s\S]*navigate/)
    await t.choose('Is it active? (introspection')
    await t.waitFor(/Issuer URL/)
    t.mark()
    t.type(KEY.enter) // the issuer just used is offered
    await t.waitFor(/Client id/)
    t.mark()
    t.type(KEY.enter) // and the client id
    await t.waitFor(/Client authentication[\s\S]*navigate/)
    await t.choose('Client secret')
    await t.waitFor(/Client secret \(not shown/)
    t.mark()
    t.type(c.client_secret + KEY.enter)
    await t.waitFor(shown('$ tokentool introspect --issuer \\S+ --client-id \\S+ --client-secret \\*\\*\\*\\* -- \\S{6}… \\(\\d+ chars\\)'))
    await t.waitFor(/ACTIVE\s+active: true/)
    await t.waitFor(/What next\?/)
    expect(op.requestsTo('/token/introspection').length).toBe(1)
    const full = t.screen()
    expect(full).not.toContain(c.client_secret)
    expect(got[2]).toMatch(/^\d+$/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })

  it('log in from the menu, then the next steps: show the ID token, refresh', { timeout: 120_000 }, async () => {
    const t = pty([], { env: { BROWSER: '/bin/true' } })
    await mainMenu(t)
    await t.choose('Log in')
    await t.waitFor(/Issuer URL/)
    t.mark()
    t.type(op.issuer + KEY.enter)
    await t.waitFor(/Client id/)
    t.mark()
    t.type(op.clients.native.client_id + KEY.enter)
    await t.waitFor(/Client type[\s\S]*navigate/)
    await t.choose('Public client')
    await t.waitFor(/Scopes/)
    t.mark()
    t.type(KEY.enter) // the default: openid profile offline_access
    await t.waitFor(/How do you sign in\?[\s\S]*navigate/)
    await t.choose('In a browser on this machine')
    const url = (await t.waitFor(/Open: (\S+)/))[1]!
    await browserlessLogin(url, { deliver: true })
    await t.waitFor(/Signed in: what next\?[\s\S]*Show the ID token[\s\S]*navigate/)
    await t.choose('Show the ID token')
    await t.waitFor(/ID token[\s\S]*alice[\s\S]*what next\?/)
    t.mark()
    t.type(KEY.esc)
    await t.waitFor(/Signed in: what next\?[\s\S]*navigate/)
    const before = op.requestsTo('/token').length
    await t.choose('Refresh the tokens')
    await t.waitFor(/\$ tokentool refresh\n[\s\S]*Refreshed at[\s\S]*Signed in: what next\?[\s\S]*navigate/)
    expect(op.requestsTo('/token').length).toBe(before + 1)
    expect(op.requestsTo('/token').at(-1)!.grantType).toBe('refresh_token')
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})
