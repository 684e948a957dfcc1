import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors.js'
import {
  decodeBase64url,
  decodeJsonSegment,
  decodeUtf8,
  decodeJwt,
  parseJsonObject,
  segmentLabel,
  splitCompact,
} from '../../src/core/jwt/split.js'

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const jws = (h: unknown, p: unknown, sig = 'c2lnbmF0dXJl') => `${b64(h)}.${b64(p)}.${sig}`

function errorOf(fn: () => unknown): InputError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    return e as InputError
  }
  throw new Error('expected an InputError')
}

describe('splitCompact', () => {
  it('tells JWS (3) from JWE (5)', () => {
    expect(splitCompact('a.b.c')).toEqual({ format: 'jws', segments: ['a', 'b', 'c'] })
    expect(splitCompact('a..c.d.e').format).toBe('jwe')
  })
  it.each([
    ['abc', 1],
    ['a.b', 2],
    ['a.b.c.d', 4],
    ['a.b.c.d.e.f', 6],
  ])('%s has the wrong segment count', (text, n) => {
    expect(errorOf(() => splitCompact(text)).message).toBe(`expected 3 segments (JWS) or 5 (JWE), got ${n}`)
  })
})

describe('decodeBase64url', () => {
  it('decodes unpadded base64url', () => {
    expect(decodeBase64url('aGk_', 'x').toString('latin1')).toBe('hi?')
    expect(decodeBase64url('', 'x').length).toBe(0)
  })
  it('names padding, standard base64 and other characters with their position', () => {
    expect(errorOf(() => decodeBase64url('aGk=', 'segment 3 (signature)')).message).toBe(
      "segment 3 (signature) is not valid base64url: padding '=' at position 4 (JWTs use unpadded base64url)",
    )
    expect(errorOf(() => decodeBase64url('ab+c', 'seg')).message).toBe(
      "seg is not valid base64url: character '+' at position 3 (standard base64, not base64url)",
    )
    expect(errorOf(() => decodeBase64url('ab c', 'seg')).message).toBe('seg is not valid base64url: whitespace at position 3')
    expect(errorOf(() => decodeBase64url('ab\u0001', 'seg')).message).toBe(
      'seg is not valid base64url: control character U+0001 at position 3',
    )
    expect(errorOf(() => decodeBase64url('ab!', 'seg')).message).toContain("character '!' at position 3")
    expect(errorOf(() => decodeBase64url('ab\u202e', 'seg')).message).toBe('seg is not valid base64url: non-ASCII character U+202E at position 3')
  })
  it('hints at quotes and SD-JWT disclosures', () => {
    expect(errorOf(() => decodeJwt('"eyJhbGciOiJub25lIn0.e30.')).message).toBe(
      `segment 1 (header) is not valid base64url: character '"' at position 1 (remove the quotes around the token)`,
    )
    expect(errorOf(() => decodeJwt('eyJhbGciOiJub25lIn0.e30.c2ln~WyJhIiwiYiJd~')).message).toBe(
      "segment 3 (signature) is not valid base64url: character '~' at position 5 (an SD-JWT? decode the part before the first '~')",
    )
  })
  it('points at a line break in a wrapped paste', () => {
    expect(errorOf(() => decodeBase64url('abc\ndef', 'segment 2 (payload)')).message).toBe(
      'segment 2 (payload) is not valid base64url: a line break at position 4 (was the token wrapped when pasted?)',
    )
  })
  it('rejects an impossible length', () => {
    expect(errorOf(() => decodeBase64url('abcde', 'seg')).message).toBe('seg is not valid base64url: length 5 is impossible (truncated?)')
  })
})

describe('parseJsonObject / decodeJsonSegment', () => {
  it('says where the syntax error is, without echoing the text', () => {
    const e = errorOf(() => parseJsonObject('{"a":}', 'segment 2 (payload)'))
    expect(e.message).toMatch(/^segment 2 \(payload\) is not JSON( \(syntax error at character \d+\))?$/)
  })
  it('rejects JSON nested deeper than any token needs (it would overflow recursive walkers)', () => {
    const deep = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'
    expect(errorOf(() => parseJsonObject(deep, 'segment 2 (payload)')).message).toBe('segment 2 (payload) is nested more than 64 levels deep')
    const ok = '{"a":' + '['.repeat(62) + ']'.repeat(62) + '}'
    expect(parseJsonObject(ok, 'p')).toHaveProperty('a')
  })
  it('rejects JSON that is not an object', () => {
    expect(errorOf(() => parseJsonObject('[1]', 'p')).message).toBe('p is JSON but not an object (it is an array)')
    expect(errorOf(() => parseJsonObject('null', 'p')).message).toBe('p is JSON but not an object (it is null)')
    expect(errorOf(() => parseJsonObject('3', 'p')).message).toBe('p is JSON but not an object (it is a number)')
  })
  it('rejects an empty segment and bytes that are not UTF-8', () => {
    expect(errorOf(() => decodeJsonSegment('', 'segment 1 (header)')).message).toBe('segment 1 (header) is empty')
    const bad = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')
    expect(errorOf(() => decodeJsonSegment(bad, 'segment 1 (header)')).message).toBe('segment 1 (header) is not valid UTF-8')
  })
})

