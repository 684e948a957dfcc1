/**
 * A server that answers anything: generated status lines, headers and bodies for the
 * discovery document, the JWKS and the token endpoint. Whatever comes back, tokentool ends in
 * a result or a typed error (NetworkError, exit 3; AuthServerError, exit 4) — never a crash.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokentoolError } from '../../src/errors.js'
import { createFetch } from '../../src/http/fetch.js'
import { discover } from '../../src/oauth/discover.js'
import { createOAuthClient } from '../../src/oauth/client.js'
import { clientCredentialsToken } from '../../src/oauth/client-credentials.js'
import { startHttpServer, type TinyServer } from '../helpers/http-server.js'

interface Answer {
  status: number
  type: string
  body: string
}

let server: TinyServer
let answers: { discovery: Answer; jwks: Answer; token: Answer }
const ok = (body: unknown): Answer => ({ status: 200, type: 'application/json', body: JSON.stringify(body) })

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const a = req.url?.endsWith('/.well-known/openid-configuration') ? answers.discovery : req.url === '/jwks' ? answers.jwks : answers.token
    res.writeHead(a.status, { 'content-type': a.type })
    res.end(a.body)
  })
})
afterAll(async () => {
  await server?.close()
})

const deps = { fetch: async () => createFetch({ maxRetries: 0, timeoutMs: 5000 }), now: () => new Date('2026-01-01T00:00:00Z') }

const json = fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 40 }), fc.constant(''), fc.json().map((j) => j.slice(0, -1)))
const status = fc.oneof(fc.constant(200), fc.constantFrom(201, 204, 301, 400, 401, 404, 429, 500, 503))
const type = fc.constantFrom('application/json', 'text/html', 'application/jwk-set+json', '')
const answer = (body: fc.Arbitrary<string>) => fc.record({ status, type, body })

/** Plausible-looking objects with hostile members. */
const hostileValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.constant({}), fc.constant('http://evil.example/x'))

function endsWell(e: unknown): void {
  if (!(e instanceof TokentoolError)) throw e
  expect(e.message).not.toContain('\n')
}

describe('whatever the server answers', () => {
  it('discover: a summary or a typed error', async () => {
    const discoveryDoc = fc.record({ issuer: fc.oneof(fc.constant('SELF'), hostileValue), jwks_uri: fc.oneof(fc.constant('SELF/jwks'), hostileValue), token_endpoint: hostileValue }, { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(answer(json), discoveryDoc.map((d) => ok(d))),
        fc.oneof(answer(json), fc.array(fc.dictionary(fc.constantFrom('kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x'), hostileValue), { maxLength: 3 }).map((keys) => ok({ keys }))),
        async (d, j) => {
          const self = server.url
          answers = { discovery: { ...d, body: d.body.replaceAll('SELF', self) }, jwks: j, token: ok({}) }
          await discover(self, deps).then(() => undefined, endsWell)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('the token endpoint: a token or a typed error, and a token only with an access_token string', async () => {
    const tokenBody = fc.record({ access_token: hostileValue, token_type: fc.oneof(fc.constant('Bearer'), hostileValue), expires_in: hostileValue, scope: hostileValue, error: hostileValue, error_description: hostileValue }, { requiredKeys: [] })
    const oc = await createOAuthClient({ endpoints: { token_endpoint: `${server.url}/token` } }, { clientId: 'ci', clientSecret: 'ci-secret' }, deps)
    await fc.assert(
      fc.asyncProperty(fc.oneof(answer(json), tokenBody.map((b) => ok(b)), tokenBody.map((b) => ({ status: 400, type: 'application/json', body: JSON.stringify(b) }))), async (t) => {
        answers = { discovery: ok({}), jwks: ok({ keys: [] }), token: t }
        const result = await clientCredentialsToken(oc, {}).catch((e: unknown) => (endsWell(e), undefined))
        if (result) expect(typeof result.accessToken === 'string' && result.accessToken.length > 0).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})
