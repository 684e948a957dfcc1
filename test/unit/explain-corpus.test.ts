/**
 * `explain` against test/fixtures/explain/cases.json: responses built on real resource
 * servers' message shapes (the source of each is in the file), tokens minted here to fit
 * each story, and the cause that must come first.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { CAUSE_CODES, explain, type ExplainInput, type VerificationFacts } from '../../src/core/explain/causes.js'
import { parseResponseText } from '../../src/core/explain/response.js'
import { createVerifier, type KeySource } from '../../src/core/jwt/verify.js'
import { jwkKey } from '../../src/cli/keys.js'

interface Case {
  name: string
  source: string
  response: string
  token: { header?: Record<string, unknown>; claims?: Record<string, unknown>; opaque?: string; raw?: string; groups?: number } | null
  flags?: { aud?: string[]; scope?: string[]; localClock?: string; verify?: 'wrong-key' | 'unknown-kid' | 'ok-but-nonce' }
  expect: { first: string; confidence?: string; also?: string[] }
}

const corpus = JSON.parse(readFileSync(new URL('../fixtures/explain/cases.json', import.meta.url), 'utf8')) as { date: string; cases: Case[] }
const DATE = Math.floor(Date.parse(corpus.date) / 1000)
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** "+50m", "-3h", "0" → seconds relative to the response's Date. */
function at(v: unknown): unknown {
  if (typeof v !== 'string') return v
  const m = /^([+-]?)(\d+)([smhd]?)$/.exec(v)
  if (!m) return v
  return DATE + (m[1] === '-' ? -1 : 1) * Number(m[2]) * (UNIT[m[3] || 's'] ?? 1)
}

const TIME = new Set(['exp', 'nbf', 'iat', 'auth_time'])

async function mint(c: Case): Promise<{ token: string | null; verification: VerificationFacts | null }> {
  const t = c.token
  if (!t) return { token: null, verification: null }
  if (t.opaque) return { token: t.opaque, verification: null }
  if (t.raw) return { token: t.raw, verification: null }
  const claims: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(t.claims ?? {})) claims[k] = TIME.has(k) ? at(v) : v
  if (t.groups) claims.groups = Array.from({ length: t.groups }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = 'k1'
  const header = { alg: 'ES256', kid, ...t.header }
  const verify = c.flags?.verify
  let token: string
  if (verify === 'ok-but-nonce') {
    // what Entra ID does for Graph: sign over the header with the nonce hashed, then send the raw nonce
    const raw = String(t.header?.nonce)
    const signed = await new SignJWT(claims).setProtectedHeader({ ...header, nonce: createHash('sha256').update(raw).digest('base64url') }).sign(privateKey)
    const parts = signed.split('.')
    token = [Buffer.from(JSON.stringify(header)).toString('base64url'), parts[1], parts[2]].join('.')
  } else {
    token = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey)
  }
  if (!verify) return { token, verification: null }
  const jwk: JWK = { ...(await exportJWK(verify === 'wrong-key' ? (await generateKeyPair('ES256', { extractable: true })).publicKey : publicKey)), kid, alg: 'ES256' }
  const source: KeySource = {
    async lookup(h) {
      return h.kid === undefined || h.kid === kid ? { keys: [jwkKey(jwk, `kid "${kid}" from the test JWKS`)] } : { keys: [], note: `no key with kid "${String(h.kid)}" in the test JWKS` }
    },
  }
  const result = await createVerifier(source, { clockSkew: 60 })(token, new Date(DATE * 1000))
  return { token, verification: { keySource: 'the test JWKS', checks: result.checks } }
}

describe('explain corpus (test/fixtures/explain/cases.json)', () => {
  it('covers every cause code, mostly with real servers\' message shapes', () => {
    const firsts = new Set(corpus.cases.map((c) => c.expect.first))
    for (const code of CAUSE_CODES) expect(firsts, `no case ranks ${code} first`).toContain(code)
    const real = corpus.cases.filter((c) => !c.source.startsWith('constructed'))
    expect(real.length * 2).toBeGreaterThan(corpus.cases.length)
  })

  it.each(corpus.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { token, verification } = await mint(c)
    const local = c.flags?.localClock ? (at(c.flags.localClock) as number) : DATE
    const input: ExplainInput = {
      response: parseResponseText(c.response),
      token,
      tokenFrom: token ? 'argument' : null,
      now: new Date(local * 1000),
      nowSource: 'local',
      verification,
    }
    if (c.flags?.aud) input.audience = c.flags.aud
    if (c.flags?.scope) input.scopes = c.flags.scope
    const r = explain(input)
    const codes = r.causes.map((x) => `${x.code}(${x.confidence})`)
    expect(r.causes[0]?.code, codes.join(', ')).toBe(c.expect.first)
    if (c.expect.confidence) expect(r.causes[0]!.confidence, codes.join(', ')).toBe(c.expect.confidence)
    for (const also of c.expect.also ?? []) expect(r.causes.map((x) => x.code), codes.join(', ')).toContain(also)
    // every cause says why, and the token itself never appears in what is shown
    for (const cause of r.causes) {
      expect(cause.evidence.length).toBeGreaterThan(0)
      if (token && token.length > 20) expect(JSON.stringify(cause)).not.toContain(token)
    }
  })
})
