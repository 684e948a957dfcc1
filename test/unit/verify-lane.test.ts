/**
 * `verify --batch`'s lane (src/cli/commands/verify-lane.ts) gives either nothing (the worker
 * then asks the verifier) or exactly the verifier's line: the same bytes and the same verdict,
 * for the verifier's corpus (helpers/verify-corpus.ts), for payloads made to reach every place
 * where the lane could part from the verifier (repeated names, nesting, arrays, numbers the
 * line memory could mistake for others, iss and aud texts that could run into each other, bytes
 * that are not UTF-8, non-canonical base64url, pasted forms), over several seconds and option
 * sets. And it does answer the common token: the property is not met by never answering.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type VerifyOptions } from '../../src/core/jwt/verify.js'
import { createVerifyLane, laneLine, type Tail } from '../../src/cli/commands/verify-lane.js'
import { verifyBatchLine } from '../../src/cli/commands/verify-line.js'
import { enc, entry, NOW, NOW_S, OPTIONS, raw, setUpVerifyCorpus, signers, sources, tokenOf } from '../helpers/verify-corpus.js'
import { tamperSignature } from '../helpers/jwt-fixtures.js'

beforeAll(setUpVerifyCorpus)

// the lane remembers lines per second: the same tokens are verified at several instants
const INSTANTS = [NOW, new Date(NOW.getTime() + 400), new Date(NOW.getTime() + 1000), new Date(NOW.getTime() + 61_000)]

const LANE_OPTIONS: VerifyOptions[] = [
  ...OPTIONS,
  { clockSkew: 60, aud: ['api', 'web'], typ: 'JWT' },
  { clockSkew: 30, sub: 'user', scopes: ['read'] },
  { clockSkew: 30, claims: [{ name: 'tenant', value: 't1' }], maxAge: 3600 },
]

// values that recur (tokens sharing a line's inputs, or all but one of them), and odd ones
const timeValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(NOW_S + 600, NOW_S - 600, undefined) },
  { weight: 1, arbitrary: fc.integer({ min: NOW_S - 7200, max: NOW_S + 7200 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1.5, NOW_S + 0.5, 1e21, -1, Number.MAX_SAFE_INTEGER + 2, '1700000000', null, true) },
)
const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('https://issuer.test', 'api', 'a', 'a,+b', 'b,+c', 'c') },
  { weight: 1, arbitrary: fc.constantFrom('', '1:a', 'a|b', '+x', ',', '-', '"q"', 'é', '\u202e', '\\') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
)
/** Claims whose exp, nbf, iat, iss and aud take every kind of value; sometimes with nested members. */
const laneClaims = fc.record(
  {
    exp: timeValue,
    nbf: timeValue,
    iat: timeValue,
    iss: fc.oneof(text, fc.constant(42)),
    aud: fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(null)),
    sub: fc.constantFrom('user', 'other'),
    scope: fc.constantFrom('read', 'read write', ''),
    tenant: fc.constantFrom('t1', 't2'),
    auth_time: fc.integer({ min: NOW_S - 7200, max: NOW_S }),
    nested: fc.oneof(fc.constant({ a: { b: [1, { c: 2 }] } }), fc.array(fc.integer(), { maxLength: 2 })),
  },
  { requiredKeys: [] },
)

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const FORMS = ['as-is', 'as-is', 'as-is', 'duplicate', 'deep', 'array', 'not-utf8', 'padded', 'bits', 'bearer', 'quoted', 'crlf-space', 'header-dup', 'jwe', 'spaced', 'escaped', 'deep64', 'brackets'] as const
/** Claims sets written otherwise than JSON.stringify writes them (the lane reads them as the verifier does). */
const WRITTEN_OTHERWISE = ['spaced', 'escaped', 'deep64', 'brackets'] as const

