/** The test provider fixture itself: every flow later tests rely on works against it. */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt, decodeProtectedHeader, SignJWT, importJWK } from 'jose'
import { browserlessLogin } from './browserless-login.js'
import { API_RESOURCE, DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT, startProvider, type TestProvider } from './provider.js'

let op: TestProvider
beforeAll(async () => {
  op = await startProvider()
})
afterAll(async () => {
  await op?.stop()
})

const basicAuth = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

async function token(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

/** Authorization code + PKCE through the browserless driver, with a random loopback port. */
async function codeFlow(extra: Record<string, string> = {}, login = 'alice') {
  const verifier = randomBytes(32).toString('base64url')
  const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 2000)}/callback`
  const auth = new URL(`${op.issuer}/auth`)
  auth.search = new URLSearchParams({
    client_id: op.clients.native.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email',
    state: 's1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
  const { url, steps } = await browserlessLogin(auth.href, { login })
  const cb = new URL(url)
  expect(`${cb.origin}${cb.pathname}`).toBe(redirectUri)
  expect(cb.searchParams.get('iss')).toBe(op.issuer) // RFC 9207
  expect(cb.searchParams.get('state')).toBe('s1')
  const code = cb.searchParams.get('code')!
  const res = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: op.clients.native.client_id })
  return { ...res, steps }
}

describe('test provider', () => {
  it('publishes discovery with the features the tests need', async () => {
    const meta = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>
    expect(meta.issuer).toBe(op.issuer)
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT]))
    expect(meta.authorization_response_iss_parameter_supported).toBe(true)
    expect(meta.claims_parameter_supported).toBe(true)
    for (const k of ['device_authorization_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'userinfo_endpoint', 'jwks_uri']) expect(meta[k]).toMatch(/^http:\/\/127\.0\.0\.1:/)
  })

  it('issues at+jwt access tokens for the API through client credentials (basic and post)', async () => {
    const viaBasic = await token({ grant_type: 'client_credentials', resource: API_RESOURCE, scope: 'api:read' }, { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) })
    expect(viaBasic.status).toBe(200)
    expect(decodeProtectedHeader(viaBasic.body.access_token).typ).toBe('at+jwt')
    expect(decodeJwt(viaBasic.body.access_token)).toMatchObject({ iss: op.issuer, aud: API_RESOURCE, scope: 'api:read', client_id: op.clients.basic.client_id })

    const viaPost = await token({ grant_type: 'client_credentials', resource: API_RESOURCE, scope: 'api:write', client_id: op.clients.post.client_id, client_secret: op.clients.post.client_secret })
    expect(viaPost.status).toBe(200)
    const wrong = await token({ grant_type: 'client_credentials', client_id: op.clients.post.client_id, client_secret: 'nope' })
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
  })

  it('accepts private_key_jwt with the key it exposes', async () => {
    const c = op.clients.privateKeyJwt
    const key = await importJWK(c.privateJwk, 'ES256')
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: c.privateJwk.kid! })
      .setIssuer(c.client_id).setSubject(c.client_id).setAudience(op.issuer).setJti(randomBytes(8).toString('hex')).setIssuedAt().setExpirationTime('1m')
      .sign(key)
    const res = await token({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, client_id: c.client_id })
    expect(res.status).toBe(200)
    expect(c.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it('runs the code flow for a native client on any loopback port, with refresh token rotation', async () => {
    const { status, body, steps } = await codeFlow({ scope: 'openid offline_access email', prompt: 'consent' })
    expect(status).toBe(200)
    expect(steps).toEqual(['login', 'consent'])
    expect(decodeJwt(body.id_token)).toMatchObject({ sub: 'alice', email: 'alice@example.test', iss: op.issuer })
    expect(body.refresh_token).toBeTruthy()

    const r1 = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: op.clients.native.client_id })
    expect(r1.status).toBe(200)
    expect(r1.body.refresh_token).not.toBe(body.refresh_token) // rotated
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: op.clients.native.client_id })
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(op.events.some((e) => e.name === 'grant.error' && e.error === 'invalid_grant')).toBe(true)
  })

  it('gives no refresh token for offline_access without prompt=consent (OIDC Core §11)', async () => {
    const { body } = await codeFlow({ scope: 'openid offline_access' })
    expect(body.refresh_token).toBeUndefined()
  })

  it('logs a claims request with only access_token, as the client sent it, and echoes xms_cc', async () => {
    const claims = { access_token: { xms_cc: { values: ['cp1'] } } }
    const { status, body } = await codeFlow({ claims: JSON.stringify(claims), resource: API_RESOURCE, scope: 'openid api:read' })
    expect(status).toBe(200)
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: API_RESOURCE, xms_cc: ['cp1'] })
    expect(op.requestsTo('/auth').some((r) => JSON.stringify(r.claims) === JSON.stringify(claims))).toBe(true)
    expect(op.requestsTo('/token').at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200 })
  })

  it('runs the device flow with a short interval', async () => {
    const res = await fetch(`${op.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: op.clients.native.client_id, scope: 'openid' }) })
    const da = (await res.json()) as Record<string, any>
    expect(da.interval).toBe(1)
    const pending = await token({ grant_type: DEVICE_CODE_GRANT, device_code: da.device_code, client_id: op.clients.native.client_id })
    expect(pending.body.error).toBe('authorization_pending')
    const done = await browserlessLogin(da.verification_uri_complete, { login: 'bob' })
    expect(done.steps).toEqual(expect.arrayContaining(['confirm', 'login', 'consent']))
    expect(done.steps.at(-1)).toBe('done')
    expect(done.title).toBe('Sign-in Success')
    const ok = await token({ grant_type: DEVICE_CODE_GRANT, device_code: da.device_code, client_id: op.clients.native.client_id })
    expect(ok.status).toBe(200)
    expect(decodeJwt(ok.body.id_token).sub).toBe('bob')
  })

  it('lets the browserless user refuse, in the code flow and the device flow', async () => {
    const auth = new URL(`${op.issuer}/auth`)
    auth.search = new URLSearchParams({ client_id: op.clients.native.client_id, response_type: 'code', redirect_uri: 'http://127.0.0.1:45678/callback', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString()
    const refused = await browserlessLogin(auth.href, { deny: true })
    expect(new URL(refused.url).searchParams.get('error')).toBe('access_denied')

    const res = await fetch(`${op.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: op.clients.native.client_id, scope: 'openid' }) })
    const da = (await res.json()) as Record<string, any>
    const walked = await browserlessLogin(da.verification_uri_complete, { deny: true })
    expect(walked.steps).toContain('abort')
    const denied = await token({ grant_type: DEVICE_CODE_GRANT, device_code: da.device_code, client_id: op.clients.native.client_id })
    expect(denied.body.error).toBe('access_denied')
  })

  it('introspects and revokes opaque tokens, serves userinfo', async () => {
    const { body } = await codeFlow()
    const auth = { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) }
    const me = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${body.access_token}` } })
    expect(await me.json()).toMatchObject({ sub: 'alice', email: 'alice@example.test' })
    const intro = async () =>
      (await (await fetch(`${op.issuer}/token/introspection`, { method: 'POST', headers: auth, body: new URLSearchParams({ token: body.access_token }) })).json()) as Record<string, any>
    expect(await intro()).toMatchObject({ active: true, sub: 'alice', client_id: op.clients.native.client_id })
    const rev = await fetch(`${op.issuer}/token/revocation`, { method: 'POST', body: new URLSearchParams({ token: body.access_token, client_id: op.clients.native.client_id }) })
    expect(rev.status).toBe(200)
    expect(await intro()).toEqual({ active: false })
  })

  it('exchanges a token (RFC 8693) for the API, with act for delegation', async () => {
    const { body } = await codeFlow({ scope: 'openid email' })
    const actor = await token({ grant_type: 'client_credentials', resource: API_RESOURCE, scope: 'api:read' }, { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) })
    const ex = await token(
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: body.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        actor_token: actor.body.access_token,
        actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        resource: API_RESOURCE,
      },
      { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) },
    )
    expect(ex.status).toBe(200)
    expect(ex.body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token')
    expect(decodeJwt(ex.body.access_token)).toMatchObject({ sub: 'alice', aud: API_RESOURCE, act: { sub: op.clients.basic.client_id } })
    const widened = await token(
      { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: body.access_token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'openid profile' },
      { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) },
    )
    expect(widened).toMatchObject({ status: 400, body: { error: 'invalid_scope' } })
  })

  it('keeps more than 1000 entries (no LRU eviction)', async () => {
    const auth = { authorization: basicAuth(op.clients.basic.client_id, op.clients.basic.client_secret) }
    const first = await token({ grant_type: 'client_credentials' }, auth)
    const before = op.store.size()
    await Promise.all(Array.from({ length: 1100 }, () => token({ grant_type: 'client_credentials' }, auth)))
    expect(op.store.size()).toBeGreaterThanOrEqual(before + 1100)
    const intro = await fetch(`${op.issuer}/token/introspection`, { method: 'POST', headers: auth, body: new URLSearchParams({ token: first.body.access_token }) })
    expect(((await intro.json()) as { active: boolean }).active).toBe(true)
  })
})
