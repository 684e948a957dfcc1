import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  claimsParameter,
  decodeBase64Loose,
  decodeClaimsValue,
  epochToIso,
  explainClaims,
  mergeClientCapabilities,
  parseClaimsArg,
  type ClaimsRequest,
} from '../../src/core/cae/claims.js'
import { answerCommands, shellQuote } from '../../src/core/cae/answer.js'
import { decodeCaeChallenges } from '../../src/core/cae/decode.js'
import { InputError, UsageError } from '../../src/errors.js'

const NBF_CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0='
const NBF_JSON = { access_token: { nbf: { essential: true, value: '1604106651' } } }
const ACRS_JSON = { access_token: { acrs: { essential: true, value: 'c1' } } }
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64')
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

describe('decodeClaimsValue', () => {
  it('decodes the CAE example of the issue', () => {
    expect(decodeClaimsValue(NBF_CLAIMS)).toEqual(NBF_JSON)
  })

  it('reads base64 and base64url, with and without padding', () => {
    // a value whose base64 has "+" / "/" and needs padding
    const claims = { access_token: { xms_cc: { values: ['cp1'] }, x: '>>>???~~~' } }
    const std = b64(claims)
    const url = b64url(claims)
    expect(std).toMatch(/[+/]/)
    expect(std).toMatch(/=$/)
    for (const v of [std, std.replace(/=+$/, ''), url, url + '='.repeat((4 - (url.length % 4)) % 4)]) {
      expect(decodeClaimsValue(v)).toEqual(claims)
    }
  })

  it('reads the JSON itself, and ignores line breaks in base64', () => {
    expect(decodeClaimsValue(JSON.stringify(ACRS_JSON))).toEqual(ACRS_JSON)
    expect(decodeClaimsValue(NBF_CLAIMS.slice(0, 20) + '\n  ' + NBF_CLAIMS.slice(20))).toEqual(NBF_JSON)
  })

  it.each([
    ['eyJh!mNj', 'is not base64 or base64url: "!" at position 5'],
    ['eyJhY', 'its length (5 characters without padding) is not possible'],
    ['eyJh===', 'is not possible'],
    [b64('not json').replace(/=+$/, '') + 'x', 'is not'],
    [Buffer.from('{"a":').toString('base64'), 'is not JSON'],
    [b64([1, 2]), 'is JSON but not an object'],
    [Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), 'not UTF-8'],
    ['{"a":', 'is not JSON'],
  ])('%j is an InputError: %s', (value, message) => {
    expect(() => decodeClaimsValue(value)).toThrow(InputError)
    expect(() => decodeClaimsValue(value)).toThrow(message)
  })

  it('any string ends in an object or an InputError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.json().map((j) => Buffer.from(j).toString('base64url'))), (v) => {
        try {
          const c = decodeClaimsValue(v)
          expect(typeof c).toBe('object')
          expect(Array.isArray(c)).toBe(false)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('decodes what base64 and base64url encode (any JSON object)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), fc.boolean(), (obj, url, pad) => {
        let text = url ? b64url(obj) : b64(obj)
        text = pad ? text + '='.repeat((4 - (text.length % 4)) % 4) : text.replace(/=+$/, '')
        expect(decodeClaimsValue(text)).toEqual(JSON.parse(JSON.stringify(obj)))
      }),
    )
  })
})

describe('decodeBase64Loose', () => {
  it('mixes alphabets', () => {
    expect(Buffer.from(decodeBase64Loose('+/-_')).toString('hex')).toBe('fbffbf')
  })
})

describe('explainClaims', () => {
  it('an essential nbf: present a token issued after that time', () => {
    const [sentence] = explainClaims(NBF_JSON)
    expect(sentence).toMatch(/^access_token\.nbf \(essential\): present a token issued after 2020-10-31T01:10:51Z \(nbf 1604106651\)/)
    expect(epochToIso('1604106651')).toBe('2020-10-31T01:10:51Z')
    expect(epochToIso(1604106651)).toBe('2020-10-31T01:10:51Z')
  })

  it('acrs: step up to an authentication context', () => {
    const [sentence] = explainClaims(ACRS_JSON)
    expect(sentence).toMatch(/^access_token\.acrs \(essential\): step up to the authentication context c1: sign in again/)
    expect(explainClaims({ access_token: { acrs: { essential: true, values: ['c1', 'c2'] } } })[0]).toContain('authentication context c1, c2')
  })

  it('xms_cc: client capabilities, cp1 named as CAE', () => {
    const [sentence] = explainClaims({ access_token: { xms_cc: { values: ['cp1', 'other'] } } })
    expect(sentence).toMatch(/^access_token\.xms_cc: client capabilities cp1 \(the client can handle claims challenges: CAE\), other;/)
  })

  it('other claims, voluntary and with values; several claims give several sentences', () => {
    const s = explainClaims({ id_token: { email: null, acr: { essential: true, values: ['urn:mfa'] } }, userinfo: { nickname: { value: 'x' } } })
    expect(s).toEqual([
      'id_token.email: the ID token should carry the claim email (voluntary: the provider may leave it out).',
      'id_token.acr (essential): the ID token must carry an authentication context class (acr) of urn:mfa; sign in again at that level.',
      'userinfo.nickname: the UserInfo response should carry the claim nickname with the value x (voluntary: the provider may leave it out).',
    ])
  })

  it('says what is odd rather than failing', () => {
    expect(explainClaims({})).toEqual(['The claims request is empty: it asks for nothing.'])
    expect(explainClaims({ access_token: 5 })[0]).toBe('"access_token" should be an object of claim names, but is 5.')
    expect(explainClaims({ tokens: {} })[0]).toMatch(/^"tokens" is not a member OpenID Connect defines/)
    expect(explainClaims({ access_token: { nbf: { essential: true, value: 'soon' } } })[0]).toContain('not a time')
  })
})

