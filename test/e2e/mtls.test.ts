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
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { API_RESOURCE, startProvider, type TestProvider } from './provider.js'
import { runCli, tempHome } from '../helpers/run-cli.js'
import { describeWithProgram, findProgram, type ProgramSpec } from '../helpers/system-program.js'

let provider: TestProvider
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
  })
  afterAll(async () => {
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
})
