/** `profiles` run in-process against the in-memory store: the injected-store path commands use in tests. */
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { memoryStore, type TokenStore } from '../../src/store/store.js'
import { testDeps } from '../helpers/test-io.js'

function run(argv: string[], store: TokenStore, env: Record<string, string> = {}) {
  const t = testDeps({ env })
  Object.assign(t.deps, { store }) // openStore(deps) prefers an injected store over the files
  return main(argv, t.deps).then((code) => ({ code, stdout: t.stdout(), stderr: t.stderr() }))
}

const seeded = () =>
  memoryStore({
    settings: { work: { issuer: 'https://as.example', clientId: 'w', clientSecret: 'literal-secret-value-123' } },
    tokens: {
      work: {
        version: 1,
        accessTokens: { k: { accessToken: 'opaque-access-token-xyz', tokenType: 'DPoP', expiresAt: 1_767_229_200, cacheKey: 'k', obtainedAt: 1_767_222_000 } },
        refreshToken: { value: 'refresh-token-secret-abc', obtainedAt: 1_767_222_000 },
      },
    },
  })

describe('profiles (in-process, memory store)', () => {
  it('list uses the injected clock for expiry wording', async () => {
    const r = await run(['profiles', 'list'], seeded())
    expect(r.code).toBe(0)
    // testDeps' clock is 2026-01-01T00:00:00Z; the token expires an hour later
    expect(r.stdout).toContain('expires in 1h (2026-01-01T01:00:00Z)')
    expect(r.stdout).toMatch(/^ {2}work +https:\/\/as\.example +w +access\+refresh/m)
  })

  it('show masks, --reveal reveals', async () => {
    const store = seeded()
    const masked = await run(['--profile', 'work', 'profiles', 'show'], store)
    expect(masked.stdout).not.toMatch(/literal-secret-value-123|opaque-access-token-xyz|refresh-token-secret-abc/)
    expect(masked.stdout).toContain('refres…(24 chars)')
    expect(masked.stdout).toContain('obtained 1h ago (2025-12-31T23:00:00Z)')
    expect(masked.stdout).toContain('opaque DPoP, expires in 1h')
    const revealed = await run(['profiles', 'show', 'work', '--reveal'], store)
    expect(revealed.stdout).toContain('literal-secret-value-123')
    expect(revealed.stdout).toContain('refresh-token-secret-abc')
  })

  it('remove deletes from the store; unknown names exit 2', async () => {
    const store = seeded()
    expect((await run(['profiles', 'remove', 'work'], store)).code).toBe(0)
    expect(await store.listProfiles()).toEqual([])
    const r = await run(['profiles', 'remove', 'work'], store)
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toContain('no profile "work"')
  })
})
