import { describe, expect, it } from 'vitest'
import { computeChecks, tokenScopes, type CheckOptions, type ChecksInput } from '../../src/core/jwt/verify-checks.js'

const NOW = new Date('2026-01-01T00:00:00Z')
const T = NOW.getTime() / 1000
const signed = { alg: { ok: true, detail: 'ES256' }, key: { ok: true, detail: 'k' }, signature: { ok: true, detail: 'valid' } }

function run(payload: unknown, options: Partial<CheckOptions> = {}, header: Record<string, unknown> = { alg: 'ES256' }) {
  const input: ChecksInput = { header, payload, outcome: signed, options: { clockSkew: 60, ...options }, now: NOW }
  return computeChecks(input)
}
const row = (checks: ReturnType<typeof run>, name: string) => {
  const c = checks.find((x) => x.name === name)
  if (!c) throw new Error(`no ${name} row in ${JSON.stringify(checks)}`)
  return c
}

describe('computeChecks', () => {
  it('lists alg, key, signature first, then exp/nbf/iat/iss/aud', () => {
    expect(run({}).map((c) => c.name)).toEqual(['alg', 'key', 'signature', 'exp', 'nbf', 'iat', 'iss', 'aud'])
  })
  it('exp: valid, expired within the leeway, expired beyond it', () => {
    expect(row(run({ exp: T + 10 }), 'exp')).toMatchObject({ ok: true })
    expect(row(run({ exp: T - 30 }), 'exp')).toMatchObject({ ok: true, detail: expect.stringMatching(/within the 1m leeway/) })
    expect(row(run({ exp: T - 61 }), 'exp')).toMatchObject({ ok: false, detail: expect.stringMatching(/expired .*1m1s ago.*beyond the 1m leeway/) })
    expect(row(run({ exp: T - 61 }, { clockSkew: 120 }), 'exp').ok).toBe(true)
    expect(row(run({ exp: '2026' }), 'exp')).toMatchObject({ ok: false, detail: expect.stringMatching(/not a NumericDate/) })
  })
  it('nbf and iat in the future beyond the leeway fail, within it pass', () => {
    expect(row(run({ nbf: T + 30 }), 'nbf').ok).toBe(true)
    expect(row(run({ nbf: T + 600 }), 'nbf')).toMatchObject({ ok: false, detail: expect.stringMatching(/not valid before .*in 10m/) })
    expect(row(run({ iat: T + 600 }), 'iat')).toMatchObject({ ok: false, detail: expect.stringMatching(/used before issued/) })
    expect(row(run({ iat: T - 5 }), 'iat').ok).toBe(true)
  })
  it('iss and aud are shown as not checked when not asked, and checked when asked', () => {
    expect(row(run({ iss: 'https://a' }), 'iss')).toMatchObject({ ok: true, skipped: true, detail: expect.stringContaining('https://a') })
    expect(row(run({ iss: 'https://a' }, { iss: 'https://a' }), 'iss')).toEqual({ name: 'iss', ok: true, detail: '"https://a"' })
    expect(row(run({ iss: 'https://a' }, { iss: 'https://b' }), 'iss')).toMatchObject({ ok: false, detail: '"https://a", expected "https://b"' })
    expect(row(run({}, { iss: 'https://b' }), 'iss').ok).toBe(false)
    expect(row(run({ aud: ['x', 'api'] }, { aud: ['api'] }), 'aud').ok).toBe(true)
    expect(row(run({ aud: 'x' }, { aud: ['api', 'y'] }), 'aud')).toMatchObject({ ok: false, detail: '"x", expected "api" or "y"' })
    expect(row(run({}, { aud: ['api'] }), 'aud').ok).toBe(false)
  })
  it('typ compares as RFC 7515 says (case, application/ prefix)', () => {
    expect(row(run({}, { typ: 'at+jwt' }, { alg: 'ES256', typ: 'application/AT+JWT' }), 'typ').ok).toBe(true)
    expect(row(run({}, { typ: 'at+jwt' }, { alg: 'ES256', typ: 'JWT' }), 'typ')).toMatchObject({ ok: false, detail: '"JWT", expected "at+jwt"' })
    expect(row(run({}, { typ: 'at+jwt' }), 'typ').ok).toBe(false)
  })
  it('sub, scope (scope or scp), claims, max-age', () => {
    expect(row(run({ sub: 'a' }, { sub: 'a' }), 'sub').ok).toBe(true)
    expect(row(run({ sub: 'b' }, { sub: 'a' }), 'sub').ok).toBe(false)
    expect(row(run({ scope: 'read write' }, { scopes: ['write'] }), 'scope').ok).toBe(true)
    expect(row(run({ scp: ['read'] }, { scopes: ['read', 'write'] }), 'scope')).toMatchObject({ ok: false, detail: 'missing write (token has: read)' })
    expect(row(run({}, { scopes: ['read'] }), 'scope').ok).toBe(false)
    expect(row(run({ admin: true }, { claims: [{ name: 'admin', value: true }] }), 'claim:admin').ok).toBe(true)
    expect(row(run({ admin: 'true' }, { claims: [{ name: 'admin', value: true }] }), 'claim:admin').ok).toBe(false)
    expect(row(run({ groups: ['a', 'b'] }, { claims: [{ name: 'groups', value: 'b' }] }), 'claim:groups').detail).toBe('contains "b"')
    expect(row(run({ org: { id: 7 } }, { claims: [{ name: 'org.id', value: 7 }] }), 'claim:org.id').ok).toBe(true)
    expect(row(run({ auth_time: T - 3000 }, { maxAge: 3600 }), 'max-age').ok).toBe(true)
    expect(row(run({ auth_time: T - 7200 }, { maxAge: 3600 }), 'max-age')).toMatchObject({ ok: false, detail: expect.stringMatching(/more than --max-age 1h/) })
    expect(row(run({}, { maxAge: 3600 }), 'max-age')).toMatchObject({ ok: false, detail: expect.stringMatching(/no auth_time/) })
  })
  it('a plain-text payload: claim checks not applicable, requested ones fail, no crash', () => {
    const checks = run(undefined, { iss: 'x', claims: [{ name: 'a', value: 1 }] })
    expect(row(checks, 'exp')).toMatchObject({ ok: true, skipped: true, detail: expect.stringMatching(/not applicable/) })
    expect(row(checks, 'iss').ok).toBe(false)
    expect(row(checks, 'claim:a').ok).toBe(false)
  })
  it('crit with an unknown extension fails; embedded keys are noted as ignored', () => {
    expect(row(run({}, {}, { alg: 'ES256', crit: ['exp'], exp: 1 }), 'crit')).toMatchObject({ ok: false, detail: expect.stringMatching(/does not understand/) })
    expect(row(run({}, {}, { alg: 'ES256', crit: ['b64'], b64: true }), 'crit').ok).toBe(true)
    expect(row(run({}, {}, { alg: 'ES256', crit: [] }), 'crit').ok).toBe(false)
    expect(row(run({}, {}, { alg: 'ES256', jku: 'https://evil', jwk: {} }), 'header-keys').detail).toMatch(/ignored jwk, jku/)
  })
  it('tokenScopes reads both forms', () => {
    expect(tokenScopes({ scope: 'a b', scp: ['c'] })).toEqual(['a', 'b', 'c'])
    expect(tokenScopes({})).toBeUndefined()
  })
})
