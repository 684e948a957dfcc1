/**
 * Hostile input, generated: every parser that reads what a user pastes or a server sends ends
 * in a result or a typed error (exit 1/2/3), never in a crash (exit 70) or a hang.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TokentoolError } from '../../src/errors.js'
import { decodeToken } from '../../src/core/jwt/decode.js'
import { MAX_TOKEN_BYTES } from '../../src/core/jwt/size.js'
import { decodeCaeChallenges } from '../../src/core/cae/decode.js'
import { parseWwwAuthenticate } from '../../src/core/cae/www-authenticate.js'
import { parseDuration } from '../../src/core/duration.js'
import { parseWindows } from '../../src/core/simulate/windows.js'
import { retryAfterMs } from '../../src/http/fetch.js'
import { redact } from '../../src/http/redact.js'

const NOW = new Date('2026-01-01T00:00:00Z')
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64url')

/** Result or typed error; anything else (TypeError, RangeError, stack overflow) fails the property. */
function endsWell(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof TokentoolError)) throw e
    expect(e.message.length).toBeGreaterThan(0)
    expect(e.message).not.toContain('\n')
  }
}

/** JSON-ish text, valid or not, deep or not. */
const jsonish = fc.oneof(
  fc.json({ maxDepth: 6 }),
  fc.string(),
  fc.integer({ min: 0, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 0, max: 3000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))), // truncated
)
const segment = fc.oneof(jsonish.map(b64), fc.uint8Array({ maxLength: 64 }).map(b64), fc.string({ maxLength: 40 }))
/** Token-shaped input: 1 to 6 segments of anything, and plain strings. */
const tokenish = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
  fc.tuple(jsonish, jsonish).map(([h, p]) => `${b64(h)}.${b64(p)}.c2ln`),
  fc.tuple(fc.json(), fc.json()).map(([h, p]) => `eyJ${b64(h)}.${b64(p)}.`),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
)

describe('any input ends in a result or a typed error', () => {
  it('the token decoder (decode, nested tokens, times)', () => {
    fc.assert(fc.property(tokenish, (t) => endsWell(() => decodeToken(t, { now: NOW }))), { numRuns: 600 })
  })

  it('the token decoder refuses oversized input with a typed error, before decoding it', () => {
    const big = `${b64('{"alg":"HS256"}')}.${b64(JSON.stringify({ pad: 'x'.repeat(MAX_TOKEN_BYTES) }))}.c2ln`
    expect(() => decodeToken(big, { now: NOW })).toThrow(/over the 256 KiB limit/)
  })

  it('the WWW-Authenticate parser and the cae decoder', () => {
    const piece = fc.oneof(
      fc.constantFrom('Bearer', 'DPoP', 'Basic', ' ', ',', '=', '"', '\\', 'realm', 'error="insufficient_claims"', 'claims=', 'WWW-Authenticate:', '\n', '\u201c', '\u201d'),
      fc.string({ maxLength: 12 }),
      fc.json().map((j) => `"${b64(j)}"`),
    )
    const header = fc.oneof(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), fc.string({ unit: 'grapheme' }))
    fc.assert(
      fc.property(header, (h) => {
        endsWell(() => parseWwwAuthenticate(h))
        endsWell(() => decodeCaeChallenges(h))
      }),
      { numRuns: 800 },
    )
  })

  it('the duration and window parsers', () => {
    const dur = fc.oneof(fc.string(), fc.stringMatching(/^[0-9hmsdwo.\- ]{0,16}$/), fc.bigInt().map(String))
    fc.assert(
      fc.property(dur, (d) => {
        endsWell(() => {
          const s = parseDuration(d, '--x')
          expect(Number.isFinite(s) || s === Infinity).toBe(true)
        })
        endsWell(() => parseWindows(d))
        endsWell(() => parseWindows(`${d}-${d},${d}`))
      }),
      { numRuns: 800 },
    )
  })

  it('Retry-After: a delay, or undefined, never negative', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), fc.nat().map(String)), (v) => {
        const ms = retryAfterMs(v, NOW.getTime())
        expect(ms === undefined || ms >= 0).toBe(true)
      }),
    )
  })

  it('redaction never throws and never lets a secret value through whole', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9_-]{20,40}$/)
    const name = fc.constantFrom('client_secret', 'refresh_token', 'code', 'code_verifier', 'access_token', 'assertion', 'subject_token', 'password')
    const wrap = fc.constantFrom('form', 'json', 'url', 'text')
    fc.assert(
      fc.property(name, secret, wrap, fc.string({ maxLength: 20 }), (n, s, w, noise) => {
        const text =
          w === 'form' ? `a=1&${n}=${s}&b=${encodeURIComponent(noise)}`
          : w === 'json' ? JSON.stringify({ x: noise, [n]: s })
          : w === 'url' ? `https://as.example/cb?${n}=${s}&state=${encodeURIComponent(noise)}`
          : `${noise} ${n}=${s} ${noise}`
        const out = redact(text)
        expect(out).not.toContain(s)
      }),
      { numRuns: 500 },
    )
  })
})
