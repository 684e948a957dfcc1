/**
 * A stand-in Kubernetes API server for kubectl: HTTPS on 127.0.0.1 with a self-signed
 * certificate made here (openssl; client-go sends a bearer token only over TLS), recording the
 * `Authorization` of every request. It answers `/version` and `/api` (what `kubectl version`
 * and `kubectl get --raw /api` ask) and says 401 to a request without a bearer token, as a real
 * API server does.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface KubeApiServer {
  url: string
  /** PEM file of the server's certificate (its own CA), for the kubeconfig. */
  caFile: string
  requests: { path: string; authorization: string | undefined }[]
  close(): Promise<void>
}

export async function startKubeApiServer(): Promise<KubeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-kube-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' })
  const requests: KubeApiServer['requests'] = []
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    const path = (req.url ?? '').split('?')[0]!
    requests.push({ path, authorization: req.headers.authorization })
    res.setHeader('content-type', 'application/json')
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
      res.statusCode = 401
      return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }))
    }
    if (path === '/version') return res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }))
    if (path === '/api') return res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }))
    res.statusCode = 404
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: join(dir, 'cert.pem'),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A kubeconfig whose one user runs `command args...` as an exec credential plugin. */
export function kubeconfig(o: { server: string; caFile: string; apiVersion: string; command: string; args: string[]; env?: Record<string, string>; interactiveMode?: 'Never' | 'IfAvailable' | 'Always' }): string {
  const q = (s: string) => JSON.stringify(s) // YAML takes JSON strings
  const env = Object.entries(o.env ?? {})
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${q(o.server)}`,
    `    certificate-authority: ${q(o.caFile)}`,
    'users:',
    '- name: tokentool',
    '  user:',
    '    exec:',
    `      apiVersion: ${q(o.apiVersion)}`,
    `      command: ${q(o.command)}`,
    `      args: [${o.args.map(q).join(', ')}]`,
    ...(env.length ? ['      env:', ...env.flatMap(([k, v]) => [`      - name: ${q(k)}`, `        value: ${q(v)}`])] : []),
    // v1 requires it; v1beta1 (kubectl 1.20) does not know it
    ...(o.apiVersion.endsWith('/v1') ? [`      interactiveMode: ${o.interactiveMode ?? 'Never'}`] : []),
    'contexts:',
    '- name: test',
    '  context: {cluster: test, user: tokentool}',
    'current-context: test',
    '',
  ].join('\n')
}
