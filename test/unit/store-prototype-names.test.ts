/**
 * Profile names that are also members of every plain object ("constructor", "toString",
 * "__proto__", ...): valid names (letters, digits, "_", ".", "-"), looked up in maps read from
 * config.json and secrets.json. `profiles show constructor` on an empty store crashed (exit 70:
 * Object.prototype.constructor taken for the profile's settings), and a profile named
 * "__proto__" must be stored and found like any other. The maps have no prototype now
 * (profiles.ts byName). Through the real file store, in a temporary home.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileStore } from '../../src/store/store.js'
import { validateProfileName } from '../../src/store/paths.js'

const NAMES = Object.getOwnPropertyNames(Object.prototype).filter((n) => {
  try {
    return validateProfileName(n) === n
  } catch {
    return false
  }
})

describe('profile names of Object.prototype members', () => {
  it('are valid profile names (so the store must cope with them)', () => {
    expect(NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']))
  })

  for (const name of NAMES) {
    it(`${name}: nothing in an empty store, then stored, found, listed and removed like any other`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'tokentool-proto-'))
      const store = fileStore(home)
      expect(await store.getSettings(name)).toBeUndefined()
      expect(await store.getRegistration(name)).toBeUndefined()
      expect(await store.removeProfile(name)).toBe(false)

      await store.saveSettings('other', { issuer: 'https://other.example', clientId: 'o', clientSecret: 'other-secret' })
      await store.saveSettings(name, { issuer: 'https://login.example', clientId: 'c', clientSecret: 'literal-secret' })
      await store.saveRegistration(name, { issuer: 'https://login.example', clientId: 'c', redirectUri: 'http://127.0.0.1/cb' })
      // on disk: an own member of each map, the secret only in secrets.json
      const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { profiles: Record<string, unknown> }
      expect(Object.hasOwn(config.profiles, name)).toBe(true)
      expect(JSON.stringify(config)).not.toContain('literal-secret')
      const secrets = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as { clientSecrets: Record<string, unknown> }
      expect(Object.hasOwn(secrets.clientSecrets, name) && secrets.clientSecrets[name]).toBe('literal-secret')

      // read back by a new store (from the files)
      const again = fileStore(home)
      expect(await again.getSettings(name)).toEqual({ issuer: 'https://login.example', clientId: 'c', clientSecret: 'literal-secret' })
      expect(await again.getSettings('other')).toEqual({ issuer: 'https://other.example', clientId: 'o', clientSecret: 'other-secret' })
      expect((await again.getRegistration(name))?.clientId).toBe('c')
      expect(await again.listProfiles()).toEqual(['other', name].sort())
      const shareable = await again.allShareableSettings()
      expect(Object.keys(shareable).sort()).toEqual(['other', name].sort())
      expect(shareable[name]).toEqual({ issuer: 'https://login.example', clientId: 'c' })

      expect(await again.removeProfile(name)).toBe(true)
      expect(await fileStore(home).getSettings(name)).toBeUndefined()
      expect(await fileStore(home).getSettings('other')).toMatchObject({ clientId: 'o' })
    })
  }
})
