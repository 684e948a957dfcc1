import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { claimsForChallenge, exitCodeForStatus, judgeChallenge } from '../../src/core/cae/call-decision.js'
import { parseRequestHeader, requestBody } from '../../src/cli/commands/call.js'
import { callApi, type TokenSource } from '../../src/oauth/call.js'
import { pickStoredToken } from '../../src/oauth/call-token.js'
import { UsageError } from '../../src/errors.js'
import type { AccessTokenEntry, ProfileTokens } from '../../src/store/tokens.js'
import { startHttpServer } from '../helpers/http-server.js'
import { testIO } from '../helpers/test-io.js'

const NBF = { access_token: { nbf: { essential: true, value: '1700000000' } } }
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64')
const CLAIMS_CHALLENGE = `Bearer realm="", authorization_uri="https://login.example/auth", error="insufficient_claims", claims="${b64(NBF)}"`

describe('judgeChallenge', () => {
  it('answers a 401 insufficient_claims challenge with a claims parameter', () => {
    const v = judgeChallenge(401, CLAIMS_CHALLENGE)
    expect(v.kind).toBe('claims')
    if (v.kind === 'claims') {
      expect(v.claims).toEqual(NBF)
      expect(v.challenge.params.authorization_uri).toBe('https://login.example/auth')
    }
  })

  it('answers a valid claims challenge that follows a broken one', () => {
    const v = judgeChallenge(401, `Bearer error="insufficient_claims", claims="not base64", ${CLAIMS_CHALLENGE}`)
    expect(v.kind).toBe('claims')
    if (v.kind === 'claims') expect(v.claims).toEqual(NBF)
  })

  it('answers the Azure Resource Manager form: error="invalid_token" with claims (azure-sdk-for-go arm tests)', () => {
    const arm =
      'Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="User session has been revoked", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwMzc0MjgwMCJ9fX0="'
    const v = judgeChallenge(401, arm)
    expect(v.kind).toBe('claims')
    if (v.kind === 'claims') expect(v.claims).toEqual({ access_token: { nbf: { essential: true, value: '1603742800' } } })
    // without claims, invalid_token stays a plain refusal
    expect(judgeChallenge(401, 'Bearer authorization_uri="https://login.windows.net/", error="invalid_token"').kind).toBe('other')
  })

  it('reads an RFC 9470 step-up challenge: acr_values, and max_age only when it is a number of seconds', () => {
    expect(judgeChallenge(401, 'Bearer error="insufficient_user_authentication", acr_values="urn:mfa", max_age="300"')).toMatchObject({ kind: 'step_up', acrValues: 'urn:mfa', maxAge: 300 })
    const odd = judgeChallenge(401, 'Bearer error="insufficient_user_authentication", max_age="5m"')
    expect(odd.kind).toBe('step_up')
    expect(odd).not.toHaveProperty('maxAge')
    expect(judgeChallenge(403, 'Bearer error="insufficient_user_authentication"').kind).toBe('other')
  })

  it('finds the Bearer claims challenge among several', () => {
    const v = judgeChallenge(401, `Basic realm="x", ${CLAIMS_CHALLENGE}`)
    expect(v.kind).toBe('claims')
  })

  it('does not answer other errors, a 403, a challenge without claims, or a non-Bearer scheme', () => {
    const invalid = judgeChallenge(401, 'Bearer error="invalid_token", error_description="expired"')
    expect(invalid).toMatchObject({ kind: 'other', challenge: { params: { error: 'invalid_token', error_description: 'expired' } } })
    expect(judgeChallenge(403, CLAIMS_CHALLENGE).kind).toBe('other')
    expect(judgeChallenge(401, 'Bearer error="insufficient_claims"').kind).toBe('other')
    expect(judgeChallenge(401, `DPoP error="insufficient_claims", claims="${b64(NBF)}"`).kind).toBe('other')
  })

  it('says nothing about non-refusals, and reports a 401 without a header or with an unreadable one', () => {
    expect(judgeChallenge(200, CLAIMS_CHALLENGE)).toEqual({ kind: 'none' })
    expect(judgeChallenge(500, null)).toEqual({ kind: 'none' })
    expect(judgeChallenge(401, null)).toEqual({ kind: 'other', challenge: null })
    // a broken claims value: shown, not answered; an unterminated quote still keeps the challenge
    const bad = judgeChallenge(401, 'Bearer error="insufficient_claims", claims="%%%"')
    expect(bad).toMatchObject({ kind: 'other', challenge: { claims: null, claimsError: expect.stringMatching(/not base64/) } })
    expect(judgeChallenge(401, 'Bearer realm="unterminated')).toMatchObject({ kind: 'other', challenge: { params: { realm: 'unterminated' } } })
    expect(judgeChallenge(401, '@@@')).toMatchObject({ kind: 'other', challenge: null, problem: expect.stringMatching(/cannot parse/) })
  })

  it('never throws, whatever the server sends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.constant(CLAIMS_CHALLENGE).map((c) => c.slice(0, 40))), (status, header) => {
        const v = judgeChallenge(status, header)
        expect(['claims', 'other', 'none']).toContain(v.kind)
        if (v.kind === 'claims') expect(status).toBe(401)
      }),
    )
  })
})

