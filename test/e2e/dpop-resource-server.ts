/**
 * A test API that requires DPoP (RFC 9449 §7): `Authorization: DPoP <token>` with a JWT
 * access token of the test provider (checked against its JWKS, audience API_RESOURCE) that
 * carries `cnf.jkt`, and a proof checked by the independent checker (dpop-checker.ts): its
 * signature, `htm`, `htu`, `iat`, `ath` and the key against `cnf.jkt`, `jti` never seen
 * before. It demands a nonce once (§9): the first proof without its nonce gets `401
 * WWW-Authenticate: DPoP error="use_dpop_nonce"` and a `DPoP-Nonce`; in `nonce-loop` mode it
 * never accepts one (a server that keeps asking).
 * @module
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { checkDpopProof } from './dpop-checker.js'
import { API_RESOURCE } from './provider.js'

export interface DpopApiLogEntry {
  method: string
  path: string
  scheme?: string
  proof?: string
  status: number
  error?: string
  description?: string
}

export interface DpopResourceServer {
  url: string
  requests: DpopApiLogEntry[]
  setMode(mode: 'normal' | 'nonce-loop'): void
  close(): Promise<void>
}

export async function startDpopResourceServer(issuer: string): Promise<DpopResourceServer> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  const requests: DpopApiLogEntry[] = []
  const seenJti = new Set<string>()
  let nonce = randomBytes(12).toString('base64url')
  let mode: 'normal' | 'nonce-loop' = 'normal'
  let url = ''

  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => void handle())
    const handle = async () => {
      const entry: DpopApiLogEntry = { method: req.method ?? '', path: req.url ?? '', status: 0 }
      const refuse = (status: number, error: string, description: string, extra: Record<string, string> = {}) => {
        entry.status = status
        entry.error = error
        entry.description = description
        res.writeHead(status, { 'content-type': 'application/json', 'www-authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256 EdDSA"`, ...extra })
        res.end(JSON.stringify({ error, error_description: description }))
      }
      try {
        const m = /^(\S+) (\S+)$/.exec(req.headers.authorization ?? '')
        entry.scheme = m?.[1]
        const proof = req.headers.dpop
        if (typeof proof === 'string') entry.proof = proof
        if (!m || m[1] !== 'DPoP') return refuse(401, 'invalid_token', 'DPoP-bound token required')
        if (typeof proof !== 'string') return refuse(401, 'invalid_dpop_proof', 'no DPoP proof')
        const token = m[2]!
        let cnf: { jkt?: string } | undefined
        try {
          const { payload } = await jwtVerify(token, jwks, { issuer, audience: API_RESOURCE, typ: 'at+jwt' })
          cnf = payload.cnf as { jkt?: string } | undefined
        } catch (e) {
          return refuse(401, 'invalid_token', (e as Error).message)
        }
        if (!cnf?.jkt) return refuse(401, 'invalid_token', 'the token is not DPoP-bound (no cnf.jkt)')
        const sent = JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString() || '{}') as { nonce?: string }
        if (mode === 'nonce-loop' || sent.nonce !== nonce) {
          if (mode === 'nonce-loop') nonce = randomBytes(12).toString('base64url')
          return refuse(401, 'use_dpop_nonce', 'Resource server requires nonce in DPoP proof', { 'dpop-nonce': nonce })
        }
        let checked
        try {
          checked = await checkDpopProof(proof, { method: req.method ?? '', url: new URL(req.url ?? '/', url).href, accessToken: token, jkt: cnf.jkt, nonce })
        } catch (e) {
          return refuse(401, 'invalid_dpop_proof', (e as Error).message)
        }
        const jti = checked.payload.jti as string
        if (seenJti.has(jti)) return refuse(401, 'invalid_dpop_proof', 'jti replayed')
        seenJti.add(jti)
        entry.status = 200
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ok: true, jkt: cnf.jkt }))
      } catch (e) {
        entry.status = 500
        res.writeHead(500).end(String(e))
      } finally {
        requests.push(entry)
      }
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    setMode: (m) => void (mode = m),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
