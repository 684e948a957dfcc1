/**
 * Any token-shaped input through the commands themselves (in-process, with injected streams):
 * `decode --json`, `verify --json` and `verify --batch` end in a result or a typed error, with the
 * contract's exit code (0/1/2, never 70), exactly one JSON document (or one NDJSON line per token)
 * on stdout, and one clean `tokentool:` line on stderr when they refuse. The generator mixes
 * noise with validly signed tokens whose contents are hostile — times of 1e20, duplicate names,
 * deep nesting, non-UTF-8 bytes, odd `alg`/`kid`/`crit` — so that verify gets past the signature.
 */
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { testDeps } from '../helpers/test-io.js'

const SECRET = 'command-properties-secret-0123456789abcdef'
const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url')
const sign = (headerText: string, payload: string | Uint8Array) => {
  const input = `${b64(headerText)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}

const number = fc.oneof(fc.constantFrom('1e20', '-1e20', '9007199254740993', '1e400', '-0', '0.5', '1800000000', '"1800000000"', 'null', '[]'), fc.double().map(String).filter((s) => /^-?[\d.e+-]+$/.test(s)))
const claimText = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.record({ claim: fc.constantFrom('exp', 'nbf', 'iat', 'auth_time', 'updated_at'), v: number }).map(({ claim, v }) => `{"sub":"a","${claim}":${v}}`),
  fc.constantFrom('{"sub":"a","sub":"b"}', '{"a":{"b":1,"b":2}}', '{}', '[]', 'null', '"text"', 'not json'),
  fc.integer({ min: 0, max: 6000 }).map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`),
)
const headerText = fc.oneof(
  fc.constantFrom('{"alg":"HS256"}', '{"alg":"HS256","alg":"none"}', '{"alg":"none"}', '{"alg":"HS256","crit":["b64"]}', '{"alg":"HS256","b64":false,"crit":["b64"]}', '{"alg":"HS256","crit":[]}', '{"alg":"ES256"}', '{"alg":["HS256"]}', '{}', '{"alg":"HS256","kid":"\\u001b[2J"}', '{"alg":"HS256","jwk":{"kty":"oct","k":"AA"}}'),
  fc.json({ maxDepth: 3 }).map((j) => (j.startsWith('{') ? j : '{"alg":"HS256"}')),
  fc.integer({ min: 60, max: 200 }).map((n) => `{"alg":"HS256","x":${'['.repeat(n)}${']'.repeat(n)}}`),
)
const signed = fc.oneof(
  fc.tuple(headerText, claimText).map(([h, p]) => sign(h, p)),
  fc.tuple(headerText, fc.uint8Array({ maxLength: 40 })).map(([h, p]) => sign(h, p)),
)
const segment = fc.oneof(claimText.map(b64), fc.uint8Array({ maxLength: 48 }).map(b64), fc.string({ maxLength: 24 }))
const tokenish = fc.oneof(
  signed,
  signed,
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
  signed.map((t) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A')), // last character changed
  signed.map((t) => t.replace('.', '. ')),
  fc.string({ maxLength: 60 }),
)

async function run(args: string[], input: string) {
  const t = testDeps({}, { input })
  const code = await main(args, t.deps)
  return { code, stdout: t.stdout(), stderr: t.stderr() }
}

function cleanRefusal(r: { code: number; stderr: string }, what: string): void {
  expect(r.stderr, what).not.toMatch(/unexpected error|this is a bug|\n\s+at |RangeError|TypeError/)
  if (r.code === 2) {
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('tokentool: warning:'))
    expect(lines, `${what}: ${r.stderr}`).toHaveLength(1)
    expect(lines[0]).toMatch(/^tokentool: \S/)
  }
}

describe('any token-shaped input through decode, verify and verify --batch', () => {
  it('decode --json: exit 0 with one JSON document, or 2 with one line', async () => {
    await fc.assert(
      fc.asyncProperty(tokenish, async (token) => {
        const r = await run(['decode', '--json', '--now', '1800000000', '-'], token)
        expect([0, 2], `${token.slice(0, 80)}: ${r.stderr}`).toContain(r.code)
        cleanRefusal(r, token.slice(0, 80))
        if (r.code === 0) expect(() => JSON.parse(r.stdout)).not.toThrow()
      }),
      { numRuns: 250 },
    )
  })

  it('verify --json: exit 0 or 1 with one JSON document saying valid or not, or 2 with one line', async () => {
    await fc.assert(
      fc.asyncProperty(tokenish, async (token) => {
        const r = await run(['verify', '--secret', SECRET, '--json', '--now', '1800000000', '-'], token)
        expect([0, 1, 2], `${token.slice(0, 80)}: ${r.stderr}`).toContain(r.code)
        cleanRefusal(r, token.slice(0, 80))
        if (r.code !== 2) expect((JSON.parse(r.stdout) as { valid: boolean }).valid).toBe(r.code === 0)
      }),
      { numRuns: 250 },
    )
  })

  it('verify --batch: one result line per token, in order, and the run goes on past every bad one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tokenish.filter((t) => !/[\r\n]/.test(t) && t.trim() !== ''), { minLength: 1, maxLength: 25 }), async (tokens) => {
        const r = await run(['verify', '--secret', SECRET, '--batch', '--now', '1800000000'], tokens.join('\n') + '\n')
        expect([0, 1], r.stderr).toContain(r.code)
        expect(r.stderr).not.toMatch(/unexpected error|this is a bug|\n\s+at /)
        const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; valid: boolean })
        expect(out.map((o) => o.line)).toEqual(tokens.map((_, i) => i + 1))
        expect(r.code).toBe(out.every((o) => o.valid) ? 0 : 1)
      }),
      { numRuns: 40 },
    )
  })
})