describe('claimsForChallenge', () => {
  it('keeps the claims request as given, and merges cp1 with --cae', () => {
    expect(JSON.parse(claimsForChallenge(NBF))).toEqual(NBF)
    expect(JSON.parse(claimsForChallenge(NBF, { cae: true }))).toEqual({ access_token: { ...NBF.access_token, xms_cc: { values: ['cp1'] } } })
  })
})

describe('exitCodeForStatus', () => {
  it.each([
    [200, 0],
    [204, 0],
    [302, 0],
    [400, 1],
    [401, 1],
    [403, 1],
    [404, 1],
    [500, 3],
    [503, 3],
  ])('%i → %i', (status, code) => expect(exitCodeForStatus(status)).toBe(code))
})

describe('pickStoredToken', () => {
  const now = new Date('2026-01-01T00:00:00Z')
  const t = Math.floor(now.getTime() / 1000)
  const entry = (key: string, obtainedAt: number, expiresAt?: number): AccessTokenEntry => ({ accessToken: `at-${key}`, tokenType: 'Bearer', cacheKey: key, obtainedAt, ...(expiresAt !== undefined ? { expiresAt } : {}) })
  const tokens = (...es: AccessTokenEntry[]): ProfileTokens => ({ version: 1, accessTokens: Object.fromEntries(es.map((e) => [e.cacheKey, e])) })

  it('takes the newest token that is still valid for more than the margin', () => {
    expect(pickStoredToken(tokens(entry('a', t - 100, t + 600), entry('b', t - 10, t + 600)), now)?.cacheKey).toBe('b')
    // the newest one expires within 30 s: the older one is sent
    expect(pickStoredToken(tokens(entry('a', t - 100, t + 600), entry('b', t - 10, t + 20)), now)?.cacheKey).toBe('a')
    expect(pickStoredToken(tokens(entry('a', t - 100, t - 1)), now)).toBeUndefined()
    expect(pickStoredToken(undefined, now)).toBeUndefined()
    // no expiry stated: sent (the API will say if it is not good)
    expect(pickStoredToken(tokens(entry('a', t - 100)), now)?.cacheKey).toBe('a')
  })
})