/** A token of the lane's kind, or one twisted where the lane must step aside. */
async function laneToken(kid: string, claims: Record<string, unknown>, form: (typeof FORMS)[number]): Promise<string> {
  const sign = signers[kid]!
  const json = JSON.stringify(claims)
  switch (form) {
    case 'duplicate': {
      const inner = json.slice(1, -1)
      return sign({}, `{"dup":1,"dup":2${inner ? `,${inner}` : ''}}`)
    }
    case 'deep':
      return sign({}, `{"d":${'['.repeat(70)}${']'.repeat(70)}}`)
    case 'array':
      return sign({}, '[1,2]')
    case 'not-utf8': {
      const t = await sign({}, 'x')
      const [h, , s] = t.split('.')
      return `${h}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.${s}`
    }
    case 'padded':
      // signed as it stands (a valid signature over a padded segment): still malformed
      return raw[kid] ? raw[kid]!({}, `${enc(json)}=`) : (await sign({}, json)) + '='
    case 'bits': {
      // the payload segment's last character with unused bits set: the same bytes, signed as it
      // stands, and still not the canonical encoding
      let body = json
      // a byte length of 3n+1: the segment ends in 2 characters, the last with 4 unused bits
      while (Buffer.byteLength(body) % 3 !== 1) body += ' '
      const p = enc(body)
      const twisted = `${p.slice(0, -1)}${B64URL[B64URL.indexOf(p.at(-1)!) + 1]}`
      return raw[kid] ? raw[kid]!({}, twisted) : sign({}, json)
    }
    case 'bearer':
      return `Bearer ${await sign({}, json)}`
    case 'quoted':
      return `"${await sign({}, json)}"`
    case 'crlf-space':
      return ` ${await sign({}, json)} `
    case 'header-dup':
      return sign({ typ: 'JWT', cty: 'x' }, json)
    case 'jwe':
      return `${enc({ alg: 'dir', enc: 'A128GCM' })}..${enc('iv')}.${enc('ct')}.${enc('tag')}`
    case 'spaced':
      return sign({}, JSON.stringify(claims, null, 1))
    case 'escaped': {
      // `\/` for `/`, as PHP and some .NET serializers write it, and 1.0 for 1
      const inner = json.slice(1, -1)
      return sign({}, `{"path":"a\\/b","n":1.0${inner ? `,${inner}` : ''}}`)
    }
    case 'deep64': {
      // nested as deep as every command allows: an object and 63 arrays
      const inner = json.slice(1, -1)
      return sign({}, `{"d":${'['.repeat(63)}${']'.repeat(63)}${inner ? `,${inner}` : ''}}`)
    }
    case 'brackets': {
      // more opening brackets than MAX_JSON_DEPTH, all of them inside a string
      const inner = json.slice(1, -1)
      return sign({}, `{"s":"${'['.repeat(70)}${'{'.repeat(10)}"${inner ? `,${inner}` : ''}}`)
    }
    default:
      return sign({}, json)
  }
}

const laneEntry = fc.record({ kid: fc.constantFrom('ec', 'rsa', 'ed', 'hs', 'short', 'weak'), claims: laneClaims, form: fc.constantFrom(...FORMS) })

/** The lane's answer as verifyBatchLine words it: the line (its bytes too, when remembered) and the verdict. */
function lineLane(verifier: ReturnType<typeof createVerifier>): (lineNo: number, text: string, now: Date) => { line: string; failed: boolean } | undefined {
  const lane = createVerifyLane(verifier)
  return (lineNo, text, now) => {
    const tail: Tail | undefined = lane(text, now)
    if (tail === undefined) return undefined
    if (tail.bytes !== undefined) expect(tail.bytes.toString('utf8')).toBe(tail.text)
    return { line: laneLine(lineNo, tail), failed: tail.failed }
  }
}

/** The lane answers this token, with the verifier's line. */
async function expectAnswered(lane: ReturnType<typeof lineLane>, verifier: ReturnType<typeof createVerifier>, lineNo: number, token: string, label?: string): Promise<void> {
  const fast = lane(lineNo, token, NOW)
  expect(fast, label).toBeDefined()
  expect(fast).toStrictEqual(await verifyBatchLine(verifier, lineNo, token, NOW))
}

