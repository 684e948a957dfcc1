/**
 * `token` answering from its cache must start as fast as `decode`: no request, and none of
 * openid-client, oauth4webapi, jose or undici loaded (they load only for the network path).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { machineTokenKey } from '../../src/core/token-decision.js'
import { fileStore } from '../../src/store/store.js'
import { withAccessToken } from '../../src/store/tokens.js'
import { builtinsLoaded, builtinsPreload, loaderImport, ownModulesLoaded, packagesLoaded } from '../helpers/loaded-packages.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')


// `.invalid` never resolves (RFC 6761): any request would fail the run with exit 3
const ISSUER = 'https://login.example.invalid'
const args = ['token', '--issuer', ISSUER, '--client-id', 'ci', '--client-secret', 's3cret', '--scope', 'deploy']

async function seededHome(expiresIn: number): Promise<string> {
  const home = tempHome()
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const key = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials', scope: 'deploy' })
  await fileStore(home).saveTokens('default', withAccessToken(undefined, { accessToken: 'cached-token', tokenType: 'Bearer', expiresAt: at + expiresIn, scope: 'deploy', cacheKey: key, obtainedAt: at }, now))
  return home
}

describe('token start-up from the cache', () => {
  it('prints the cached token loading no package from node_modules (commander is bundled)', async () => {
    const home = await seededHome(3600)
    const r = await runCli(args, { env: { TOKENTOOL_HOME: home, NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('cached-token\n')
    expect(packagesLoaded(r.stderr)).toEqual([])
    // the start-up fast path: no file of the full program, no sockets or child processes
    expect(ownModulesLoaded(r.stderr, ROOT)).toEqual(['bin/tokentool.cjs'])
    // the built-ins from a preload that loads none itself (the hooks above load node:net and streams)
    const bare = await runCli(args, { env: { TOKENTOOL_HOME: home, NODE_OPTIONS: `--require=${builtinsPreload()}` } })
    expect(bare.stdout).toBe('cached-token\n')
    // nor node:crypto (15.7 M instructions of a start): the cache key's SHA-256 is @noble/hashes',
    // and only a store write asks node:crypto for random names; nor node:fs/promises (5 M, with
    // node:readline's interface), node:os or node:timers/promises: a read of the store is synchronous
    // and takes no lock (src/store/fs-promises.ts)
    expect(builtinsLoaded(bare.stderr)).toContain('vm') // the fast path's loader: the report does see what loads
    expect(builtinsLoaded(bare.stderr).filter((b) => ['net', 'child_process', 'http', 'https', 'tty', 'crypto', 'stream', 'fs/promises', 'os', 'timers/promises'].includes(b))).toEqual([])
  })

  it('goes to the network (and loads the OAuth client) when the token is too close to expiry', async () => {
    const home = await seededHome(30)
    const r = await runCli(args, { env: { TOKENTOOL_HOME: home, NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(packagesLoaded(r.stderr)).toEqual(expect.arrayContaining(['openid-client', 'undici']))
    expect(r.stderr).toMatch(/^tokentool: .*login\.example\.invalid/m)
  })
})
