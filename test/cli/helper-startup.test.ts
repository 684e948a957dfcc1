/**
 * kubectl and git run tokentool on every invocation: answered from the cache, the exec
 * credential and the git credential load no package from node_modules (no OAuth client, no
 * undici, no jose), and make no request (the issuer does not resolve).
 */
import { describe, expect, it } from 'vitest'
import { machineTokenKey } from '../../src/core/token-decision.js'
import { fileStore } from '../../src/store/store.js'
import { withAccessToken } from '../../src/store/tokens.js'
import { builtinsLoaded, builtinsPreload, loaderImport, packagesLoaded } from '../helpers/loaded-packages.js'
import { runCli, tempHome } from '../helpers/run-cli.js'

// `.invalid` never resolves (RFC 6761): any request would fail the run with exit 3
const ISSUER = 'https://login.example.invalid'

async function seededHome(): Promise<{ home: string; expiresAt: number }> {
  const home = tempHome()
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const store = fileStore(home)
  await store.saveSettings('ci', { issuer: ISSUER, clientId: 'ci', clientSecret: 's3cret', gitHosts: ['git.example.com'] })
  const key = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials' })
  await store.saveTokens('ci', withAccessToken(undefined, { accessToken: 'cached-token', tokenType: 'Bearer', expiresAt: at + 3600, cacheKey: key, obtainedAt: at }, now))
  return { home, expiresAt: at + 3600 }
}

describe('helpers answer from the cache without loading the network stack', () => {
  it('token --format exec-credential', async () => {
    const { home, expiresAt } = await seededHome()
    const r = await runCli(['token', '--profile', 'ci', '--format', 'exec-credential'], { env: { TOKENTOOL_HOME: home, KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}', NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'cached-token', expirationTimestamp: new Date(expiresAt * 1000).toISOString().replace('.000Z', 'Z') } })
    expect(packagesLoaded(r.stderr)).toEqual([])
  })

  it('git-credential get (the profile found by its saved host)', async () => {
    const { home, expiresAt } = await seededHome()
    const r = await runCli(['git-credential', 'get'], { input: 'protocol=https\nhost=git.example.com\n\n', env: { TOKENTOOL_HOME: home, NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`username=oauth2\npassword=cached-token\npassword_expiry_utc=${expiresAt}\n`)
    expect(packagesLoaded(r.stderr)).toEqual([])
  })

  it("git-credential get with a socket on stdin (a Node.js parent's stdio 'pipe') reads it from the descriptor: no node:net, no terminal", async () => {
    const { home, expiresAt } = await seededHome()
    const r = await runCli(['git-credential', 'get'], { input: 'protocol=https\nhost=git.example.com\n\n', env: { TOKENTOOL_HOME: home, NODE_OPTIONS: `--require=${builtinsPreload()}` } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`username=oauth2\npassword=cached-token\npassword_expiry_utc=${expiresAt}\n`)
    const builtins = builtinsLoaded(r.stderr)
    expect(builtins).toContain('vm') // the fast path's loader: the report does see what loads
    expect(builtins.filter((b) => ['net', 'tty', 'child_process', 'http', 'https', 'worker_threads'].includes(b))).toEqual([])
  })
})
