import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors.js'
import { bindingOf, decodeToken, isOpaque } from '../../src/core/jwt/decode.js'
import { detectKind, normalizeTyp, BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/jwt/kind.js'
import { findNested, looksLikeCompactJwt } from '../../src/core/jwt/nested.js'
import { measureSize, sizeWarning } from '../../src/core/jwt/size.js'
import { describeTime, describeTimes } from '../../src/core/jwt/times.js'
import { claimMeaning, headerMeaning } from '../../src/core/jwt/claims-glossary.js'
import { decryptJwe } from '../../src/core/jwt/decrypt.js'
import { NOW, NOW_S, b64, encrypt, hs256, rawJws, sign } from '../helpers/jwt-fixtures.js'

const codes = (t: { warnings: { code: string }[] }) => t.warnings.map((w) => w.code)

describe('times', () => {
  it('exp in the past is expired, with the relative time', () => {
    const t = describeTime('exp', NOW_S - 3 * 3600, NOW)
    expect(t).toMatchObject({ state: 'expired', relative: 'expired 3h ago', iso: '2025-12-31T21:00:00Z', inSeconds: -10800 })
  })
  it('exp in the future is valid; exactly now is expired (RFC 7519: on or after)', () => {
    expect(describeTime('exp', NOW_S + 42 * 60, NOW)).toMatchObject({ state: 'valid', relative: 'expires in 42m' })
    expect(describeTime('exp', NOW_S, NOW)).toMatchObject({ state: 'expired', relative: 'expired just now' })
  })
  it('nbf in the future is not yet valid', () => {
    expect(describeTime('nbf', NOW_S + 300, NOW)).toMatchObject({ state: 'not_yet_valid', relative: 'not valid until in 5m' })
    expect(describeTime('nbf', NOW_S - 300, NOW)).toMatchObject({ state: 'valid', relative: 'valid since 5m ago' })
  })
  it('iat, auth_time and updated_at: past or future', () => {
    expect(describeTime('iat', NOW_S - 90, NOW)).toMatchObject({ state: 'past', relative: 'issued 1m30s ago' })
    expect(describeTime('iat', NOW_S + 600, NOW)).toMatchObject({ state: 'future', relative: 'issued in the future: in 10m' })
    expect(describeTime('auth_time', NOW_S - 86400 * 2, NOW).relative).toBe('authenticated 2d ago')
    expect(describeTime('updated_at', NOW_S - 3600, NOW).relative).toBe('updated 1h ago')
  })
  it('values that are not seconds are invalid, milliseconds are named', () => {
    expect(describeTime('exp', '1767225600', NOW)).toMatchObject({ state: 'invalid', relative: 'not a number of seconds ("1767225600")' })
    expect(describeTime('exp', NOW_S * 1000, NOW)).toMatchObject({ state: 'invalid', relative: 'out of range (milliseconds instead of seconds?)' })
  })
  it('describeTimes sums up the token state and lifetime', () => {
    expect(describeTimes({ iat: NOW_S - 3600, exp: NOW_S + 3600 }, NOW)).toMatchObject({ state: 'valid', lifetimeSeconds: 7200, now: '2026-01-01T00:00:00Z' })
    expect(describeTimes({ exp: NOW_S - 1 }, NOW).state).toBe('expired')
    expect(describeTimes({ nbf: NOW_S + 10, exp: NOW_S + 100 }, NOW).state).toBe('not_yet_valid')
    expect(describeTimes({ sub: 'x' }, NOW)).toMatchObject({ state: 'no_expiry', claims: {} })
    expect(Object.keys(describeTimes({ exp: 1, nbf: 1, iat: 1, auth_time: 1, updated_at: 1, foo: 1 }, NOW).claims)).toEqual(['exp', 'nbf', 'iat', 'auth_time', 'updated_at'])
  })
})

describe('size', () => {
  it('measures the token and the Authorization header line against 4 KiB and 8 KiB', () => {
    const s = measureSize('x'.repeat(100))
    expect(s).toEqual({ bytes: 100, headerBytes: 122, budgets: [{ name: '4 KiB', limit: 4096, fits: true }, { name: '8 KiB', limit: 8192, fits: true }] })
    expect(sizeWarning(s)).toBeUndefined()
  })
  it('warns about the largest budget broken, counting the header prefix', () => {
    expect(measureSize('x'.repeat(4074)).budgets[0]!.fits).toBe(true) // 4074 + 22 = 4096
    const over4 = measureSize('x'.repeat(4075))
    expect(over4.budgets.map((b) => b.fits)).toEqual([false, true])
    expect(sizeWarning(over4)).toMatch(/^the Authorization header is 4097 bytes, over 4 KiB: /)
    expect(sizeWarning(measureSize('x'.repeat(9000)))).toMatch(/over 8 KiB: nginx/)
  })
})

describe('kind', () => {
  const k = (h: object, p: object) => detectKind(h as never, p as never)
  it('trusts typ first, ignoring case and application/', () => {
    expect(normalizeTyp('application/AT+JWT')).toBe('at+jwt')
    expect(k({ typ: 'application/at+jwt' }, { nonce: 'n' })).toMatchObject({ kind: 'access_token', basis: 'declared', reason: 'typ header is application/at+jwt' })
    expect(k({ typ: 'dpop+jwt' }, {}).kind).toBe('dpop_proof')
    expect(k({ typ: 'logout+jwt' }, {}).kind).toBe('logout_token')
    expect(k({ typ: 'token-introspection+jwt' }, {}).kind).toBe('introspection_response')
    expect(k({ typ: 'secevent+jwt' }, {}).kind).toBe('security_event')
    expect(k({ typ: 'oauth-authz-req+jwt' }, {}).kind).toBe('request_object')
  })
  it('reads Keycloak typ and Cognito token_use claims', () => {
    expect(k({ typ: 'JWT' }, { typ: 'Refresh' })).toMatchObject({ kind: 'refresh_token', label: 'refresh token' })
    expect(k({}, { typ: 'Offline' }).label).toBe('refresh token (offline)')
    expect(k({}, { typ: 'Bearer', nonce: 'x' }).kind).toBe('access_token')
    expect(k({}, { typ: 'ID' }).kind).toBe('id_token')
    expect(k({}, { token_use: 'id' }).kind).toBe('id_token')
    expect(k({}, { token_use: 'access' }).kind).toBe('access_token')
  })
  it('finds logout tokens and other security events by their events claim', () => {
    expect(k({ typ: 'JWT' }, { events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, sid: 's' }).kind).toBe('logout_token')
    expect(k({}, { events: { 'https://schemas.openid.net/secevent/risc/event-type/account-disabled': {} } }).kind).toBe('security_event')
  })
  it('names Entra Graph tokens, DPoP proofs, ID tokens, access tokens, client assertions', () => {
    expect(k({ nonce: 'abc', alg: 'RS256' }, { scp: 'User.Read', nonce: 'x' }).kind).toBe('access_token')
    expect(k({ typ: 'JWT' }, { htm: 'POST', htu: 'https://x', jti: '1' }).kind).toBe('dpop_proof')
    expect(k({ typ: 'JWT' }, { iss: 'i', sub: 's', aud: 'a', nonce: 'n' })).toMatchObject({ kind: 'id_token', reason: 'has nonce (only ID tokens carry it)' })
    expect(k({}, { at_hash: 'x', c_hash: 'y' }).reason).toBe('has at_hash, c_hash (only ID tokens carry these)')
    expect(k({}, { iss: 'i', sub: 's', aud: 'a', scp: 'read' }).kind).toBe('access_token')
    expect(k({}, { iss: 'i', sub: 's', aud: 'a', auth_time: 1 }).kind).toBe('id_token')
    expect(k({}, { iss: 'c', sub: 'c', aud: 'https://as/token', jti: 'j' }).kind).toBe('client_assertion')
    expect(k({ typ: 'JWT' }, { iss: 'i', sub: 's' })).toMatchObject({ kind: 'jwt', reason: 'typ header is JWT; no claim tells the kind' })
    expect(k({}, {})).toMatchObject({ kind: 'jwt', reason: 'no typ header and no claim tells the kind' })
  })
})

describe('nested', () => {
  it('finds JWTs anywhere in the payload, recursively, with paths', async () => {
    const deep = await sign({ sub: 'deep' })
    const inner = await sign({ sub: 'inner', tokens: [deep] }, { typ: 'at+jwt' })
    const { nested, truncated } = findNested({ act: { token: inner }, 'odd key': [inner], n: 3 }, NOW)
    expect(truncated).toBe(false)
    expect(nested.map((n) => [n.path, n.depth, n.kind])).toEqual([
      ['act.token', 1, 'access_token'],
      ['act.token > tokens[0]', 2, 'jwt'],
      ['["odd key"][0]', 1, 'access_token'],
      ['["odd key"][0] > tokens[0]', 2, 'jwt'],
    ])
    expect(nested[0]!.payload).toMatchObject({ sub: 'inner' })
    expect(nested[0]!.times?.state).toBe('no_expiry')
  })
  it('stops at the depth bound and says so', () => {
    let t = rawJws({ alg: 'none' }, { sub: 'bottom' }, '')
    for (let i = 0; i < 6; i++) t = rawJws({ alg: 'none' }, { level: i, t }, '')
    const r = findNested({ t })
    expect(r.nested.length).toBe(3)
    expect(r.truncated).toBe(true)
  })
  it('stops at the count bound', () => {
    const t = rawJws({ alg: 'none' }, { a: 1 }, '')
    const r = findNested({ many: Array.from({ length: 30 }, () => t) })
    expect(r.nested.length).toBe(20)
    expect(r.truncated).toBe(true)
  })
  it('leaves JWT-shaped strings that are not JWTs alone, and shows JWEs as encrypted', () => {
    expect(findNested({ x: 'eyJub3QganNvbg.eyJ9.abc' }).nested).toEqual([])
    const jwe = `${b64({ alg: 'dir', enc: 'A128GCM' })}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`
    expect(findNested({ x: jwe }).nested).toEqual([{ path: 'x', depth: 1, kind: 'jwe', format: 'jwe', header: { alg: 'dir', enc: 'A128GCM' }, payload: null }])
    expect(looksLikeCompactJwt('eyJhbGciOiJub25lIn0.e30.')).toBe(true)
    expect(looksLikeCompactJwt('hello.world.x')).toBe(false)
  })
})

describe('cnf binding', () => {
  it('names DPoP, mTLS and RFC 7800 keys', () => {
    expect(bindingOf({ cnf: { jkt: 'abc' } })?.method).toBe('dpop')
    expect(bindingOf({ cnf: { 'x5t#S256': 'abc' } })?.method).toBe('mtls')
    expect(bindingOf({ cnf: { jwk: { kty: 'EC' } } })?.method).toBe('jwk')
    expect(bindingOf({ cnf: { kid: 'k' } })?.method).toBe('kid')
    expect(bindingOf({ cnf: { other: 1 } })).toEqual({ method: 'unknown', detail: 'cnf with other' })
    expect(bindingOf({ cnf: 'x' })).toBeUndefined()
    expect(bindingOf({})).toBeUndefined()
  })
})

describe('glossary', () => {
  it('explains registered, OIDC and vendor claims and header parameters', () => {
    for (const c of ['iss', 'exp', 'scp', 'roles', 'groups', 'xms_cc', 'acr', 'amr', 'cnf', 'act', 'azp', 'sid', 'tid', 'oid']) expect(claimMeaning(c)).toBeTruthy()
    expect(claimMeaning('toString')).toBeUndefined()
    expect(claimMeaning('no_such_claim')).toBeUndefined()
    expect(headerMeaning('kid')).toBeTruthy()
    expect(headerMeaning('constructor')).toBeUndefined()
  })
})

describe('decodeToken', () => {
  it('assembles kind, header, payload, signature, size, times for a signed access token', async () => {
    const t = await sign({ iss: 'https://as', sub: 'u', exp: NOW_S - 3600, iat: NOW_S - 7200, scope: 'read' }, { typ: 'at+jwt', kid: 'k1' })
    const d = decodeToken(t, { now: NOW })
    expect(d).toMatchObject({ kind: 'access_token', format: 'jws', verified: false, header: { alg: 'RS256', typ: 'at+jwt', kid: 'k1' }, signature: { bytes: 256, alg: 'RS256' } })
    expect(d.size.bytes).toBe(t.length)
    expect(d.times?.state).toBe('expired')
    expect(d.times?.claims.exp?.relative).toBe('expired 1h ago')
    expect(codes(d)).toEqual(['expired'])
  })
  it('warns about alg none, crit, b64:false, detached payloads and keys in the header', () => {
    expect(codes(decodeToken(rawJws({ alg: 'none' }, { a: 1 }, ''), { now: NOW }))).toContain('alg_none')
    expect(codes(decodeToken(rawJws({ alg: 'RS256' }, { a: 1 }, ''), { now: NOW }))).toContain('empty_signature')
    expect(codes(decodeToken(rawJws({ typ: 'JWT' }, { a: 1 }), { now: NOW }))).toContain('no_alg')
    const crit = decodeToken(rawJws({ alg: 'ES256', crit: ['exp_hint'], exp_hint: 1 }, {}), { now: NOW })
    expect(crit.warnings.find((w) => w.code === 'crit')?.message).toBe('crit header: a verifier must understand exp_hint or reject the token')
    const unenc = decodeToken(`${b64({ alg: 'HS256', b64: false, crit: ['b64'] })}.{"x":1}.c2ln`, { now: NOW })
    expect(codes(unenc)).toEqual(expect.arrayContaining(['unencoded_payload', 'crit']))
    expect(unenc.payload).toEqual({ x: 1 })
    expect(codes(decodeToken(`${b64({ alg: 'HS256' })}..c2ln`, { now: NOW }))).toContain('detached_payload')
    expect(codes(decodeToken(rawJws({ alg: 'RS256', jku: 'https://evil' }, {}), { now: NOW }))).toContain('header_jku')
    // a DPoP proof carries its key in the header by design
    expect(codes(decodeToken(rawJws({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC' } }, { htm: 'GET' }), { now: NOW }))).not.toContain('header_jwk')
  })
  it('warns about claim_type_limit_reached and Entra groups overage', () => {
    const d = decodeToken(rawJws({ alg: 'RS256' }, { claim_type_limit_reached: ['groups', 'roles'] }), { now: NOW })
    expect(d.warnings[0]).toEqual({ code: 'claim_type_limit_reached', message: 'claim_type_limit_reached: groups, roles cut short to keep the token small; read the full values from userinfo' })
    expect(codes(decodeToken(rawJws({ alg: 'RS256' }, { claim_type_limit_reached: 'groups' }), { now: NOW }))).toContain('claim_type_limit_reached')
    expect(codes(decodeToken(rawJws({ alg: 'RS256' }, { _claim_names: { groups: 'src1' } }), { now: NOW }))).toContain('groups_overage')
    expect(codes(decodeToken(rawJws({ alg: 'RS256' }, { hasgroups: true }), { now: NOW }))).toContain('groups_overage')
  })
  it('explains Entra Graph tokens and Keycloak refresh tokens', async () => {
    const graph = decodeToken(rawJws({ typ: 'JWT', nonce: 'xyz', alg: 'RS256', kid: 'k' }, { aud: '00000003-0000-0000-c000-000000000000', scp: 'User.Read' }), { now: NOW })
    expect(graph.kind).toBe('access_token')
    expect(graph.warnings.find((w) => w.code === 'entra_graph_token')?.message).toMatch(/only Graph can verify it/)
    const kc = decodeToken(await hs256({ typ: 'Refresh', iss: 'https://kc/realms/r', exp: NOW_S + 1800 }, { typ: 'JWT' }), { now: NOW })
    expect(kc.kind).toBe('refresh_token')
    expect(kc.warnings.find((w) => w.code === 'hmac_refresh_token')?.message).toMatch(/^refresh token signed with HS256 by a server secret/)
  })
  it('reports binding, nested tokens and the size warning', async () => {
    const inner = await sign({ sub: 'inner' })
    const big = decodeToken(rawJws({ alg: 'RS256' }, { cnf: { jkt: 'tp' }, act: { token: inner }, pad: 'x'.repeat(7000) }), { now: NOW })
    expect(big.binding?.method).toBe('dpop')
    expect(big.nested.map((n) => n.path)).toEqual(['act.token'])
    expect(codes(big)).toContain('size_8k')
  })
  it('names an opaque token with a hint to introspect', () => {
    for (const t of ['2YotnFZFEjr1zCsicMWpAA', 'ya29.a0AfH6SMBx-example', 'ory_at_abc.def', 'gho_16C7e42F292c6912E7710c838347Ae178B4a']) {
      const d = decodeToken(t, { now: NOW })
      expect(d).toMatchObject({ kind: 'opaque', format: 'opaque', header: null, payload: null, signature: null, times: null, nested: [] })
      expect(d.notes.join('\n')).toContain('tokentool introspect')
    }
  })
  it('calls a JWT with segments missing malformed, not opaque', () => {
    const jwt = rawJws({ alg: 'RS256' }, { a: 1 })
    expect(() => decodeToken(jwt.split('.').slice(0, 2).join('.'), { now: NOW })).toThrow('expected 3 segments (JWS) or 5 (JWE), got 2')
    expect(() => decodeToken(jwt.split('.')[0]!, { now: NOW })).toThrow('expected 3 segments (JWS) or 5 (JWE), got 1')
    expect(isOpaque('e3siYSI6MX0')).toBe(false) // base64url of '{ "a":1}' without the eyJ prefix
  })
  it('refuses text that is no token at all', () => {
    expect(() => decodeToken('not a token', { now: NOW })).toThrow('not a token: whitespace at position 4')
    expect(() => decodeToken('tökén', { now: NOW })).toThrow('not a token: a non-ASCII character at position 2')
  })
  it('shows a JWE protected header and, given the plaintext, its content', async () => {
    const inner = await sign({ sub: 'alice', nonce: 'n', exp: NOW_S + 60 })
    const { jwe } = await encrypt(inner, { cty: 'JWT', kid: 'enc-1' })
    const closed = decodeToken(jwe, { now: NOW })
    expect(closed).toMatchObject({ kind: 'jwe', format: 'jwe', header: { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'enc-1' }, payload: null, signature: null })
    expect(closed.jwe).toMatchObject({ decrypted: false, ivBytes: 12, tagBytes: 16, encryptedKeyBytes: 256 })
    expect(closed.notes[0]).toContain('--key')
    const open = decodeToken(jwe, { now: NOW, plaintext: inner })
    expect(open).toMatchObject({ kind: 'id_token', format: 'jwe', header: { alg: 'RS256' }, payload: { sub: 'alice' }, signature: { bytes: 256 }, jwe: { decrypted: true } })
    expect(open.kindInfo.label).toBe('ID token (encrypted, decrypted with --key)')
    const json = decodeToken(jwe, { now: NOW, plaintext: '{"sub":"bob","scope":"x"}' })
    expect(json).toMatchObject({ kind: 'access_token', payload: { sub: 'bob' }, signature: null })
    expect(() => decodeToken(jwe, { now: NOW, plaintext: 'hello' })).toThrow('the decrypted JWE content is neither a JWT nor a JSON object')
    expect(() => decodeToken(jwe, { now: NOW, plaintext: '[1]' })).toThrow('the decrypted JWE content is neither a JWT nor a JSON object')
    expect(() => decodeToken(jwe, { now: NOW, plaintext: '{"a":' })).toThrow('the decrypted JWE content is not JSON')
  })
})

describe('a JWT signed again as a whole (cty: JWT)', () => {
  it('shows the inner token, with the outer header as envelope', async () => {
    const inner = await sign({ sub: 'alice', scope: 'read', exp: NOW_S + 60 }, { typ: 'at+jwt' })
    const { privateKey } = await (await import('jose')).generateKeyPair('ES256')
    const outer = await new (await import('jose')).CompactSign(new TextEncoder().encode(inner)).setProtectedHeader({ alg: 'ES256', cty: 'JWT' }).sign(privateKey)
    const d = decodeToken(outer, { now: NOW })
    expect(d).toMatchObject({ kind: 'access_token', header: { typ: 'at+jwt' }, payload: { sub: 'alice' }, envelope: { header: { alg: 'ES256', cty: 'JWT' }, signature: { bytes: 64, alg: 'ES256' } } })
    expect(d.size.bytes).toBe(outer.length)
    expect(d.kindInfo.label).toBe('access token (RFC 9068, at+jwt) (wrapped in a signed JWT)')
  })
  it('without cty: JWT, a JWT payload is still "not JSON"', async () => {
    const inner = await sign({ sub: 'a' })
    expect(() => decodeToken(rawJws({ alg: 'none' }, inner, ''), { now: NOW })).toThrow('segment 2 (payload) is not JSON')
  })
})

describe('decryptJwe', () => {
  it('decrypts with a PEM private key, a JWK and a JWKS', async () => {
    const { jwe, pem, jwk } = await encrypt('{"sub":"x"}')
    const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM' }
    expect(await decryptJwe(jwe, pem, header)).toBe('{"sub":"x"}')
    expect(await decryptJwe(jwe, JSON.stringify(jwk), header)).toBe('{"sub":"x"}')
    expect(await decryptJwe(jwe, JSON.stringify({ keys: [jwk] }), header)).toBe('{"sub":"x"}')
  })
  it('decrypts dir and AES key wrap with a symmetric JWK, and ECDH-ES with a PEM', async () => {
    const { CompactEncrypt, generateSecret, exportJWK, generateKeyPair, exportPKCS8 } = await import('jose')
    for (const [alg, enc] of [['dir', 'A256GCM'], ['A128KW', 'A128CBC-HS256']] as const) {
      const secret = await generateSecret(alg === 'dir' ? 'A256GCM' : alg, { extractable: true })
      const jwe = await new CompactEncrypt(new TextEncoder().encode('{"s":1}')).setProtectedHeader({ alg, enc }).encrypt(secret)
      expect(await decryptJwe(jwe, JSON.stringify(await exportJWK(secret)), { alg, enc })).toBe('{"s":1}')
    }
    const ec = await generateKeyPair('ECDH-ES+A256KW', { extractable: true })
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"e":1}')).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' }).encrypt(ec.publicKey)
    expect(await decryptJwe(jwe, await exportPKCS8(ec.privateKey), { alg: 'ECDH-ES+A256KW' })).toBe('{"e":1}')
  })
  it('picks the JWKS key by kid', async () => {
    const a = await encrypt('{"a":1}', { kid: 'a' })
    const b = await encrypt('{}')
    const jwks = JSON.stringify({ keys: [{ ...b.jwk, kid: 'b' }, { ...a.jwk, kid: 'a' }] })
    expect(await decryptJwe(a.jwe, jwks, { alg: 'RSA-OAEP-256', kid: 'a' })).toBe('{"a":1}')
  })
  it('says what is wrong with the key', async () => {
    const { jwe, publicJwk } = await encrypt('{}')
    const other = await encrypt('{}')
    const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM' }
    await expect(decryptJwe(jwe, other.pem, header, '--key k.pem')).rejects.toThrow('cannot decrypt the JWE with --key k.pem: the key does not match (or the token was altered)')
    await expect(decryptJwe(jwe, JSON.stringify(publicJwk), header)).rejects.toThrow('no private or symmetric key in it')
    await expect(decryptJwe(jwe, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', header)).rejects.toThrow('this is a public key or certificate')
    await expect(decryptJwe(jwe, 'hello', header)).rejects.toThrow('expected a PEM private key or a JWK/JWKS')
    await expect(decryptJwe(jwe, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', header)).rejects.toThrow('cannot read the PEM private key')
  })
})

describe('decodeToken ends in a result or an InputError (property)', () => {
  const only = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      if (!(e instanceof InputError)) throw e
    }
  }
  it('for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => only(() => decodeToken(s, { now: NOW }))), { numRuns: 2000 })
  })
  it('for random JSON headers and payloads, encoded', () => {
    const obj = fc.dictionary(fc.constantFrom('alg', 'typ', 'crit', 'b64', 'exp', 'nbf', 'iat', 'cnf', 'events', 'nonce', 'act', 'x', 'claim_type_limit_reached', '_claim_names'), fc.jsonValue())
    fc.assert(
      fc.property(obj, obj, fc.string(), (h, p, sig) => only(() => decodeToken(`${b64(h)}.${b64(p)}.${sig}`, { now: NOW }))),
      { numRuns: 1000 },
    )
  })
  it('for payloads full of embedded tokens', () => {
    const leaf = rawJws({ alg: 'none' }, { exp: 'soon', nested: 'eyJ.eyJ.x' }, '')
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 5 }), (v, depth) => {
        let t = leaf
        for (let i = 0; i < depth; i++) t = rawJws({ alg: 'none' }, { v, t, list: [t, v] }, '')
        only(() => decodeToken(t, { now: NOW }))
      }),
      { numRuns: 200 },
    )
  })
})
