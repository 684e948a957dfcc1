/**
 * TLS with a private CA generated for this run (openssl), and an HTTP proxy on 127.0.0.1 that
 * records what went through it: `--cacert` and NODE_EXTRA_CA_CERTS trust the CA, nothing turns
 * verification off, a TLS failure is one line naming the host; HTTPS_PROXY/HTTP_PROXY carry the
 * traffic (CONNECT, TLS end to end with the server) and NO_PROXY is honoured.
 *
 * Loopback and proxies: with NO_PROXY unset, loopback is never proxied (a local provider must
 * not go to a corporate proxy); once NO_PROXY is set, even to nothing, it is taken as given.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/run-cli.js'

let dir: string
let caPem: string
let otherCaPem: string
let tls: HttpsServer
let issuer: string
let plain: Server
let plainIssuer: string
let proxy: Server
let proxyUrl: string
const proxied: string[] = []
const sockets = new Set<Socket>()

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

/** A CA and a server certificate it signed for 127.0.0.1 and localhost. */
function makeCa(name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', `/CN=tokentool test CA ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'])
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-server.key`, '-out', `${name}-server.csr`, '-subj', '/CN=127.0.0.1'])
  writeFileSync(join(dir, `${name}-ext.cnf`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  openssl(['x509', '-req', '-in', `${name}-server.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}-server.pem`, '-days', '2', '-extfile', `${name}-ext.cnf`])
}

const discovery = (iss: string) =>
  JSON.stringify({ issuer: iss, authorization_endpoint: `${iss}/auth`, token_endpoint: `${iss}/token`, jwks_uri: `${iss}/jwks`, response_types_supported: ['code'] })

function serve(base: () => string) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/.well-known/openid-configuration') return res.end(discovery(base()))
    if (req.url === '/jwks') return res.end('{"keys":[]}')
    res.statusCode = 404
    res.end('{}')
  }
}

const listen = (s: Server | HttpsServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokentool-tls-'))
  makeCa('a')
  makeCa('b')
  caPem = join(dir, 'a-ca.pem')
  otherCaPem = join(dir, 'b-ca.pem')
  tls = createHttpsServer({ key: readFileSync(join(dir, 'a-server.key')), cert: readFileSync(join(dir, 'a-server.pem')) }, serve(() => issuer))
  issuer = `https://127.0.0.1:${await listen(tls)}`
  plain = createHttpServer(serve(() => plainIssuer))
  plainIssuer = `http://127.0.0.1:${await listen(plain)}`

  // CONNECT tunnels and absolute-URI forwarding, each target recorded
  proxy = createHttpServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`)
    const target = new URL(req.url ?? '')
    const up = httpRequest(target, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    req.pipe(up)
  })
  proxy.on('connect', (req, client: Socket, head) => {
    proxied.push(`CONNECT ${req.url}`)
    const [host, port] = (req.url ?? '').split(':')
    const up = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      up.write(head)
      up.pipe(client)
      client.pipe(up)
    })
    for (const s of [up, client]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    }
  })
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  for (const s of [tls, plain, proxy]) {
    s?.closeAllConnections()
    await new Promise((r) => s?.close(r))
  }
})

/** No proxy or CA settings inherited from the machine running the tests. */
const clean = { HTTPS_PROXY: undefined, https_proxy: undefined, HTTP_PROXY: undefined, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, NODE_EXTRA_CA_CERTS: undefined, NODE_TLS_REJECT_UNAUTHORIZED: undefined }
const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env: { ...clean, ...env } })

function tlsFailure(r: CliResult): void {
  expect(r.code, r.stderr).toBe(3)
  // Node's own start-up warning about NODE_TLS_REJECT_UNAUTHORIZED is not tokentool's line
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^\(node:\d+\) Warning|^\(Use `node --trace-warnings/.test(l))
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^tokentool: TLS error talking to 127\\.0\\.0\\.1:${new URL(issuer).port}: .*certificate`))
  expect(lines[0]).toContain('--cacert')
}

describe('a private CA', () => {
  it('without the CA: one line naming the host and the TLS error, exit 3', async () => {
    tlsFailure(await run(['discover', '--issuer', issuer]))
  })

  it('--cacert FILE trusts it; NODE_EXTRA_CA_CERTS does too', async () => {
    const a = await run(['discover', '--json', '--cacert', caPem, '--issuer', issuer])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toContain(issuer)
    const b = await run(['discover', '--json', '--issuer', issuer], { NODE_EXTRA_CA_CERTS: caPem })
    expect(b.code, b.stderr).toBe(0)
    // both at once: the file adds to NODE_EXTRA_CA_CERTS, it does not replace it
    const c = await run(['discover', '--json', '--cacert', otherCaPem, '--issuer', issuer], { NODE_EXTRA_CA_CERTS: caPem })
    expect(c.code, c.stderr).toBe(0)
  })

  it('another CA is not enough, and NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn checks off', async () => {
    tlsFailure(await run(['discover', '--cacert', otherCaPem, '--issuer', issuer]))
    tlsFailure(await run(['discover', '--issuer', issuer], { NODE_TLS_REJECT_UNAUTHORIZED: '0' }))
  })

  it('a --cacert that is missing or holds no certificate is a usage error before any request', async () => {
    const missing = await run(['discover', '--cacert', join(dir, 'nope.pem'), '--issuer', issuer])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(`tokentool: cannot read --cacert ${join(dir, 'nope.pem')}: no such file\n`)
    const key = await run(['discover', '--cacert', join(dir, 'a-ca.key'), '--issuer', issuer])
    expect(key.code).toBe(2)
    expect(key.stderr).toMatch(/holds no PEM certificate/)
  })
})

describe('proxies from the environment', () => {
  it('HTTPS_PROXY: the request goes through a CONNECT tunnel, TLS checked end to end with --cacert', async () => {
    const before = proxied.length
    const r = await run(['discover', '--json', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: proxyUrl, NO_PROXY: '' })
    expect(r.code, r.stderr).toBe(0)
    expect(proxied.slice(before)).toContain(`CONNECT 127.0.0.1:${new URL(issuer).port}`)
    // through the tunnel the certificate is still checked
    const bad = await run(['discover', '--issuer', issuer], { HTTPS_PROXY: proxyUrl, NO_PROXY: '' })
    tlsFailure(bad)
  })

  it('HTTP_PROXY carries plain http; HTTPS_PROXY alone does not', async () => {
    const before = proxied.length
    const r = await run(['discover', '--json', '--issuer', plainIssuer], { HTTP_PROXY: proxyUrl, NO_PROXY: '' })
    expect(r.code, r.stderr).toBe(0)
    const seen = proxied.slice(before)
    expect(seen.some((p) => p.includes(`127.0.0.1:${new URL(plainIssuer).port}`))).toBe(true)
    const n = proxied.length
    const direct = await run(['discover', '--json', '--issuer', plainIssuer], { HTTPS_PROXY: proxyUrl, NO_PROXY: '' })
    expect(direct.code, direct.stderr).toBe(0)
    expect(proxied.length).toBe(n)
  })

  it('NO_PROXY is honoured; unset, loopback is never proxied', async () => {
    const before = proxied.length
    const listed = await run(['discover', '--json', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' })
    expect(listed.code, listed.stderr).toBe(0)
    const unset = await run(['discover', '--json', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: proxyUrl })
    expect(unset.code, unset.stderr).toBe(0)
    expect(proxied.slice(before)).toEqual([])
  })

  // curl reads a proxy without a scheme as http://; undici refused it with "Invalid URL" (exit 70)
  it('a proxy given without a scheme (proxy.corp:3128) is http://, as curl reads it', async () => {
    const before = proxied.length
    const r = await run(['discover', '--json', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: proxyUrl.replace('http://', ''), NO_PROXY: '' })
    expect(r.code, r.stderr).toBe(0)
    expect(proxied.slice(before)).toContain(`CONNECT 127.0.0.1:${new URL(issuer).port}`)
  })

  it('a proxy variable that is not a proxy URL: one line naming it, without its credentials, exit 2, nothing sent', async () => {
    for (const [name, value, shown] of [
      ['HTTPS_PROXY', 'http://[::1', 'http://[::1'],
      ['https_proxy', 'ftp://127.0.0.1:21', 'ftp://127.0.0.1:21'],
      ['HTTP_PROXY', 'http://', 'http://'],
      ['HTTPS_PROXY', 'http://ci:proxy-pass-0123456789@[bad', 'http://***@[bad'],
    ] as const) {
      const before = proxied.length
      const r = await run(['discover', '--cacert', caPem, '--issuer', issuer], { [name]: value, NO_PROXY: '' })
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toBe(`tokentool: ${name} is not a proxy URL: "${shown}" (give it as http://host:port, or unset ${name})\n`)
      expect(proxied.length).toBe(before)
    }
  })

  it('a proxy that is down is named as such (exit 3), not bypassed, and its credentials are not shown', async () => {
    const r = await run(['discover', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: 'http://ci:proxy-pass-0123456789@127.0.0.1:1', NO_PROXY: '' })
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr).toBe(`tokentool: cannot reach proxy 127.0.0.1:1 on the way to 127.0.0.1:${new URL(issuer).port}: connection refused (check HTTPS_PROXY/HTTP_PROXY; NO_PROXY lists hosts reached directly)\n`)
  })

  it('a proxy that refuses the tunnel (407) says so with its status', async () => {
    const strict = createHttpServer()
    strict.on('connect', (_req, socket: Socket) => {
      socket.on('error', () => {})
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n')
    })
    const port = await listen(strict)
    try {
      const r = await run(['discover', '--cacert', caPem, '--issuer', issuer], { HTTPS_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '' })
      expect(r.code, r.stderr).toBe(3)
      expect(r.stderr).toMatch(new RegExp(`^tokentool: proxy 127\\.0\\.0\\.1:${port} refused the connection to 127\\.0\\.0\\.1:\\d+: HTTP 407 \\(proxy authentication required\\)`))
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    } finally {
      strict.closeAllConnections()
      await new Promise((res) => strict.close(res))
    }
  })
})
