/**
 * A stand-in git smart-HTTP server on 127.0.0.1, enough for `git ls-remote`: `GET
 * /<repo>/info/refs?service=git-upload-pack` answers 401 with a Basic challenge until the
 * request carries `Authorization: Basic` whose password `accept` takes, then an empty ref
 * advertisement (protocol v0: the service line, a flush, no refs, a flush). It records every
 * Authorization it saw, decoded.
 * @see https://git-scm.com/docs/http-protocol#_smart_clients
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GitServer {
  url: string
  /** `host:port` as git names it in a credential request. */
  host: string
  requests: { path: string; username?: string; password?: string; status: number }[]
  close(): Promise<void>
}

const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, '0') + s

export async function startGitServer(accept: (password: string, path: string) => boolean): Promise<GitServer> {
  const requests: GitServer['requests'] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '')
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : undefined
    const colon = decoded?.indexOf(':') ?? -1
    const username = decoded !== undefined && colon >= 0 ? decoded.slice(0, colon) : undefined
    const password = decoded !== undefined && colon >= 0 ? decoded.slice(colon + 1) : undefined
    const ok = password !== undefined && url.pathname.endsWith('/info/refs') && url.searchParams.get('service') === 'git-upload-pack' && accept(password, url.pathname)
    const status = ok ? 200 : password === undefined ? 401 : url.pathname.endsWith('/info/refs') ? 401 : 404
    requests.push({ path: url.pathname, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), status })
    if (!ok) {
      res.writeHead(status, status === 401 ? { 'WWW-Authenticate': 'Basic realm="tokentool test"' } : {})
      return res.end()
    }
    res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement', 'Cache-Control': 'no-cache' })
    res.end(pkt('# service=git-upload-pack\n') + '0000' + '0000')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
