/**
 * kubectl and git run tokentool on every invocation: answered from the cache, the exec
 * credential and the git credential load no package from node_modules (no OAuth client, no
 * undici, no jose), and make no request (the issuer does not resolve).
 */
import { describe, expect, it } from 'vitest'
import { gitAnsweringHome as seededHome } from '../helpers/git-home.js'
import { builtinsLoaded, builtinsPreload, loaderImport, packagesLoaded } from '../helpers/loaded-packages.js'
import { runCli } from '../helpers/run-cli.js'

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
    expect(builtins.filter((b) => ['net', 'tty', 'child_process', 'http', 'https', 'worker_threads', 'crypto', 'stream', 'fs/promises', 'os', 'timers/promises'].includes(b))).toEqual([])
  })
})