describe('mergeClientCapabilities', () => {
  it('without a claims request: just the capability', () => {
    expect(mergeClientCapabilities(undefined, ['cp1'])).toEqual({ access_token: { xms_cc: { values: ['cp1'] } } })
    expect(mergeClientCapabilities(undefined)).toEqual({ access_token: { xms_cc: { values: ['cp1'] } } })
  })

  it('keeps every existing member and does not change its input', () => {
    const input: ClaimsRequest = { ...NBF_JSON, id_token: { auth_time: { essential: true } } }
    const before = structuredClone(input)
    expect(mergeClientCapabilities(input, ['cp1'])).toEqual({
      access_token: { nbf: { essential: true, value: '1604106651' }, xms_cc: { values: ['cp1'] } },
      id_token: { auth_time: { essential: true } },
    })
    expect(input).toEqual(before)
  })

  it('adds to capabilities already asked for, without duplicates, and folds a single value in', () => {
    expect(mergeClientCapabilities({ access_token: { xms_cc: { values: ['cp1', 'x'] } } }, ['cp1'])).toEqual({ access_token: { xms_cc: { values: ['cp1', 'x'] } } })
    expect(mergeClientCapabilities({ access_token: { xms_cc: { essential: true, value: 'y' } } }, ['cp1'])).toEqual({
      access_token: { xms_cc: { essential: true, values: ['y', 'cp1'] } },
    })
  })

  it('always contains cp1 and every original member (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const merged = mergeClientCapabilities(obj as ClaimsRequest, ['cp1'])
        const at = merged.access_token as { xms_cc: { values: string[] } }
        expect(at.xms_cc.values).toContain('cp1')
        for (const k of Object.keys(obj)) expect(k in merged).toBe(true)
      }),
    )
  })
})

describe('claimsParameter (for login/refresh/token --claims/--cae)', () => {
  it('sends nothing without --claims and --cae, cp1 alone with --cae, the merge with both', () => {
    expect(claimsParameter({})).toBeUndefined()
    expect(claimsParameter({ cae: true })).toBe('{"access_token":{"xms_cc":{"values":["cp1"]}}}')
    expect(claimsParameter({ claims: NBF_CLAIMS })).toBe('{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}')
    expect(claimsParameter({ claims: NBF_CLAIMS, cae: true })).toBe('{"access_token":{"nbf":{"essential":true,"value":"1604106651"},"xms_cc":{"values":["cp1"]}}}')
    expect(() => claimsParameter({ claims: 'nope', cae: true })).toThrow(UsageError)
  })
})

describe('parseClaimsArg', () => {
  it('accepts JSON, the base64 value of a challenge, and claims="..." pasted whole', () => {
    expect(parseClaimsArg(JSON.stringify(ACRS_JSON))).toEqual(ACRS_JSON)
    expect(parseClaimsArg(NBF_CLAIMS)).toEqual(NBF_JSON)
    expect(parseClaimsArg(`claims="${NBF_CLAIMS}"`)).toEqual(NBF_JSON)
    expect(parseClaimsArg(` "${NBF_CLAIMS}" `)).toEqual(NBF_JSON)
  })

  it.each(['', 'hello world', '[1]', '{"a":', 'eyJh!'])('%j is a UsageError naming --claims', (text) => {
    expect(() => parseClaimsArg(text)).toThrow(UsageError)
    expect(() => parseClaimsArg(text)).toThrow(/^--claims/)
  })
})

describe('answerCommands', () => {
  it('gives the refresh and login command lines with the claims as compact JSON', () => {
    expect(answerCommands(NBF_JSON)).toEqual({
      refresh: `tokentool refresh --claims '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}'`,
      login: `tokentool login --claims '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}'`,
    })
    expect(answerCommands(ACRS_JSON, { profile: 'work' }).login).toBe(`tokentool --profile work login --claims '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'`)
  })

  it("quotes a ' in the claims for the shell", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(shellQuote('plain')).toBe('plain')
    expect(answerCommands({ access_token: { x: { value: "a'b" } } }).refresh).toBe(`tokentool refresh --claims '{"access_token":{"x":{"value":"a'\\''b"}}}'`)
  })

  it('the quoted argument is the same JSON after sh-style unquoting (property)', () => {
    // undo POSIX single quoting: '...' segments and \' between them
    const unquote = (word: string) => word.replace(/'([^']*)'|\\(.)/g, (_m, q: string | undefined, e: string | undefined) => q ?? e ?? '')
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const cmd = answerCommands(obj as ClaimsRequest).refresh
        const word = cmd.slice('tokentool refresh --claims '.length)
        expect(JSON.parse(unquote(word))).toEqual(JSON.parse(JSON.stringify(obj)))
      }),
    )
  })
})

