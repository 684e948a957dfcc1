/**
 * `verify --batch` on its worker pool gives, line for line, what the single-token verifier
 * gives for the same token (the same checks, details and verdict), over corpora that fast-check
 * draws: valid, expired, wrong audience or issuer, unknown kid, changed signature, `alg: none`,
 * key confusion, a key under 2048 bits (jose's refusal), garbage lines.
 */
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { CompactSign, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimsAround } from '../helpers/claims-arbitrary.js'
import { tamperSignature } from '../helpers/jwt-fixtures.js'
import { createVerifier } from '../../src/core/jwt/verify.js'
import { normalizeTokenText } from '../../src/core/token-text.js'
import { resolveKeySource } from '../../src/cli/keys.js'
import { batchErrorLine, batchLine } from '../../src/render/verify.js'
import { TokentoolError } from '../../src/errors.js'
import { BIN, runCli } from '../helpers/run-cli.js'

const NOW = '2026-06-01T00:00:00Z'
const NOW_S = Date.parse(NOW) / 1000
const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const dir = mkdtempSync(join(tmpdir(), 'tokentool-pool-'))
const jwksFile = join(dir, 'jwks.json')
type Signer = (header: Record<string, unknown>, payload: Uint8Array) => Promise<string>
const signers: Record<string, Signer> = {}
const SECRET = 'a-shared-secret-of-32-bytes-long'
let server: Server
let base = ''
let jwksHits = 0

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
  signers.hs = (h, p) => new CompactSign(p).setProtectedHeader({ alg: 'HS256', ...h }).sign(new TextEncoder().encode(SECRET))
  // the same set over HTTP: a remote key source, fetched by the main thread for every worker
  server = createServer((req, res) => {
    jwksHits++
    res.setHeader('content-type', 'application/json')
    res.end(readFileSync(jwksFile))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const claims = claimsAround(NOW_S, ['iss'])
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
      return tamperSignature(t)
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

/** What the single-token verifier says of each line of `input`, as `verify --batch` numbers them. */
async function expectedLines(input: string, flags: { jwks?: string; secret?: string }): Promise<string[]> {
  const keys = await resolveKeySource(flags, { cwd: process.cwd(), env: {}, now: () => new Date(NOW), fetch: async () => globalThis.fetch }, [])
  const verifier = createVerifier(keys.source, { clockSkew: 60, iss: 'https://issuer.test', aud: ['api'] })
  const expected: string[] = []
  const lines = input.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  let n = 0
  for (const raw of lines) {
    n++
    const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (t.trim() === '') continue
    try {
      expected.push(batchLine(n, await verifier(normalizeTokenText(t), new Date(NOW))))
    } catch (e) {
      expected.push(batchErrorLine(n, e instanceof TokentoolError ? e.message : `cannot verify this line: ${(e as Error).message}`))
    }
  }
  return expected
}

const CHECKS = ['--iss', 'https://issuer.test', '--aud', 'api', '--now', NOW]

describe('verify --batch on the worker pool', () => {
  it('agrees with the single-token verifier on every line of the corpus (--jwks FILE and --jwks URL)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.boolean(), async (lines, remote) => {
        const tokens = await Promise.all(lines.map((l) => tokenOf(l)))
        const input = tokens.join('\n') + '\n'
        const jwks = remote ? `${base}/jwks` : jwksFile
        const batch = await runCli(['verify', '--batch', '--jwks', jwks, ...CHECKS], { input })
        const expected = await expectedLines(input, { jwks })
        expect(batch.stdout).toBe(expected.join(''))
        expect(batch.code).toBe(expected.every((l) => l.includes('"valid":true')) ? 0 : 1)
      }),
      { numRuns: 8 },
    )
  }, 120_000)

  it('a remote set is fetched once for the whole pool; an unknown kid refetches it once, with its cooldown', async () => {
    const before = jwksHits
    const good = await signers.ec!({}, new TextEncoder().encode(JSON.stringify({ iss: 'https://issuer.test', aud: 'api', exp: NOW_S + 60 })))
    const unknown = `${enc({ alg: 'ES256', kid: 'nope' })}.${enc({ iss: 'https://issuer.test' })}.${enc('sig')}`
    const input = Array.from({ length: 3000 }, (_, i) => (i % 1000 === 999 ? unknown : good)).join('\n') + '\n'
    const batch = await runCli(['verify', '--batch', '--jwks', `${base}/jwks`, ...CHECKS], { input })
    // one fetch at start, one refetch for the unknown kid (the later ones are in its cooldown)
    expect(jwksHits - before).toBe(2)
    expect(batch.stdout).toBe((await expectedLines(input, { jwks: `${base}/jwks` })).join(''))
  }, 60_000)

  it('--secret runs on the pool with the same lines', async () => {
    const payload = (exp: number) => new TextEncoder().encode(JSON.stringify({ iss: 'https://issuer.test', aud: 'api', exp }))
    const tokens = [await signers.hs!({}, payload(NOW_S + 60)), await signers.hs!({}, payload(NOW_S - 7200)), 'garbage', await signers.ec!({}, payload(NOW_S + 60))]
    const input = tokens.join('\n') + '\n'
    const batch = await runCli(['verify', '--batch', '--secret', SECRET, ...CHECKS], { input })
    expect(batch.stdout).toBe((await expectedLines(input, { secret: SECRET })).join(''))
    expect(batch.code).toBe(1)
  })

  it('many batches: CRLF, blank lines, text that is not UTF-8 and lines cut across reads keep their numbers and order', async () => {
    const valid = await signers.ed!({}, new TextEncoder().encode(JSON.stringify({ iss: 'https://issuer.test', aud: 'api', exp: NOW_S + 60 })))
    const parts = [valid, `${valid}\r`, '', '  ', 'Bearer ' + valid, '\u00e9t\u00e9.\u{1F600}.x', valid.slice(0, 40), '\r']
    const lines = Array.from({ length: 5000 }, (_, i) => parts[(i * 7) % parts.length]!)
    const text = lines.join('\n') + '\n' + valid // the last line without its newline
    // bytes that are not UTF-8 on a line (they read as U+FFFD on both paths), and a character cut
    // short right before a newline (one U+FFFD: the newline is never part of it)
    const input = Buffer.concat([Buffer.from(text.slice(0, 1000)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(1000, 9000)), Buffer.from([0xe2, 0x82, 0x0a, 0xf0, 0x9f]), Buffer.from(text.slice(9000))])
    const batch = await runCli(['verify', '--batch', '--jwks', jwksFile, ...CHECKS], { input })
    const expected = await expectedLines(input.toString('utf8'), { jwks: jwksFile })
    expect(batch.stdout.split('\n').length).toBeGreaterThan(3000)
    expect(batch.stdout).toBe(expected.join(''))
  }, 60_000)

  it("V8 accepts the build's code cache for the worker's bundle, in a worker thread", () => {
    const bundle = new URL('../../dist/bundle/verify-worker-bundle.cjs', import.meta.url).pathname
    const inWorker = `const { loadCached } = require(${JSON.stringify(BIN)}); require('node:worker_threads').parentPort.postMessage(loadCached(${JSON.stringify(bundle)}).script.cachedDataRejected)`
    const main = `const w = new (require('node:worker_threads').Worker)(${JSON.stringify(inWorker)}, { eval: true }); w.once('message', (m) => { console.log(m); w.terminate() })`
    const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('false\n')
  })
})