describe('decodeJwt', () => {
  it('decodes a JWS: header, payload, signature bytes, signing input', () => {
    const t = jws({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', n: 1 })
    const d = decodeJwt(t)
    expect(d.format).toBe('jws')
    if (d.format !== 'jws') throw new Error()
    expect(d.header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(d.payload).toEqual({ sub: 'alice', n: 1 })
    expect(Buffer.from(d.signature).toString()).toBe('signature')
    expect(d.signingInput).toBe(t.split('.').slice(0, 2).join('.'))
    expect(d.payloadEncoding).toBe('base64url')
  })
  it('names the segment that is wrong', () => {
    expect(errorOf(() => decodeJwt(`${b64('{x')}.${b64({})}.`)).message).toMatch(/^segment 1 \(header\) is not JSON/)
    expect(errorOf(() => decodeJwt(`${b64({ alg: 'none' })}.${b64('nope')}.`)).message).toMatch(/^segment 2 \(payload\) is not JSON/)
    expect(errorOf(() => decodeJwt(`${b64({ alg: 'none' })}.ab*cd.`)).message).toBe(
      "segment 2 (payload) is not valid base64url: character '*' at position 3",
    )
    expect(errorOf(() => decodeJwt(`${b64({ alg: 'none' })}.${b64({})}.a=`)).message).toMatch(/^segment 3 \(signature\) is not valid base64url/)
  })
  it('reads an unencoded payload (RFC 7797 b64:false) and a detached one', () => {
    const u = decodeJwt(`${b64({ alg: 'HS256', b64: false, crit: ['b64'] })}.{"a":1}.c2ln`)
    expect(u.format === 'jws' && u.payloadEncoding).toBe('unencoded')
    expect(u.format === 'jws' && u.payload).toEqual({ a: 1 })
    const d = decodeJwt(`${b64({ alg: 'HS256' })}..c2ln`)
    expect(d.format === 'jws' && d.payloadEncoding).toBe('detached')
  })
  it('decodes a JWE protected header and sizes the other parts', () => {
    const d = decodeJwt(`${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.AAAA.AAAAAAAAAAAAAAAA.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA`)
    expect(d.format).toBe('jwe')
    if (d.format !== 'jwe') throw new Error()
    expect(d.header.enc).toBe('A256GCM')
    expect(d.encryptedKey.length).toBe(3)
    expect(d.iv.length).toBe(12)
    expect(d.tag.length).toBe(16)
    expect(errorOf(() => decodeJwt(`${b64({ alg: 'dir', enc: 'A256GCM' })}..AAAA.AA!A.AAAA`)).message).toMatch(
      /^segment 4 \(ciphertext\) is not valid base64url/,
    )
  })
  it('labels segments by format', () => {
    expect(segmentLabel(4, 'jwe')).toBe('segment 5 (authentication tag)')
    expect(segmentLabel(2, 'jws')).toBe('segment 3 (signature)')
  })
})

describe('decodeJwt never throws anything but InputError (property)', () => {
  const only = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      if (!(e instanceof InputError)) throw e
    }
  }
  it('on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => only(() => decodeJwt(s))), { numRuns: 2000 })
  })
  it('on random segment combinations', () => {
    const seg = fc.oneof(
      fc.constant(''),
      fc.base64String().map((s) => s.replace(/=+$/, '')),
      fc.string(),
      fc.jsonValue().map((v) => b64(JSON.stringify(v) ?? 'null')),
      fc.uint8Array().map((u) => Buffer.from(u).toString('base64url')),
    )
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 6 }), (segs) => only(() => decodeJwt(segs.join('.')))),
      { numRuns: 2000 },
    )
  })
  it('on random JSON payloads, which decode to what was encoded', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const d = decodeJwt(jws({ alg: 'ES256' }, obj))
        expect(d.format === 'jws' && d.payload).toEqual(JSON.parse(JSON.stringify(obj)))
      }),
      { numRuns: 500 },
    )
  })
})

describe('decodeUtf8', () => {
  // the reference: a fatal WHATWG decoder that keeps a BOM, what decodeUtf8 was before
  const reference = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const settle = (f: () => string): string | 'refused' => {
    try {
      return f()
    } catch {
      return 'refused'
    }
  }
  it('accepts and refuses exactly what a fatal TextDecoder does, with the same text (BOM kept)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((t) => new TextEncoder().encode(t)),
      // valid text with a byte changed, cut in the middle of a character, or a BOM in front
      fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([t, i, b]) => {
        const u = new TextEncoder().encode(t)
        u[i % u.length] = b
        return u
      }),
      fc.string({ unit: 'grapheme', maxLength: 8 }).map((t) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(t)])),
      fc.constantFrom(new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xc0, 0xaf]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]), new Uint8Array([0xe2, 0x82])),
    )
    fc.assert(
      fc.property(bytes, fc.nat({ max: 3 }), (u, offset) => {
        // a view into a larger buffer, as Buffer.from(base64url) gives from its pool
        const big = new Uint8Array(u.length + offset + 2)
        big.set(u, offset)
        const view = big.subarray(offset, offset + u.length)
        const got = settle(() => decodeUtf8(view, 'segment 2 (payload)'))
        expect(got).toBe(settle(() => reference.decode(u)))
      }),
      { numRuns: 2000 },
    )
    expect(() => decodeUtf8(new Uint8Array([0xff]), 'segment 2 (payload)')).toThrow('segment 2 (payload) is not valid UTF-8')
  })
})

