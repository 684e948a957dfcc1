/**
 * A tokentool home whose profile `ci` answers `git-credential get` for git.example.com from its
 * cache (a client-credentials token valid for an hour): for the helper's start-up tests.
 */
import { machineTokenKey } from '../../src/core/token-decision.js'
import { fileStore } from '../../src/store/store.js'
import { withAccessToken } from '../../src/store/tokens.js'
import { tempHome } from './run-cli.js'

// `.invalid` never resolves (RFC 6761): any request would fail the run with exit 3
export const GIT_ISSUER = 'https://login.example.invalid'

export async function gitAnsweringHome(): Promise<{ home: string; expiresAt: number }> {
  const home = tempHome()
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const store = fileStore(home)
  await store.saveSettings('ci', { issuer: GIT_ISSUER, clientId: 'ci', clientSecret: 's3cret', gitHosts: ['git.example.com'] })
  const key = machineTokenKey({ issuer: GIT_ISSUER, clientId: 'ci', grant: 'client_credentials' })
  await store.saveTokens('ci', withAccessToken(undefined, { accessToken: 'cached-token', tokenType: 'Bearer', expiresAt: at + 3600, cacheKey: key, obtainedAt: at }, now))
  return { home, expiresAt: at + 3600 }
}
