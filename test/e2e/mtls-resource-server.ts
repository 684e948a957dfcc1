/**
 * A test API that takes certificate-bound access tokens (RFC 8705 §3): served over HTTPS on
 * 127.0.0.1, it asks every client for a certificate (any issuer: a self-signed one is shown to
 * the check too), verifies the Bearer token against the test provider's keys (audience
 * API_RESOURCE) and compares the thumbprint of the certificate presented in the TLS handshake
 * with the token's `cnf.x5t#S256`. A missing or different certificate gets `401
 * WWW-Authenticate: Bearer error="invalid_token"`, as §3 asks of a protected resource.
 * @module
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import { API_RESOURCE } from './provider.js'

export interface MtlsApiLogEntry {
  path: string
  /** The thumbprint of the certificate the client presented, if any. */
  presented?: string
  status: number
  error?: string
  description?: string
}

export interface MtlsResourceServer {
  url: string
  requests: MtlsApiLogEntry[]
  close(): Promise<void>
}

export async function startMtlsResourceServer(opts: { issuer: string; publicJwks: { keys: JWK[] }; key: string; cert: string; ca: string }): Promise<MtlsResourceServer> {
  const jwks = createLocalJWKSet(opts.publicJwks)
  const requests: MtlsApiLogEntry[] = []
  const server: Server = createServer({ key: opts.key, cert: opts.cert, ca: opts.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    req.resume()
    req.on('end', () => void handle())
    const handle = async () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      const presented = peer?.raw ? createHash('sha256').update(peer.raw).digest('base64url') : undefined
      const entry: MtlsApiLogEntry = { path: req.url ?? '', status: 0, ...(presented ? { presented } : {}) }
      requests.push(entry)
      const refuse = (error: string, description: string) => {
        Object.assign(entry, { status: 401, error, description })
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="${error}", error_description="${description}"` })
        res.end(JSON.stringify({ error, error_description: description }))
      }
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
      if (!m) return refuse('invalid_request', 'a Bearer token is required')
      let cnf: unknown
      try {
        cnf = (await jwtVerify(m[1]!, jwks, { issuer: opts.issuer, audience: API_RESOURCE })).payload.cnf
      } catch (e) {
        return refuse('invalid_token', `token rejected: ${(e as Error).message}`)
      }
      const bound = (cnf as Record<string, unknown> | undefined)?.['x5t#S256']
      if (typeof bound !== 'string') return refuse('invalid_token', 'the token is not certificate-bound')
      if (!presented) return refuse('invalid_token', 'no client certificate presented for a certificate-bound token')
      if (presented !== bound) return refuse('invalid_token', 'the client certificate does not match the token binding')
      entry.status = 200
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, x5t: presented }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