describe('decodeCaeChallenges', () => {
  it('gives params by lower-cased name, the claims, the explanation and the commands', () => {
    const r = decodeCaeChallenges(`WWW-Authenticate: Bearer Realm="", Error="insufficient_claims", CLAIMS="${NBF_CLAIMS}"`)
    expect(r.challenges).toHaveLength(1)
    const c = r.challenges[0]!
    expect(c.params).toEqual({ realm: '', error: 'insufficient_claims', claims: NBF_CLAIMS })
    expect(c.claims).toEqual(NBF_JSON)
    expect(c.explanation[0]).toMatch(/^error insufficient_claims: /)
    expect(c.explanation[1]).toContain('present a token issued after 2020-10-31T01:10:51Z')
    expect(c.commands?.refresh).toContain('--claims')
  })

  it('a challenge without claims has claims and commands null', () => {
    const [basic, neg] = decodeCaeChallenges('Basic realm="a", Negotiate abc==').challenges
    expect(basic).toMatchObject({ scheme: 'Basic', claims: null, commands: null, token68: null })
    expect(neg).toMatchObject({ scheme: 'Negotiate', token68: 'abc==', params: {} })
  })

  it('warns about a repeated parameter and about a parameter read as a scheme', () => {
    const [a, b] = decodeCaeChallenges('Bearer error=a, ERROR=b, error x').challenges
    expect(a!.params.error).toBe('a')
    expect(a!.warnings[0]).toContain('"error" appears more than once')
    expect(b!.warnings[0]).toContain('was "error=..." meant?')
  })

  it('a bad claims value is a warning on that challenge naming the column of the parameter, not a failure', () => {
    const [basic, bearer] = decodeCaeChallenges('Basic realm="a", Bearer realm="", claims="e!"').challenges
    expect(basic!.warnings).toEqual([])
    expect(bearer!.claims).toBeNull()
    expect(bearer!.commands).toBeNull()
    const why = 'the claims parameter of challenge 2 (Bearer) is not base64 or base64url: "!" at position 2 (the parameter is at column 35)'
    expect(bearer!.claimsError).toBe(why)
    expect(bearer!.warnings).toEqual([why])
  })
})

describe('decodeCaeChallenges: what the server says and the CAE diagnostic claims', () => {
  it('xms_rp_ipaddr is the client IP the resource saw (an IP policy), not a claim to carry (azure-sdk-for-python ARM tests)', () => {
    const [c] = decodeCaeChallenges(
      'Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="Tenant IP Policy validate failed.", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjEwNTYzMDA2In0sInhtc19ycF9pcGFkZHIiOnsidmFsdWUiOiIxLjIuMy40In19fQ"',
    ).challenges
    const text = c!.explanation.join('\n')
    expect(text).toContain('access_token.xms_rp_ipaddr: 1.2.3.4 is the client IP address the resource saw')
    expect(text).toContain('a refresh from the same network may be refused again')
    expect(text).not.toMatch(/should carry the claim xms_rp_ipaddr/)
    expect(text).toContain('The server says: Tenant IP Policy validate failed.')
    expect(text).toContain('the Azure Resource Manager form of a claims challenge')
  })

  it('xms_caeerror is a diagnostic code; error_description codes are put in words (azure-sdk-for-net Storage tests)', () => {
    const [c] = decodeCaeChallenges(
      'Bearer realm="", error_description="Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzI2MDc3NTk1In0sInhtc19jYWVlcnJvciI6eyJ2YWx1ZSI6IjEwMDEyIn19fQ=="',
    ).challenges
    const text = c!.explanation.join('\n')
    expect(text).toContain('access_token.xms_caeerror: 10012 is a CAE diagnostic code')
    expect(text).not.toMatch(/should carry the claim xms_caeerror/)
    expect(text).toMatch(/TokenIssuedBeforeRevocationTimestamp: the token was issued before the user's sessions were revoked/)
  })
})

describe('decodeCaeChallenges: a pasted response with a DPoP-Nonce', () => {
  it('shows the DPoP-Nonce a use_dpop_nonce challenge wants (RFC 9449 §9 example)', () => {
    const r = decodeCaeChallenges('HTTP/1.1 401 Unauthorized\nWWW-Authenticate: DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"\nDPoP-Nonce: eyJ7S_zG.eyJH0-Z.HX4w-7v\n')
    expect(r.dpopNonce).toBe('eyJ7S_zG.eyJH0-Z.HX4w-7v')
    expect(r.challenges[0]!.params.error).toBe('use_dpop_nonce')
    expect(decodeCaeChallenges('Bearer error="invalid_token"').dpopNonce).toBeUndefined()
  })
})
