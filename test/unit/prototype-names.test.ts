/**
 * Names a token, a JWKS, a challenge or a server's answer may carry that are also members of
 * every plain object ("constructor", "toString", "__proto__"). A lookup table that is an object
 * literal finds Object.prototype's member under such a name: a typ of "constructor" made decode
 * crash (exit 70), an event type of "toString" was explained as `function toString() { [native
 * code] }`, and a JWK crv or kty of "constructor" crashed verify and the DPoP thumbprint. The
 * tables are Maps now; each lookup below gets every such name and must find nothing.
 */
import { describe, expect, it } from 'vitest'
import { explainClaims } from '../../src/core/cae/claims.js'
import { decodeCaeChallenges } from '../../src/core/cae/decode.js'
import { explainErrorCode } from '../../src/core/cae/error-codes.js'
import { jwkThumbprint } from '../../src/core/dpop/key.js'
import { allowedAlgorithms } from '../../src/core/jwt/alg-policy.js'
import { claimMeaning, headerMeaning } from '../../src/core/jwt/claims-glossary.js'
import { detectKind } from '../../src/core/jwt/kind.js'
import { describeEvents } from '../../src/core/jwt/security-events.js'
import { parseClientAuth } from '../../src/cli/token-request.js'
import { canonicalTokenType } from '../../src/oauth/tokens.js'
import { InputError, UsageError } from '../../src/errors.js'

/** Every own name of Object.prototype: constructor, __proto__, toString, hasOwnProperty, ... */
const NAMES = Object.getOwnPropertyNames(Object.prototype)

describe('names of Object.prototype members find nothing in a lookup table', () => {
  it('the list holds the names that matter', () => {
    expect(NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']))
  })

  for (const name of NAMES) {
    it(`${name}: a typ header or claim is not a known kind`, () => {
      for (const info of [detectKind({ alg: 'none', typ: name }, {}), detectKind({ alg: 'none' }, { typ: name })]) {
        expect(info.kind).toBe('jwt')
        expect(typeof info.label).toBe('string')
      }
    })

    it(`${name}: no glossary entry for a claim or header parameter`, () => {
      expect(claimMeaning(name)).toBeUndefined()
      expect(headerMeaning(name)).toBeUndefined()
    })

    it(`${name}: a security event type tokentool does not know`, () => {
      const [event] = describeEvents({ events: JSON.parse(`{${JSON.stringify(name)}: {}}`) })
      expect(event?.type).toBe(name)
      expect(event?.meaning).toBeNull()
    })

    it(`${name}: a JWK crv allows no algorithm; a kty has no thumbprint`, () => {
      expect(allowedAlgorithms({ type: 'public', kty: 'EC', crv: name })).toEqual([])
      expect(allowedAlgorithms({ type: 'public', kty: 'OKP', crv: name })).toEqual([])
      expect(() => jwkThumbprint({ kty: name })).toThrow(InputError)
    })

    it(`${name}: an error code, a CAE code or a claims target tokentool does not know`, () => {
      expect(explainErrorCode(name)).toBeUndefined()
      const [c] = decodeCaeChallenges(`Bearer error="${name}", error_description="code: ${name}"`).challenges
      expect(c?.explanation.join('\n')).toContain(`error ${name}: not an error code tokentool knows.`)
      expect(c?.explanation.join('\n')).not.toMatch(/function|native code/)
      expect(explainClaims({ [name]: { nbf: { essential: true } } }).join('\n')).toMatch(/is not a member OpenID Connect defines/)
    })

    it(`${name}: a token_type is shown as sent; a --client-auth is refused`, () => {
      expect(canonicalTokenType(name)).toBe(name)
      expect(() => parseClientAuth(name)).toThrow(UsageError)
    })
  }
})
