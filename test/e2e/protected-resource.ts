/**
 * A protected resource that publishes OAuth 2.0 Protected Resource Metadata (RFC 9728), as
 * Model Context Protocol servers do: `GET /.well-known/oauth-protected-resource/mcp` serves the
 * metadata of the resource `<url>/mcp`, and `/mcp` answers a request without a valid token
 * `401` with `WWW-Authenticate: Bearer resource_metadata="..."` (RFC 9728 §5.1). Tokens are the
 * test provider's JWT access tokens, verified with jose against its JWKS, audience the
 * resource. On 127.0.0.1, a free port. Modes make it misbehave for the refusal cases.
 * @module
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify } from 'jose'

export type MetadataMode =
  | 'normal'
  /** the metadata names another resource */
  | 'mismatch'
  /** the metadata names no authorization server */
  | 'no-server'
  /** the metadata is not JSON */
  | 'not-json'
  /** no well-known document (404): only the 401 challenge points to the metadata, elsewhere */
  | 'challenge-only'

export interface ProtectedResource {
  /** Origin, `http://127.0.0.1:PORT`. */
  origin: string
  /** The resource identifier, `<origin>/mcp`. */
  resource: string
  /** The scopes the metadata lists. */
  scopes: string[]
  setMode(mode: MetadataMode): void
  /** Requests seen: path, whether a token came and whether it verified. */
  requests: { path: string; token: boolean; ok: boolean; aud?: unknown }[]
  close(): Promise<void>
}

export async function startProtectedResource(issuer: string, opts: { scopes?: string[]; moreServers?: string[] } = {}): Promise<ProtectedResource> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  const scopes = opts.scopes ?? ['api:read']
  let mode: MetadataMode = 'normal'
  const requests: ProtectedResource['requests'] = []
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const resource = `${origin}/mcp`
  const wellKnown = `${origin}/.well-known/oauth-protected-resource/mcp`
  const elsewhere = `${origin}/meta/resource.json`

  const metadata = () => ({
    resource: mode === 'mismatch' ? `${origin}/other` : resource,
    ...(mode === 'no-server' ? {} : { authorization_servers: [issuer, ...(opts.moreServers ?? [])] }),
    scopes_supported: scopes,
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ['RS256'],
    resource_name: 'Test MCP server',
  })

  server.on('request', async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(body))
    }
    if (path === '/.well-known/oauth-protected-resource/mcp' || path === '/meta/resource.json') {
      requests.push({ path, token: false, ok: true })
      if (path === '/.well-known/oauth-protected-resource/mcp' && mode === 'challenge-only') return json(404, { error: 'not found' })
      if (mode === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end('<html>metadata moved</html>')
      }
      return json(200, metadata())
    }
    if (path === '/mcp' || path.startsWith('/mcp/')) {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
      const challenge = { 'www-authenticate': `Bearer resource_metadata="${mode === 'challenge-only' ? elsewhere : wellKnown}"` }
      if (!m) {
        requests.push({ path, token: false, ok: false })
        return json(401, { error: 'unauthorized' }, challenge)
      }
      try {
        const { payload } = await jwtVerify(m[1]!, jwks, { issuer, audience: resource })
        requests.push({ path, token: true, ok: true, aud: payload.aud })
        return json(200, { hello: payload.sub, scope: payload.scope })
      } catch (e) {
        requests.push({ path, token: true, ok: false })
        return json(401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer error="invalid_token", error_description="${(e as Error).message.replace(/"/g, "'")}", resource_metadata="${wellKnown}"` })
      }
    }
    json(404, { error: 'not found' })
  })

  return {
    origin,
    resource,
    scopes,
    setMode: (m) => void (mode = m),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
