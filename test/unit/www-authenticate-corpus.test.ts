/**
 * The challenge parser against WWW-Authenticate values from the libraries' own test suites
 * (test/fixtures/www-authenticate/corpus.json names the repository and path of each).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeCaeChallenges } from '../../src/core/cae/decode.js'
import { InputError } from '../../src/errors.js'
import { parseWwwAuthenticateTolerant, WwwAuthenticateSyntaxError } from '../../src/core/cae/www-authenticate.js'

interface Case {
  source: { repo: string; path: string }
  header: string
  error?: true
  challenges?: { scheme: string; params: Record<string, string>; token68?: string }[]
  warnings?: boolean
  claims?: Record<string, unknown> | 'warning'
  note?: string
}

const corpus = JSON.parse(readFileSync(new URL('../fixtures/www-authenticate/corpus.json', import.meta.url), 'utf8')) as { cases: Case[] }

describe('WWW-Authenticate corpus from MSAL, the Azure SDKs, Microsoft Graph and oauth4webapi', () => {
  it('holds values from every library the issue names', () => {
    const repos = new Set(corpus.cases.map((c) => c.source.repo))
    for (const r of [
      'AzureAD/microsoft-authentication-library-for-dotnet',
      'AzureAD/microsoft-authentication-library-for-js',
      'AzureAD/microsoft-authentication-library-for-python',
      'Azure/azure-sdk-for-js',
      'Azure/azure-sdk-for-net',
      'Azure/azure-sdk-for-go',
      'Azure/azure-sdk-for-python',
      'panva/oauth4webapi',
    ]) expect(repos).toContain(r)
    expect(corpus.cases.length).toBeGreaterThan(60)
  })

  it.each(corpus.cases.map((c) => [`${c.source.repo}: ${c.header}`, c] as const))('%s', (_name, c) => {
    if (c.error) {
      expect(() => decodeCaeChallenges(c.header)).toThrow(InputError)
      return
    }
    const { challenges } = decodeCaeChallenges(c.header)
    expect(
      challenges.map((ch) => ({ scheme: ch.scheme, params: ch.params, ...(ch.token68 !== null ? { token68: ch.token68 } : {}) })),
    ).toEqual(c.challenges)
    // syntax warnings (claims warnings are counted apart)
    const syntaxWarnings = parseWwwAuthenticateTolerant(c.header).warnings
    expect(syntaxWarnings.length > 0, syntaxWarnings.map((w) => w.reason).join('; ')).toBe(c.warnings)
    if (c.claims === 'warning') {
      const broken = challenges.find((ch) => ch.params.claims !== undefined)!
      expect(broken.claims).toBeNull()
      expect(broken.claimsError).toMatch(/the claims parameter of challenge \d/)
      expect(broken.warnings).toContain(broken.claimsError)
    } else if (c.claims) {
      expect(challenges.find((ch) => ch.claims !== null)!.claims).toEqual(c.claims)
    }
  })
})

describe('tolerant parser beyond the corpus', () => {
  it('reads the Azure Arc Windows form (an unquoted path with backslashes and a colon)', () => {
    const r = parseWwwAuthenticateTolerant('Basic realm=C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\x.key')
    expect(r.challenges[0]!.params).toMatchObject([{ name: 'realm', value: 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\x.key' }])
    expect(r.warnings.map((w) => w.reason)).toEqual(['the value of parameter "realm" holds ":", which needs quotes; read up to the next comma or space'])
  })

  it('a missing comma between challenges starts the next challenge', () => {
    const r = parseWwwAuthenticateTolerant('Basic realm="a" Bearer error="invalid_token"')
    expect(r.challenges.map((c) => c.scheme)).toEqual(['Basic', 'Bearer'])
    expect(r.warnings).toHaveLength(1)
  })

  it('warnings say which challenge they belong to', () => {
    const r = parseWwwAuthenticateTolerant('Basic realm="a", Bearer realm="b" error="c"')
    expect(r.warnings.map((w) => w.challenge)).toEqual([1])
  })

  it('any string ends in challenges plus warnings or a typed error, never another exception (property)', () => {
    const alphabet = fc.constantFrom(...'Bearer realm="x",\\ =\t;:/Negotiate abc error claims'.split(''))
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet }), fc.string({ unit: 'binary' })), (text) => {
        try {
          const r = parseWwwAuthenticateTolerant(text)
          expect(r.challenges.length).toBeGreaterThan(0)
          for (const w of r.warnings) {
            expect(w.index).toBeGreaterThanOrEqual(0)
            expect(w.index).toBeLessThanOrEqual(text.length)
            expect(w.challenge).toBeLessThan(r.challenges.length)
          }
        } catch (e) {
          expect(e).toBeInstanceOf(WwwAuthenticateSyntaxError)
        }
        // and the layer above never throws anything but an InputError either
        try {
          decodeCaeChallenges(text)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('a conformant value reads the same tolerantly, without warnings (property)', () => {
    const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 8 })
    const param = fc.tuple(token, fc.string({ maxLength: 10 }))
    fc.assert(
      fc.property(fc.array(fc.tuple(token, fc.array(param, { maxLength: 4 })), { minLength: 1, maxLength: 3 }), (cs) => {
        const text = cs.map(([s, ps]) => (ps.length ? `${s} ${ps.map(([n, v]) => `${n}="${v.replace(/["\\]/g, (ch) => '\\' + ch)}"`).join(', ')}` : s)).join(', ')
        const r = parseWwwAuthenticateTolerant(text)
        expect(r.warnings).toEqual([])
        expect(r.challenges.map((c) => [c.scheme, c.params.map((p) => [p.name, p.value])])).toEqual(cs)
      }),
      { numRuns: 500 },
    )
  })
})
