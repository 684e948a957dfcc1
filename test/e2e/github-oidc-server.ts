/**
 * A stand-in for GitHub Actions' OIDC token endpoint, as GitHub documents it and
 * `@actions/core` `getIDToken` calls it: `GET $ACTIONS_ID_TOKEN_REQUEST_URL` (which carries
 * `api-version=2.0`) plus `&audience=AUD` when one is asked for, with `Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the answer is `{"count": N, "value": "<JWT>"}`. A missing
 * or wrong request token gets 401 (GitHub's answer outside the job). The JWT is signed by the
 * CI issuer the test provider trusts, for the requested audience (default: the owner URL, as
 * GitHub's).
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CiIssuer } from './provider-jwt-bearer.js'

export interface GithubOidcServer {
  /** The value of ACTIONS_ID_TOKEN_REQUEST_URL. */
  requestUrl: string
  /** The value of ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string
  requests: { authorization: string | undefined; apiVersion: string | null; audience: string | null; issued?: string }[]
  close(): Promise<void>
}

export async function startGithubOidcServer(ci: CiIssuer, claims: (audience: string) => Record<string, unknown>): Promise<GithubOidcServer> {
  const requestToken = randomBytes(32).toString('base64url')
  const requests: GithubOidcServer['requests'] = []
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const entry: GithubOidcServer['requests'][number] = { authorization: req.headers.authorization, apiVersion: url.searchParams.get('api-version'), audience: url.searchParams.get('audience') }
    requests.push(entry)
    res.setHeader('content-type', 'application/json; charset=utf-8')
    if (req.method !== 'GET' || url.pathname !== '/_apis/distributedtask/hubs/Actions/plans/p1/jobs/j1/idtoken') {
      res.statusCode = 404
      return res.end('{"message":"Not Found"}')
    }
    const m = /^bearer (.+)$/i.exec(req.headers.authorization ?? '')
    if (!m || m[1] !== requestToken) {
      res.statusCode = 401
      // quoting what it got, as careless servers do: tokentool must not repeat it
      return res.end(JSON.stringify({ message: `Unauthorized: the request token ${m?.[1] ?? ''} is not valid for this job` }))
    }
    const audience = entry.audience ?? 'https://github.com/acme'
    const value = await ci.mint({ aud: audience, ...claims(audience) }, 300)
    entry.issued = value
    res.end(JSON.stringify({ count: value.length, value }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    requestUrl: `http://127.0.0.1:${port}/_apis/distributedtask/hubs/Actions/plans/p1/jobs/j1/idtoken?api-version=2.0`,
    requestToken,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