describe('parseRequestHeader', () => {
  it('reads "Name: value" and Name=value', () => {
    expect(parseRequestHeader('Content-Type: application/json')).toEqual(['Content-Type', 'application/json'])
    expect(parseRequestHeader('X-A:b')).toEqual(['X-A', 'b'])
    expect(parseRequestHeader('X-A=b=c')).toEqual(['X-A', 'b=c'])
    expect(parseRequestHeader('X-Empty:')).toEqual(['X-Empty', ''])
  })
  it('refuses a malformed header and an Authorization header of the user', () => {
    expect(() => parseRequestHeader('no colon here')).toThrow(UsageError)
    expect(() => parseRequestHeader('Authorization: Bearer x')).toThrow(/profile's access token/)
  })
})

describe('requestBody', () => {
  it('joins pieces with & as curl does, reads @- once', async () => {
    const { io } = testIO({ input: 'from\nstdin' })
    const deps = { io, cwd: process.cwd() }
    expect(await requestBody([], deps)).toBeUndefined()
    expect((await requestBody([{ value: 'a=1', binary: false }, { value: '@-', binary: false }], deps))!.toString()).toBe('a=1&fromstdin')
    await expect(requestBody([{ value: '@-', binary: true }, { value: '@-', binary: true }], { io: testIO({ input: 'x' }).io, cwd: '.' })).rejects.toThrow(/only once/)
    await expect(requestBody([{ value: '@/nonexistent/body', binary: true }], deps)).rejects.toThrow(/no such file/)
  })
})

describe('callApi', () => {
  it('retries exactly once: a second challenge is returned, not answered', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': CLAIMS_CHALLENGE }).end('no')
    })
    const asked: string[] = []
    const source: TokenSource = {
      current: async () => ({ accessToken: 'first', tokenType: 'Bearer', source: 'stored' }),
      answer: async (claims) => {
        asked.push(claims)
        return { accessToken: `second-${asked.length}`, tokenType: 'Bearer', source: 'refresh' }
      },
    }
    try {
      const r = await callApi({ url: new URL(`${server.url}/x`), method: 'GET', headers: [['X-A', '1']] }, globalThis.fetch, source)
      expect(r.retried).toBe(true)
      expect(r.response.status).toBe(401)
      expect(r.verdict.kind).toBe('claims')
      expect(asked).toEqual([JSON.stringify(NBF)])
      expect(server.requests.map((q) => q.headers.authorization)).toEqual(['Bearer first', 'Bearer second-1'])
      expect(server.requests[0]!.headers['x-a']).toBe('1')
    } finally {
      await server.close()
    }
  })

  it('answers an RFC 9470 step-up once with a new sign-in asking for its acr_values and max_age', async () => {
    const STEP_UP = 'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", acr_values="urn:mfa", max_age="0"'
    const server = await startHttpServer((req, res) => {
      if (req.headers.authorization === 'Bearer stepped-up') res.writeHead(200).end('ok')
      else res.writeHead(401, { 'www-authenticate': STEP_UP }).end('no')
    })
    const asked: unknown[] = []
    const source: TokenSource = {
      current: async () => ({ accessToken: 'first', tokenType: 'Bearer', source: 'stored' }),
      answer: async () => expect.fail('not a claims challenge'),
      stepUp: async (request) => {
        asked.push(request)
        return { accessToken: 'stepped-up', tokenType: 'Bearer', source: 'login' }
      },
    }
    try {
      const r = await callApi({ url: new URL(`${server.url}/x`), method: 'GET', headers: [] }, globalThis.fetch, source)
      expect(asked).toEqual([{ acrValues: 'urn:mfa', maxAge: 0 }])
      expect(r).toMatchObject({ retried: true, answered: null, steppedUp: { request: { acrValues: 'urn:mfa', maxAge: 0 }, via: 'login' }, verdict: { kind: 'none' } })
      expect(r.response.status).toBe(200)
      expect(server.requests.map((q) => q.headers.authorization)).toEqual(['Bearer first', 'Bearer stepped-up'])
    } finally {
      await server.close()
    }
  })

  it('a step-up challenge without a way to sign in is returned, not answered; a second one is never answered', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="insufficient_user_authentication", acr_values="urn:mfa"' }).end()
    })
    let stepUps = 0
    const base: TokenSource = { current: async () => ({ accessToken: 't', tokenType: 'Bearer', source: 'stored' }), answer: async () => expect.fail('no') }
    try {
      const plain = await callApi({ url: new URL(`${server.url}/x`), method: 'GET', headers: [] }, globalThis.fetch, base)
      expect(plain).toMatchObject({ retried: false, verdict: { kind: 'step_up', acrValues: 'urn:mfa' } })
      const once = await callApi({ url: new URL(`${server.url}/x`), method: 'GET', headers: [] }, globalThis.fetch, {
        ...base,
        stepUp: async () => ({ accessToken: `u${++stepUps}`, tokenType: 'Bearer', source: 'login' }),
      })
      expect(stepUps).toBe(1)
      expect(once).toMatchObject({ retried: true, verdict: { kind: 'step_up' } })
      expect(server.requests).toHaveLength(3)
    } finally {
      await server.close()
    }
  })

  it('does not follow a redirect (the bearer token must not travel on)', async () => {
    const server = await startHttpServer((req, res, base) => {
      if (req.url === '/from') res.writeHead(302, { location: `${base}/to` }).end()
      else res.writeHead(200).end('followed')
    })
    const source: TokenSource = { current: async () => ({ accessToken: 't', tokenType: 'Bearer', source: 'stored' }), answer: async () => expect.fail('no challenge') }
    try {
      const r = await callApi({ url: new URL(`${server.url}/from`), method: 'GET', headers: [] }, globalThis.fetch, source)
      expect(r.response.status).toBe(302)
      expect(server.requests).toHaveLength(1)
    } finally {
      await server.close()
    }
  })
})
