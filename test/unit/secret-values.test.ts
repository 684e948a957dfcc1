/**
 * Redaction by value: a secret the run registered is replaced in every encoding it can take
 * (raw, percent-encoded both ways, form-encoded, JSON-escaped, base64, inside a Basic
 * credential), wherever it appears: free text, traces, error lines quoting a server.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  clearKnownSecrets,
  encodings,
  knownSecretCount,
  formEncode,
  redactKnown,
  registerBasicCredential,
  registerClientCredentials,
  registerSecret,
} from '../../src/core/secret-values.js'
import { redact, redactHeaders, redactText } from '../../src/http/redact.js'
import { quoteServerText } from '../../src/core/server-text.js'
import { AuthServerError } from '../../src/errors.js'

afterEach(() => clearKnownSecrets())

const SECRET = 'p@ss word+/=&"ü-0123456789'

describe('registerSecret / redactKnown', () => {
  it('works the forms out when text is first redacted, the first registration of a form winning as if made at once', () => {
    // the Basic credential's base64 is registered by the client credentials first, then again as a secret of its own
    const basic = Buffer.from('client-1:secret-value-1').toString('base64')
    registerClientCredentials('client-1', 'secret-value-1')
    registerSecret(basic)
    expect(redactKnown(`Authorization: Basic ${basic}`)).toBe(`Authorization: Basic <client credentials>…(${'client-1:secret-value-1'.length} chars)`)
    clearKnownSecrets()
    registerSecret('another-secret-2')
    // counting works them out too
    expect(knownSecretCount()).toBe(encodings('another-secret-2').length)
    expect(redactKnown('x another-secret-2 y')).toBe('x anoth…(16 chars) y')
  })

  it('replaces the raw value and every encoding, keeping 6 characters and the length', () => {
    registerSecret(SECRET)
    const shown = `p@ss w…(${[...SECRET].length} chars)`
    for (const form of [SECRET, encodeURIComponent(SECRET), encodeURIComponent(SECRET).replace(/%20/g, '+'), formEncode(SECRET), JSON.stringify(SECRET).slice(1, -1), Buffer.from(SECRET).toString('base64')]) {
      const out = redactKnown(`the server said: invalid client_secret ${form} (try again)`)
      expect(out, form).not.toContain(form)
      expect(out).toContain(shown)
    }
  })

  it('knows a client_secret_basic credential as a whole, raw and form-encoded', () => {
    registerClientCredentials('my client', SECRET)
    for (const pair of [`my client:${SECRET}`, `${formEncode('my client')}:${formEncode(SECRET)}`]) {
      const b64 = Buffer.from(pair).toString('base64')
      expect(redactKnown(`echo: Authorization: Basic ${b64}`)).not.toContain(b64)
    }
  })

  it('learns the secret inside a Basic credential seen on the wire', () => {
    const b64 = Buffer.from(`cli:${formEncode(SECRET)}`).toString('base64')
    registerBasicCredential(b64)
    expect(redactKnown(`got ${b64}`)).not.toContain(b64)
    expect(redactKnown(`client_secret is ${SECRET}`)).not.toContain(SECRET)
  })

  it('keeps a JWT inspectable: header and payload stay, the signature goes', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ'
    registerSecret(jwt)
    expect(redactKnown(`token ${jwt} refused`)).toBe('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.<redacted> refused')
  })

  it('leaves short values and unrelated text alone', () => {
    registerSecret('abc')
    expect(redactKnown('abc abc')).toBe('abc abc')
    registerSecret('0123456789abcdef')
    expect(redactKnown('nothing secret here')).toBe('nothing secret here')
  })

  it('is applied by redact, redactText and the header redaction', () => {
    const rt = 'RT-aaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    registerSecret(rt)
    expect(redactText(`{"error_description":"refresh ${rt} is revoked"}`)).not.toContain(rt)
    expect(redact(JSON.stringify({ error: 'invalid_grant', error_description: `bad ${encodeURIComponent(rt)}` }))).not.toContain(rt)
    expect(redactHeaders({ 'x-echo': `token=${rt}` }).flat().join(' ')).not.toContain(rt)
  })

  it('property: a registered secret never survives in any of its encodings, wherever it is placed', () => {
    // the surrounding text is drawn from characters that no encoding of the secret uses
    const secretChar = fc.constantFrom(...'abcXYZ019 %+/=&?"\\ü€-_.~:'.split(''))
    const around = fc.string({ unit: fc.constantFrom('#', '\n', '<', '>'), maxLength: 20 })
    fc.assert(
      fc.property(fc.string({ unit: secretChar, minLength: 8, maxLength: 60 }).filter((s) => s.trim() === s), around, around, fc.nat(), (secret, before, after, which) => {
        clearKnownSecrets()
        registerSecret(secret)
        const all = encodings(secret)
        const form = all[which % all.length]!
        expect(redactKnown(`${before}${form}${after}`)).not.toContain(form)
      }),
    )
  })
})

describe('server text', () => {
  it('is cut to 300 characters, after the known secrets are replaced', () => {
    const rt = 'RT-' + 'z'.repeat(60)
    registerSecret(rt)
    const text = `${'x'.repeat(280)} ${rt} ${'y'.repeat(3_000_000)}`
    const out = quoteServerText(text)
    expect(out).not.toContain('zzzzzzzzzz')
    expect(out.length).toBeLessThan(360)
    expect(out).toMatch(/… \(\d+ more characters\)$/)
  })

  it('AuthServerError quotes error and error_description that way', () => {
    const e = new AuthServerError('invalid_grant', 'd'.repeat(3 * 1024 * 1024))
    expect(e.message.length).toBeLessThan(400)
    expect(e.errorDescription!.startsWith('d'.repeat(300))).toBe(true)
  })
})
