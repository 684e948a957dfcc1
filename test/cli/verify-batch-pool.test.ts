/**
 * `verify --batch` on its worker pool gives, line for line, what the single-token verifier
 * gives for the same token (the same checks, details and verdict), over corpora that fast-check
 * draws: valid, expired, wrong audience or issuer, unknown kid, changed signature, `alg: none`,
 * key confusion, a key under 2048 bits (jose's refusal), garbage lines.
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { CompactSign, exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/core/jwt/verify.js'
import { normalizeTokenText } from '../../src/core/token-text.js'
import { resolveKeySource } from '../../src/cli/keys.js'
import { batchErrorLine, batchLine } from '../../src/render/verify.js'
import { TokentoolError } from '../../src/errors.js'
import { runCli } from '../helpers/run-cli.js'

const NOW = '2026-06-01T00:00:00Z'
const NOW_S = Date.parse(NOW) / 1000
const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const dir = mkdtempSync(join(tmpdir(), 'tokentool-pool-'))
const jwksFile = join(dir, 'jwks.json')
type Signer = (header: Record<string, unknown>, payload: Uint8Array) => Promise<string>
const signers: Record<string, Signer> = {}

beforeAll(async () => {
  const keys = []
  for (const [kid, alg] of [['ec', 'ES256'], ['rsa', 'PS256'], ['ed', 'EdDSA']] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    keys.push({ ...(await exportJWK(publicKey)), kid })
    signers[kid] = (h, p) => new CompactSign(p).setProtectedHeader({ alg, ...h, kid }).sign(privateKey)
  }
  // an RSA key jose refuses (1024 bits): node:crypto would accept it, jose's verdict must win
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
  keys.push({ ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak' })
  signers.weak = async (h, p) => {
    const input = `${enc({ alg: 'RS256', ...h, kid: 'weak' })}.${Buffer.from(p).toString('base64url')}`
    return `${input}.${nodeSign('sha256', Buffer.from(input), weak.privateKey).toString('base64url')}`
  }
  writeFileSync(jwksFile, JSON.stringify({ keys }))
})

const claims = fc.record(
  {
    iss: fc.constantFrom('https://issuer.test', 'https://other.test'),
    aud: fc.constantFrom('api', 'web', ['api', 'x']),
    exp: fc.integer({ min: NOW_S - 7200, max: NOW_S + 7200 }),
    nbf: fc.integer({ min: NOW_S - 100, max: NOW_S + 100 }),
    sub: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: ['iss'] },
)
const line = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kid: fc.constantFrom('ec', 'rsa', 'ed', 'weak'), claims, twist: fc.constantFrom('none', 'none', 'none', 'tamper', 'unknown-kid', 'alg-none', 'hs-confusion') }) },
  { weight: 1, arbitrary: fc.constantFrom('garbage', 'a.b.c', `${enc('x')}.${enc({})}.sig`, 'Bearer   ') },
)

async function tokenOf(l: { kid: string; claims: Record<string, unknown>; twist: string } | string): Promise<string> {
  if (typeof l === 'string') return l
  const payload = new TextEncoder().encode(JSON.stringify(l.claims))
  switch (l.twist) {
    case 'tamper': {
      const t = await signers[l.kid]!({}, payload)
      return t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA')
    }
    case 'unknown-kid':
      return `${enc({ alg: 'ES256', kid: 'nope' })}.${enc(l.claims)}.${enc('sig')}`
    case 'alg-none':
      return `${enc({ alg: 'none' })}.${enc(l.claims)}.`
    case 'hs-confusion':
      return `${enc({ alg: 'HS256', kid: l.kid })}.${enc(l.claims)}.${enc('x'.repeat(32))}`
    default:
      return signers[l.kid]!({}, payload)
  }
}

describe('verify --batch on the worker pool', () => {
  it('agrees with the single-token verifier on every line of the corpus', async () => {
    const args = ['--jwks', jwksFile, '--iss', 'https://issuer.test', '--aud', 'api', '--now', NOW]
    const keys = await resolveKeySource({ jwks: jwksFile }, { cwd: process.cwd(), env: {}, now: () => new Date(NOW), fetch: async () => globalThis.fetch }, [])
    const verifier = createVerifier(keys.source, { clockSkew: 60, iss: 'https://issuer.test', aud: ['api'] })
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
        const tokens = await Promise.all(lines.map((l) => tokenOf(l)))
        const batch = await runCli(['verify', '--batch', ...args], { input: tokens.join('\n') + '\n' })
        const expected: string[] = []
        let n = 0
        for (const t of tokens) {
          n++
          if (t.trim() === '') continue
          try {
            expected.push(batchLine(n, await verifier(normalizeTokenText(t), new Date(NOW))))
          } catch (e) {
            expected.push(batchErrorLine(n, e instanceof TokentoolError ? e.message : `cannot verify this line: ${(e as Error).message}`))
          }
        }
        expect(batch.stdout).toBe(expected.join(''))
        expect(batch.code).toBe(expected.every((l) => l.includes('"valid":true')) ? 0 : 1)
      }),
      { numRuns: 6 },
    )
  }, 120_000)
})