describe('verify --batch lane', () => {
  it('gives nothing or exactly the verifier’s line, for every token, key source, option set and second', async () => {
    const all = sources()
    let answered = 0
    let asideAfterImport = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 2, arbitrary: laneEntry }, { weight: 1, arbitrary: entry }), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(...Object.keys(all)),
        fc.constantFrom(...LANE_OPTIONS),
        async (entries, name, options) => {
          const verifier = createVerifier(all[name as keyof typeof all], options)
          const lane = lineLane(verifier)
          const tokens = await Promise.all(entries.map((e) => (typeof e === 'object' && 'form' in e ? laneToken(e.kid, e.claims, e.form) : tokenOf(e))))
          // the first pass imports the keys (the lane mostly steps aside), the next ones answer
          let lineNo = 0
          for (const now of INSTANTS) {
            for (const t of tokens) {
              lineNo++
              const fast = lane(lineNo, t, now)
              if (fast !== undefined) {
                answered++
                expect(fast).toStrictEqual(await verifyBatchLine(verifier, lineNo, t, now))
              } else {
                if (now !== NOW) asideAfterImport++
                await verifyBatchLine(verifier, lineNo, t, now)
              }
            }
          }
        },
      ),
      { numRuns: 80 },
    )
    // the corpus reaches both sides: lines the lane answers, and lines it leaves to the verifier
    expect(answered).toBeGreaterThan(100)
    expect(asideAfterImport).toBeGreaterThan(100)
  }, 180_000)

  it('answers the common token of each key type once its key is imported, over changing claims', async () => {
    const { file, secret, remote } = sources()
    for (const [source, kids] of [[file, ['ec', 'rsa', 'ed']], [remote, ['ec', 'rsa', 'ed']], [secret, ['hs']]] as const) {
      for (const options of [{ clockSkew: 60 }, { clockSkew: 60, iss: 'https://issuer.test', aud: ['api'] }]) {
        const verifier = createVerifier(source, options)
        const lane = lineLane(verifier)
        for (const kid of kids) {
          const tokens = await Promise.all(
            [NOW_S + 600, NOW_S + 600, NOW_S - 600, NOW_S + 601].map((exp, i) => signers[kid]!({}, JSON.stringify({ iss: 'https://issuer.test', aud: i === 3 ? ['api', 'x'] : 'api', exp, sub: `u${i}` }))),
          )
          await verifyBatchLine(verifier, 1, tokens[0]!, NOW)
          for (const [i, t] of tokens.entries()) await expectAnswered(lane, verifier, i + 1, t, `${kid} token ${i}`)
          // the expired one is answered too, as a failure
          expect(lane(9, tokens[2]!, NOW)!.failed).toBe(true)
        }
      }
    }
  })

  it('tells apart lines whose remembered inputs could be taken for one another', async () => {
    const options: VerifyOptions[] = [{ clockSkew: 60 }, { clockSkew: 60, iss: 'a', aud: ['c'] }, { clockSkew: 60, sub: 'u1' }, { clockSkew: 60, scopes: ['read'] }]
    for (const o of options) {
      const verifier = createVerifier(sources().file, o)
      const lane = lineLane(verifier)
      const exp = NOW_S + 600
      const variants: Record<string, unknown>[] = [
        { iss: 'a,+b', aud: 'c', exp },
        { iss: 'a', aud: 'b,+c', exp },
        { iss: 'a', exp, aud: 'c' },
        { iss: 'a', exp },
        { exp, aud: 'c' },
        { iss: 'a', aud: 'c', exp, sub: 'u1', scope: 'read' },
        { iss: 'a', aud: 'c', exp, sub: 'u2' },
        { iss: 'a', aud: 'c', exp: exp + 1 },
        { iss: 'a', aud: 'c', exp, nbf: NOW_S - 60 },
        { iss: 'a', aud: 'c', exp, iat: NOW_S - 60 },
        { iss: 'a', aud: ['c'], exp },
        { iss: 'a', aud: ['c', 'd'], exp },
        { iss: 'a', aud: ['c,d'], exp },
        { iss: 'a', aud: ['1:c'], exp },
        { iss: 'a', aud: ['cd'], exp },
        { iss: 'a', aud: ['c', 1], exp },
        { iss: 'a', aud: [], exp },
        { iss: 'a', aud: 'c', exp: 0 },
        { iss: 'a', aud: 'c', exp: -0 },
      ]
      const tokens = await Promise.all(variants.map((c) => signers.ec!({}, JSON.stringify(c))))
      await verifyBatchLine(verifier, 1, tokens[0]!, NOW)
      // each after each other one, so that the last token's and the remembered lines are both asked
      for (const a of tokens) {
        for (const b of tokens) {
          for (const t of [a, b]) await expectAnswered(lane, verifier, 7, t)
        }
      }
    }
  })

  it('forgets lines beyond its bound and still answers each token as the verifier does', async () => {
    const verifier = createVerifier(sources().file, { clockSkew: 60 })
    const lane = lineLane(verifier)
    // more distinct lines in one second than the lane keeps, then the first ones again
    const tokens = await Promise.all(Array.from({ length: 150 }, (_, i) => signers.ec!({}, JSON.stringify({ iss: 'https://issuer.test', exp: NOW_S + 60 + i }))))
    await verifyBatchLine(verifier, 1, tokens[0]!, NOW)
    for (const t of [...tokens, ...tokens.slice(0, 10)]) await expectAnswered(lane, verifier, 3, t)
  })

  it('answers claims sets written otherwise than JSON.stringify writes them, as the verifier reads them', async () => {
    for (const options of [{ clockSkew: 60 }, { clockSkew: 60, iss: 'https://issuer.test', aud: ['api'] }]) {
      const verifier = createVerifier(sources().file, options)
      const lane = lineLane(verifier)
      await verifyBatchLine(verifier, 1, await signers.ec!({}, JSON.stringify({ exp: NOW_S + 60 })), NOW)
      for (const form of WRITTEN_OTHERWISE) {
        for (const claims of [{ iss: 'https://issuer.test', aud: 'api', exp: NOW_S + 60 }, { iss: 'https://issuer.test', exp: NOW_S - 600, sub: 'x' }, {}]) {
          await expectAnswered(lane, verifier, 2, await laneToken('ec', claims, form), `${form} ${JSON.stringify(claims)}`)
        }
      }
    }
  })

  it('steps aside for a bad signature, a payload that is not a claims set and a token the verifier must word', async () => {
    const verifier = createVerifier(sources().file, { clockSkew: 60 })
    const lane = lineLane(verifier)
    const ok = await signers.ec!({}, JSON.stringify({ sub: 'x', exp: NOW_S + 60 }))
    await verifyBatchLine(verifier, 1, ok, NOW)
    expect(lane(1, ok, NOW)).toBeDefined()
    const tampered = tamperSignature(ok)
    for (const form of ['duplicate', 'deep', 'array', 'not-utf8', 'padded', 'bits', 'jwe'] as const) {
      expect(lane(2, await laneToken('ec', { sub: 'x' }, form), NOW), form).toBeUndefined()
    }
    expect(lane(3, tampered, NOW)).toBeUndefined()
    expect(lane(4, 'a.b', NOW)).toBeUndefined()
    expect(lane(5, `${ok}.x`, NOW)).toBeUndefined()
  })
})
