/**
 * `token --format exec-credential` as kubectl runs it: a kubeconfig whose user is tokentool as
 * an exec credential plugin, a stand-in API server over TLS that records the bearer token it
 * receives, and the test provider issuing the token (client credentials). The token kubectl
 * sends is the one the provider issued; a second kubectl run is answered from tokentool's cache
 * (the provider sees no second request); kubectl's KUBERNETES_EXEC_INFO picks the API version.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { kubeconfig, startKubeApiServer, type KubeApiServer } from './kube-api-server.js'
import { spawn as spawnPty } from 'node-pty'
import { stripVTControlCharacters } from 'node:util'
import { browserlessLogin } from './browserless-login.js'
import { BIN, tempHome } from '../helpers/run-cli.js'
import { describeWithProgram, findProgram, type ProgramSpec } from '../helpers/system-program.js'

const KUBECTL: ProgramSpec = { name: 'kubectl', commands: ['kubectl'], enable: 'sudo apt-get install -y kubernetes-client openssl' }

/** kubectl's minor version: client.authentication.k8s.io/v1 came with 1.22; Debian 12's kubectl is 1.20 (v1beta1 only). */
function kubectlMinor(path: string): number {
  try {
    return Number(/"minor":\s*"(\d+)/.exec(execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8' }))?.[1] ?? 0)
  } catch {
    return 0
  }
}

describeWithProgram(findProgram(KUBECTL), 'kubectl runs tokentool as its exec credential plugin', (kubectlPath) => {
  const minor = kubectlMinor(kubectlPath)
  let provider: TestProvider
  let api: KubeApiServer
  let dir: string

  beforeAll(async () => {
    provider = await startProvider()
    api = await startKubeApiServer()
    dir = mkdtempSync(join(tmpdir(), 'tokentool-kubectl-'))
  })
  afterAll(async () => {
    await provider?.stop()
    await api?.close()
  })

  interface Run {
    code: number | null
    stdout: string
    stderr: string
  }

  function runKubectl(args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
      execFile(kubectlPath, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
      })
    })
  }

  /** A kubeconfig running `tokentool token ... --format exec-credential` with the basic client's secret from the exec env. */
  function config(name: string, apiVersion: string, tokenArgs: string[]): string {
    const file = join(dir, name)
    writeFileSync(
      file,
      kubeconfig({
        server: api.url,
        caFile: api.caFile,
        apiVersion,
        command: process.execPath,
        args: [BIN, 'token', ...tokenArgs, '--format', 'exec-credential'],
        env: { K8S_CLIENT_SECRET: provider.clients.basic.client_secret },
      }),
    )
    return file
  }

  const ccArgs = () => ['--issuer', provider.issuer, '--client-id', provider.clients.basic.client_id, '--client-secret', 'env:K8S_CLIENT_SECRET', '--resource', API_RESOURCE, '--scope', 'api:read']

  describe('with the test provider and a stand-in API server', { timeout: 90_000 }, () => {
    for (const version of ['v1', 'v1beta1']) {
      const apiVersion = `client.authentication.k8s.io/${version}`
      it.skipIf(version === 'v1' && minor < 22)(`${apiVersion}: kubectl sends the token the provider issued; the second run is served from tokentool's cache`, async () => {
        const home = tempHome()
        const file = config(`kubeconfig-${version}`, apiVersion, ccArgs())
        const env = { KUBECONFIG: file, TOKENTOOL_HOME: home }
        const tokenRequestsBefore = provider.requestsTo('/token').length
        const seen = api.requests.length

        const first = await runKubectl(['get', '--raw', '/api'], env)
        expect(first.stderr).toBe('')
        expect(first.code).toBe(0)
        expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'APIVersions' })
        const sent = api.requests.slice(seen).filter((r) => r.path === '/api')
        expect(sent).toHaveLength(1)
        const token = sent[0]!.authorization!.replace(/^Bearer /, '')
        // the very token the provider issued to this client, for this API
        const { payload } = await jwtVerify(token, createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
        expect(payload).toMatchObject({ client_id: provider.clients.basic.client_id, scope: 'api:read' })
        expect(provider.requestsTo('/token').length).toBe(tokenRequestsBefore + 1)

        const providerSeen = provider.requests.length
        const second = await runKubectl(['get', '--raw', '/api'], env)
        expect(second.code).toBe(0)
        expect(provider.requests.length).toBe(providerSeen) // no token request, not even discovery
        const again = api.requests.slice(seen).filter((r) => r.path === '/api')
        expect(again.map((r) => r.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`])
      })
    }

    it.skipIf(minor < 22)('interactiveMode IfAvailable in a terminal: kubectl runs the sign-in through tokentool, then sends the new token', async () => {
      const file = join(dir, 'kubeconfig-interactive')
      writeFileSync(
        file,
        kubeconfig({
          server: api.url,
          caFile: api.caFile,
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [BIN, 'token', '--profile', 'k8s-user', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--format', 'exec-credential'],
          interactiveMode: 'IfAvailable',
        }),
      )
      const seen = api.requests.length
      // kubectl gives the plugin a terminal only when it has one itself: a real pty
      const term = spawnPty(kubectlPath, ['get', '--raw', '/api'], { cols: 2000, rows: 50, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: file, TOKENTOOL_HOME: tempHome(), BROWSER: 'true', NO_COLOR: '1' } })
      let out = ''
      term.onData((d) => (out += d))
      const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)))
      const deadline = Date.now() + 45_000
      let url: string | undefined
      while (!url && Date.now() < deadline) {
        url = /Open: (\S+)/.exec(stripVTControlCharacters(out))?.[1]
        if (!url) await new Promise((r) => setTimeout(r, 50))
      }
      expect(url, stripVTControlCharacters(out)).toBeDefined()
      await browserlessLogin(url!, { deliver: true })
      expect(await exited).toBe(0)
      expect(stripVTControlCharacters(out)).toContain('"kind":"APIVersions"')
      const sent = api.requests.slice(seen).filter((r) => r.path === '/api')
      const { payload } = await jwtVerify(sent[0]!.authorization!.replace(/^Bearer /, ''), createLocalJWKSet(provider.publicJwks), { issuer: provider.issuer, audience: API_RESOURCE })
      expect(payload.client_id).toBe(provider.clients.native.client_id)
    })

    it('nothing to get a token with: kubectl fails showing tokentool\'s one line, which names the sign-in', async () => {
      const file = config('kubeconfig-none', `client.authentication.k8s.io/${minor >= 22 ? 'v1' : 'v1beta1'}`, ['--profile', 'cluster-prod'])
      const seen = api.requests.length
      const r = await runKubectl(['get', '--raw', '/api'], { KUBECONFIG: file, TOKENTOOL_HOME: tempHome() })
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain('tokentool: no profile "cluster-prod"')
      expect(r.stderr).toContain('tokentool login --profile cluster-prod')
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
      // kubectl did not reach the API with a token
      expect(api.requests.slice(seen).filter((q) => q.authorization)).toEqual([])
    })
  })
})
