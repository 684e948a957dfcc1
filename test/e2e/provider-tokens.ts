/** Tokens straight from the test provider, for tests that need one to work on (not to test the grant). */
import { API_RESOURCE, type TestProvider } from './provider.js'

/** An RS256 `at+jwt` access token (RFC 9068) for the API resource: client credentials as the basic client. */
export async function apiAccessToken(op: TestProvider, scope = 'api:read'): Promise<string> {
  const c = op.clients.basic
  const res = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: API_RESOURCE, scope }),
  })
  if (!res.ok) throw new Error(`test provider refused client credentials: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { access_token: string }).access_token
}
