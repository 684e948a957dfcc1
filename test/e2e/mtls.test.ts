/**
 * mTLS (RFC 8705) against the real provider served over HTTPS on 127.0.0.1, with a CA, a
 * server certificate and client certificates made here with openssl: `tls_client_auth` (a
 * CA-issued certificate whose subject the client registered) and `self_signed_tls_client_auth`
 * (a self-signed certificate in the client's JWKS); the tokens are certificate-bound (`cnf`
 * `x5t#S256` is the certificate's thumbprint, and `decode --client-cert` says so); the cache
 * keys the binding; a server's `mtls_endpoint_aliases` are used when a certificate is given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { Agent } from 'undici'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { loginWithBrowserless } from '../helpers/login-flow.js'
import { startMtlsResourceServer, type MtlsResourceServer } from './mtls-resource-server.js'
import { describeWithProgram, findProgram, type ProgramSpec } from '../helpers/system-program.js'

let provider: TestProvider
let api: MtlsResourceServer
let dir: string
const f = (name: string) => join(dir, name)
const x5t = (pemFile: string) => createHash('sha256').update(new X509Certificate(readFileSync(pemFile)).raw).digest('base64url')

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

const OPENSSL: ProgramSpec = { name: 'openssl', commands: ['openssl'], enable: 'sudo apt-get install -y openssl' }

describeWithProgram(findProgram(OPENSSL), 'mTLS (RFC 8705) over HTTPS with certificates made by openssl', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokentool-mtls-'))
    writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n')
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=tokentool test CA', '-days', '1')
    for (const name of ['server', 'client']) {
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', name === 'server' ? '/CN=127.0.0.1' : '/CN=tokentool-mtls')
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...(name === 'server' ? ['-extfile', 'server.ext'] : []))
    }
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-subj', '/CN=self-signed', '-days', '1')
    const selfCert = new X509Certificate(readFileSync(f('self.pem')))
    const selfJwk = { ...(selfCert.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), x5c: [selfCert.raw.toString('base64')] }
    const common = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], tls_client_certificate_bound_access_tokens: true }
    provider = await startProvider({
      https: { key: readFileSync(f('server.key'), 'utf8'), cert: readFileSync(f('server.pem'), 'utf8'), ca: readFileSync(f('ca.pem'), 'utf8') },
      extraClients: [
        { ...common, client_id: 'mtls-ca', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=tokentool-mtls' },
        { ...common, client_id: 'mtls-self', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [selfJwk] } },
        // a user's client: browser sign-in, refresh, tls_client_auth, certificate-bound tokens
        // a public client whose tokens (refresh token too, RFC 8705 §4) are bound to any certificate it shows
        { ...common, client_id: 'mtls-public', application_type: 'native', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' },
        { ...common, client_id: 'mtls-login', application_type: 'native', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=tokentool-mtls' },
      ],
      configure: (c) => {
        c.clientAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', 'tls_client_auth', 'self_signed_tls_client_auth']
        ;(c.features as Record<string, unknown>).mTLS = {
          enabled: true,
          certificateBoundAccessTokens: true,
          tlsClientAuth: true,
          selfSignedTlsClientAuth: true,
          getCertificate: (ctx: any) => {
            const peer = ctx.socket.getPeerCertificate?.()
            return peer?.raw ? new X509Certificate(peer.raw).toString() : undefined
          },
          certificateAuthorized: (ctx: any) => ctx.socket.authorized === true,
          certificateSubjectMatches: (ctx: any, property: string, expected: string) =>
            property === 'tls_client_auth_subject_dn' && new X509Certificate(ctx.socket.getPeerCertificate().raw).subject === expected.replace(/^CN=/, 'CN='),
        }
      },
    })
    api = await startMtlsResourceServer({ issuer: provider.issuer, publicJwks: provider.publicJwks, key: readFileSync(f('server.key'), 'utf8'), cert: readFileSync(f('server.pem'), 'utf8'), ca: readFileSync(f('ca.pem'), 'utf8') })
  })
  afterAll(async () => {
    await api?.close()
    await provider?.stop()
  })

  const mtls = (client: string, auth: string, cert: string, key: string) => [
    '--cacert', f('ca.pem'), 'token', '--issuer', provider.issuer, '--client-id', client, '--client-auth', auth, '--client-cert', f(cert), '--client-cert-key', f(key), '--json', '--resource', API_RESOURCE, '--scope', 'api:read',
  ]

  describe('mTLS', { timeout: 60_000 }, () => {
    it('tls_client_auth with a CA-issued certificate: a certificate-bound token; decode --client-cert matches; the cache keys the certificate', async () => {
      const home = tempHome()
      const r = await runCli(mtls('mtls-ca', 'tls_client_auth', 'client.pem', 'client.key'), { env: { TOKENTOOL_HOME: home } })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const token = (JSON.parse(r.stdout) as { access_token: string }).access_token
      const sent = provider.requests.filter((x) => x.path === '/token').at(-1)!
      expect(sent).toMatchObject({ status: 200, grantType: 'client_credentials' })
      expect(sent.params.client_secret).toBeUndefined()
      expect(sent.params.client_id).toBe('mtls-ca')
      // bound to the certificate: cnf.x5t#S256 is its thumbprint, and decode checks it
      expect(decodeJwt(token).cnf).toEqual({ 'x5t#S256': x5t(f('client.pem')) })
      const d = JSON.parse((await runCli(['--json', 'decode', token, '--client-cert', f('client.pem')])).stdout)
      expect(d.bindingCheck).toMatchObject({ member: 'x5t#S256', matches: true })
      const other = await runCli(['decode', token, '--client-cert', f('self.pem')])
      expect(other.stdout).toMatch(/✗ cnf\.x5t#S256 is not the thumbprint of --client-cert/)
      // the same certificate: the cached token; no request at all
      const seen = provider.requests.length
      const again = await runCli(mtls('mtls-ca', 'tls_client_auth', 'client.pem', 'client.key'), { env: { TOKENTOOL_HOME: home } })
      expect(JSON.parse(again.stdout).access_token).toBe(token)
      expect(provider.requests.length).toBe(seen)
    })

    it('mtls_endpoint_aliases: with a certificate the token request goes to the alias', async () => {
      // a server whose plain token endpoint refuses everything and whose mTLS alias is the provider's
      let plainHits = 0
      const meta: Server = createServer((req, res) => {
        const origin = `http://127.0.0.1:${(meta.address() as AddressInfo).port}`
        if (req.url === '/.well-known/openid-configuration') {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ issuer: origin, token_endpoint: `${origin}/token`, jwks_uri: `${provider.issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], mtls_endpoint_aliases: { token_endpoint: `${provider.issuer}/token` } }))
          return
        }
        plainHits++
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request","error_description":"use the mTLS alias"}')
      })
      await new Promise<void>((resolve) => meta.listen(0, '127.0.0.1', resolve))
      try {
        const issuer = `http://127.0.0.1:${(meta.address() as AddressInfo).port}`
        const args = mtls('mtls-ca', 'tls_client_auth', 'client.pem', 'client.key').map((a) => (a === provider.issuer ? issuer : a))
        const r = await runCli(args)
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
        expect(plainHits).toBe(0)
        expect(decodeJwt(JSON.parse(r.stdout).access_token).cnf).toEqual({ 'x5t#S256': x5t(f('client.pem')) })
      } finally {
        meta.closeAllConnections()
        meta.close()
      }
    })

    it('self_signed_tls_client_auth: the certificate registered in the client JWKS authenticates; the wrong one is exit 4', async () => {
      const ok = await runCli(mtls('mtls-self', 'self_signed_tls_client_auth', 'self.pem', 'self.key'))
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      const bad = await runCli(mtls('mtls-self', 'self_signed_tls_client_auth', 'client.pem', 'client.key'))
      expect(bad.code).toBe(4)
      expect(bad.stderr).toMatch(/invalid_client/)
    })

    it('introspect with tls_client_auth: the certificate authenticates the client at the introspection endpoint', async () => {
      // an opaque token (no resource): the provider introspects only its reference tokens
      const r = await runCli(['--cacert', f('ca.pem'), 'token', '--issuer', provider.issuer, '--client-id', 'mtls-ca', '--client-auth', 'tls_client_auth', '--client-cert', f('client.pem'), '--client-cert-key', f('client.key'), '--json'])
      expect(r.stderr).toBe('')
      const token = (JSON.parse(r.stdout) as { access_token: string }).access_token
      const before = provider.requests.length
      const args = ['--cacert', f('ca.pem'), '--json', 'introspect', '--issuer', provider.issuer, '--client-id', 'mtls-ca', '--client-auth', 'tls_client_auth', '--client-cert', f('client.pem'), '--client-cert-key', f('client.key'), '--', token]
      const i = await runCli(args)
      expect(i.stderr).toBe('')
      expect(i.code).toBe(0)
      expect(JSON.parse(i.stdout)).toMatchObject({ active: true })
      const sent = provider.requests.slice(before).find((x) => x.path === '/token/introspection')!
      expect(sent).toMatchObject({ status: 200, params: { client_id: 'mtls-ca' } })
      expect(sent.authorization).toBeUndefined()
      // without the certificate the same client cannot authenticate: the server's invalid_client, exit 4
      const bare = await runCli(['--cacert', f('ca.pem'), 'introspect', '--issuer', provider.issuer, '--client-id', 'mtls-ca', '--client-auth', 'none', '--', token])
      expect(bare.code).toBe(4)
      expect(bare.stderr).toMatch(/invalid_client/)
    })

    it('a key that is not the certificate\'s, or one half missing: exit 2 before any request', async () => {
      const before = provider.requests.length
      const mismatch = await runCli(mtls('mtls-ca', 'tls_client_auth', 'client.pem', 'self.key'))
      expect(mismatch.code).toBe(2)
      expect(mismatch.stderr).toMatch(/not the private key of --client-cert/)
      const half = await runCli(['token', '--issuer', provider.issuer, '--client-id', 'mtls-ca', '--client-auth', 'tls_client_auth'])
      expect(half.code).toBe(2)
      expect(half.stderr).toMatch(/--client-cert FILE and --client-cert-key FILE/)
      expect(provider.requests.length).toBe(before)
    })
  })

  describe('mTLS sign-in, refresh and a certificate-bound token at the resource', { timeout: 90_000 }, () => {
    const loginArgs = () => ['--client-id', 'mtls-login', '--client-auth', 'tls_client_auth', '--client-cert', f('client.pem'), '--client-cert-key', f('client.key'), '--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--json']
    const env = (home: string) => ({ TOKENTOOL_HOME: home, TOKENTOOL_CACERT: f('ca.pem') })
    const config = (home: string) => JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { profiles: Record<string, Record<string, unknown>> }

    it('login with tls_client_auth: a certificate-bound token, the certificate saved; refresh keeps the binding; call presents it at the resource', async () => {
      const before = provider.requests.length
      const browser = new Agent({ connect: { ca: readFileSync(f('ca.pem'), 'utf8') } })
      const r = await loginWithBrowserless(provider, loginArgs(), { env: { TOKENTOOL_CACERT: f('ca.pem') }, browser: { dispatcher: browser } })
      await browser.close()
      expect(r.stderr).not.toMatch(/^tokentool: /m)
      expect(r.code).toBe(0)
      const home = r.home
      const thumb = x5t(f('client.pem'))
      const login = JSON.parse(r.stdout) as { access_token: string; token_type: string }
      expect(decodeJwt(login.access_token).cnf).toEqual({ 'x5t#S256': thumb })
      // the code went to the token endpoint with the certificate only: no secret, no assertion
      const code = provider.requests.slice(before).find((x) => x.path === '/token' && x.grantType === 'authorization_code')!
      expect(code.status).toBe(200)
      expect(code.params.client_id).toBe('mtls-login')
      expect(code.params.client_secret).toBeUndefined()
      expect(code.params.client_assertion).toBeUndefined()
      expect(code.authorization).toBeUndefined()
      // the profile remembers the client authentication and the certificate, by absolute path
      expect(config(home).profiles.default).toMatchObject({ clientAuth: 'tls_client_auth', clientCert: f('client.pem'), clientCertKey: f('client.key') })

      // refresh with no flags: over mTLS with the saved certificate; the new token is bound to it
      const seen = provider.requests.length
      const ref = await runCli(['--json', 'refresh'], { env: env(home) })
      expect(ref.stderr).toBe('')
      expect(ref.code).toBe(0)
      const refreshed = JSON.parse(ref.stdout) as { access_token: string }
      expect(refreshed.access_token).not.toBe(login.access_token)
      expect(decodeJwt(refreshed.access_token).cnf).toEqual({ 'x5t#S256': thumb })
      expect(provider.requests.slice(seen).filter((x) => x.path === '/token').map((x) => [x.grantType, x.status])).toEqual([['refresh_token', 200]])

      // token finds the refreshed token under the same cache key (the binding included): no request
      const cached = provider.requests.length
      const t = await runCli(['token'], { env: env(home) })
      expect(t.stderr).toBe('')
      expect(t.stdout.trim()).toBe(refreshed.access_token)
      expect(provider.requests.length).toBe(cached)

      // call: the API checks the certificate presented against cnf.x5t#S256
      const ok = await runCli(['call', `${api.url}/accounts`], { env: env(home) })
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      expect(JSON.parse(ok.stdout)).toEqual({ ok: true, x5t: thumb })
      expect(api.requests.at(-1)).toMatchObject({ presented: thumb, status: 200 })

      // another certificate: refused by the API; one line saying the token is bound to another certificate, exit 1
      const other = await runCli(['call', '--client-cert', f('self.pem'), '--client-cert-key', f('self.key'), `${api.url}/accounts`], { env: env(home) })
      expect(other.code).toBe(1)
      expect(api.requests.at(-1)).toMatchObject({ presented: x5t(f('self.pem')), status: 401, error: 'invalid_token' })
      const otherLines = other.stderr.trim().split('\n').filter((l) => l.startsWith('tokentool: '))
      expect(otherLines).toHaveLength(1)
      expect(otherLines[0]).toMatch(new RegExp(`the API refused the token: HTTP 401.*invalid_token.*bound to the certificate with x5t#S256 ${thumb}, the one presented is ${x5t(f('self.pem'))}`))

      // no certificate (a profile that does not have it): refused; the line says which flags present it
      const bare = tempHome()
      const cfg = config(home)
      const { clientCert: _c, clientCertKey: _k, ...rest } = cfg.profiles.default!
      writeFileSync(join(bare, 'config.json'), JSON.stringify({ ...cfg, profiles: { default: rest } }), { mode: 0o600 })
      execFileSync('cp', ['-a', join(home, 'tokens'), join(bare, 'tokens')])
      const none = await runCli(['call', `${api.url}/accounts`], { env: env(bare) })
      expect(none.code).toBe(1)
      expect(api.requests.at(-1)).toMatchObject({ status: 401, error: 'invalid_token' })
      expect(api.requests.at(-1)!.presented).toBeUndefined()
      const noneLines = none.stderr.trim().split('\n').filter((l) => l.startsWith('tokentool: '))
      expect(noneLines, none.stderr).toHaveLength(1)
      expect(noneLines[0]).toMatch(/certificate-bound \(cnf\.x5t#S256\) and no client certificate was presented: give --client-cert FILE --client-cert-key FILE/)
      // with the flags, the same profile gets through
      const given = await runCli(['call', '--client-cert', f('client.pem'), '--client-cert-key', f('client.key'), `${api.url}/accounts`], { env: env(bare) })
      expect(given.code).toBe(0)
      expect(api.requests.at(-1)).toMatchObject({ presented: thumb, status: 200 })
    })

    it('a public client (no TLS client auth): tokens bound to the certificate shown; refresh with it keeps the binding, with another is refused', async () => {
      const browser = new Agent({ connect: { ca: readFileSync(f('ca.pem'), 'utf8') } })
      const args = ['--client-id', 'mtls-public', '--client-cert', f('self.pem'), '--client-cert-key', f('self.key'), '--scope', 'openid offline_access api:read', '--resource', API_RESOURCE, '--json']
      const r = await loginWithBrowserless(provider, args, { env: { TOKENTOOL_CACERT: f('ca.pem') }, browser: { dispatcher: browser } })
      await browser.close()
      expect(r.stderr).not.toMatch(/^tokentool: /m)
      expect(r.code).toBe(0)
      const thumb = x5t(f('self.pem'))
      expect(decodeJwt((JSON.parse(r.stdout) as { access_token: string }).access_token).cnf).toEqual({ 'x5t#S256': thumb })
      expect(config(r.home).profiles.default?.clientAuth).toBeUndefined()

      const ref = await runCli(['--json', 'refresh'], { env: env(r.home) })
      expect(ref.stderr).toBe('')
      expect(ref.code).toBe(0)
      expect(decodeJwt((JSON.parse(ref.stdout) as { access_token: string }).access_token).cnf).toEqual({ 'x5t#S256': thumb })

      // the refresh token is bound too: another certificate cannot spend it (the server's invalid_grant, exit 4)
      const other = await runCli(['refresh', '--client-cert', f('client.pem'), '--client-cert-key', f('client.key')], { env: env(r.home) })
      expect(other.code).toBe(4)
      expect(other.stderr.trim().split('\n')).toHaveLength(1)
      expect(other.stderr).toMatch(/invalid_grant: .*the stored refresh token was kept: it may be bound to another certificate than --client-cert/)
      // which was no reason to drop the session: the profile's certificate still refreshes it
      const again = await runCli(['refresh'], { env: env(r.home) })
      expect(again.stderr).toBe('')
      expect(again.code).toBe(0)
    })

    it('bad certificate input on login, refresh and call: one line each, exit 2, nothing sent', async () => {
      const home = tempHome()
      const before = provider.requests.length
      const apiBefore = api.requests.length
      const cases: [string[], RegExp][] = [
        [['--client-cert', f('missing.pem'), '--client-cert-key', f('client.key')], /cannot read --client-cert file .*missing\.pem: no such file/],
        [['--client-cert', f('client.pem'), '--client-cert-key', f('missing.key')], /cannot read --client-cert-key file .*missing\.key: no such file/],
        [['--client-cert', f('client.pem'), '--client-cert-key', f('self.key')], /--client-cert-key is not the private key of --client-cert/],
        [['--client-cert', f('client.key'), '--client-cert-key', f('client.key')], /is not a PEM certificate/],
        [['--client-cert', f('client.pem'), '--client-cert-key', f('client.pem')], /--client-cert-key is not a private key/],
        [['--client-cert-key', f('client.key')], /--client-cert-key needs its certificate/],
        [['--client-cert', f('client.pem')], /--client-cert needs its private key/],
      ]
      const commands: string[][] = [
        ['login', '--issuer', provider.issuer, '--client-id', 'mtls-login', '--no-open'],
        ['refresh', '--issuer', provider.issuer, '--client-id', 'mtls-login'],
        ['call', `${api.url}/accounts`],
      ]
      for (const command of commands) {
        for (const [flags, message] of cases) {
          const r = await runCli([...command, ...flags], { env: env(home) })
          const where = `${command[0]} ${flags.join(' ')}`
          expect(r.code, where).toBe(2)
          expect(r.stderr.trim().split('\n'), where).toHaveLength(1)
          expect(r.stderr, where).toMatch(message)
          // the key never shows, whatever went wrong
          expect(r.stderr, where).not.toMatch(/PRIVATE KEY/)
        }
      }
      expect(provider.requests.length).toBe(before)
      expect(api.requests.length).toBe(apiBefore)
    })
  })
})
