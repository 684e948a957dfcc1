/** The client `login --resource` registered: kept in secrets.json (0600), bound to its issuer, gone with the profile. */
import { describe, expect, it } from 'vitest'
import { checkSecrets } from '../../src/store/profiles.js'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileStore, memoryStore } from '../../src/store/store.js'

const reg = { issuer: 'https://as.example', clientId: 'dyn-1', redirectUri: 'http://127.0.0.1:53682/callback', registrationAccessToken: 'rat-secret', issuedAt: 1_700_000_000 }

describe.each([
  ['file store', () => fileStore(mkdtempSync(join(tmpdir(), 'tokentool-reg-')))],
  ['memory store', () => memoryStore()],
])('%s', (_name, make) => {
  it('saves, reads back, forgets, and removes it with the profile', async () => {
    const store = make()
    expect(await store.getRegistration('mcp')).toBeUndefined()
    await store.saveRegistration('mcp', reg)
    await store.saveSettings('mcp', { issuer: reg.issuer, clientId: reg.clientId })
    expect(await store.getRegistration('mcp')).toEqual(reg)
    expect(await store.getRegistration('default')).toBeUndefined()
    expect(await store.removeProfile('mcp')).toBe(true)
    expect(await store.getRegistration('mcp')).toBeUndefined()
    await store.saveRegistration('other', reg)
    await store.saveRegistration('other', undefined)
    expect(await store.getRegistration('other')).toBeUndefined()
  })
})

it('the management token lives in secrets.json (0600), never in the shareable config.json', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tokentool-reg-'))
  const store = fileStore(home)
  await store.saveSettings('mcp', { issuer: reg.issuer, clientId: reg.clientId })
  await store.saveRegistration('mcp', reg)
  expect(statSync(join(home, 'secrets.json')).mode & 0o777).toBe(0o600)
  expect(readFileSync(join(home, 'config.json'), 'utf8')).not.toContain('rat-secret')
  // a settings change keeps it
  await store.updateSettings('mcp', (s) => ({ ...s, scope: 'api:read' }))
  expect(await store.getRegistration('mcp')).toEqual(reg)
})

// resource-login.ts takes a kept registration's redirect URI apart: a hand-edited one that is
// not a URL must be the store's damage report (exit 2), not a crash at the next sign-in
it('a registration whose redirectUri is not a URL is a damaged secrets.json', () => {
  const secrets = (redirectUri: unknown) => ({ version: 1, clientSecrets: {}, registrations: { p: { ...reg, redirectUri } } })
  expect(checkSecrets(secrets(reg.redirectUri)).ok).toBe(true)
  for (const bad of ['null', '', '/callback', '127.0.0.1:5/cb']) {
    expect(checkSecrets(secrets(bad))).toEqual({ ok: false, reason: 'registration of profile "p" "redirectUri" is not a URL' })
  }
})
