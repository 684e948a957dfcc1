/**
 * Claims sets for the verify property tests (pool against single token, sync against async):
 * two issuers, audiences as a string or a list, exp and nbf on either side of `nowS`.
 */
import fc from 'fast-check'

export function claimsAround(nowS: number, requiredKeys: ('iss' | 'aud' | 'exp' | 'nbf' | 'sub')[] = []) {
  return fc.record(
    {
      iss: fc.constantFrom('https://issuer.test', 'https://other.test'),
      aud: fc.constantFrom<string | string[]>('api', 'web', ['api', 'x']),
      exp: fc.integer({ min: nowS - 7200, max: nowS + 7200 }),
      nbf: fc.integer({ min: nowS - 100, max: nowS + 100 }),
      sub: fc.string({ maxLength: 8 }),
    },
    { requiredKeys },
  )
}
