/**
 * The verifier's synchronous answer (`atHand`, the `verify --batch` workers' common case) is
 * either nothing (the caller then awaits the verifier) or exactly what the verifier resolves
 * to: the same checks, details, warnings and verdict, for fast-check corpora of valid, expired,
 * tampered, unknown-kid, alg-none, key-confusion, crit, b64: false, duplicate-member and
 * malformed tokens, against a JWKS file, an HMAC secret and a remote set's resolver. And it does
 * answer for a valid token once its key is imported: the property is not met by never answering.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createVerifier } from '../../src/core/jwt/verify.js'
import { entry, enc, NOW, OPTIONS, raw, settle, setUpVerifyCorpus, signers, sources, NOW_S, tokenOf } from '../helpers/verify-corpus.js'
import { tamperSignature } from '../helpers/jwt-fixtures.js'

beforeAll(setUpVerifyCorpus)

describe('verifier.atHand', () => {
  it('is nothing or exactly what the verifier resolves to, for every token, key source and option set', async () => {
    const all = sources()
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 30 }), fc.constantFrom(...Object.keys(all)), fc.constantFrom(...OPTIONS), async (entries, name, options) => {
        const verifier = createVerifier(all[name as keyof typeof all], options)
        const tokens = await Promise.all(entries.map((e) => tokenOf(e)))
        // twice: the first pass imports the keys (atHand mostly says nothing yet), the second answers
        for (let pass = 0; pass < 2; pass++) {
          for (const t of tokens) {
            const sync = await settle(() => verifier.atHand(t, NOW))
            const async = await settle(() => verifier(t, NOW))
            if (sync.error !== undefined) expect(sync.error).toBe(async.error)
            else if (sync.value !== undefined) expect(sync.value).toStrictEqual(async.value)
          }
        }
      }),
      { numRuns: 60 },
    )
  }, 120_000)

  it('answers a valid token of each key type once its key is imported, with the verifier’s verdict', async () => {
    const { file, secret, remote } = sources()
    const claimsJson = JSON.stringify({ iss: 'https://issuer.test', aud: 'api', exp: NOW_S + 600 })
    for (const [source, kids] of [[file, ['ec', 'rsa', 'ed']], [remote, ['ec', 'rsa', 'ed']], [secret, ['hs']]] as const) {
      const verifier = createVerifier(source, { clockSkew: 60 })
      for (const kid of kids) {
        const token = await signers[kid]!({}, claimsJson)
        // a JWK is imported on first use (then it answers); a secret's bytes are at hand from the start
        if (source !== secret) expect(verifier.atHand(token, NOW)).toBeUndefined()
        const expected = await verifier(token, NOW)
        expect(expected.valid).toBe(true)
        expect(verifier.atHand(token, NOW)).toStrictEqual(expected)
      }
    }
  })

  it('leaves to the verifier what it cannot confirm itself: a weak RSA key, crit, b64: false, a bad signature', async () => {
    const verifier = createVerifier(sources().file, { clockSkew: 60 })
    // no dot in it: the b64: false token carries it as is
    const json = JSON.stringify({ sub: 'x' })
    const ok = await signers.ec!({}, json)
    await verifier(ok, NOW)
    const weak = await signers.weak!({}, json)
    await verifier(weak, NOW)
    for (const t of [weak, raw.ec!({ crit: ['exp'], exp: 1 }, enc(json)), raw.ec!({ b64: false, crit: ['b64'] }, json), raw.ec!({ crit: ['b64'] }, enc(json)), tamperSignature(ok)]) {
      expect(verifier.atHand(t, NOW)).toBeUndefined()
      expect((await verifier(t, NOW)).checks.length).toBeGreaterThan(3)
    }
  })
})

