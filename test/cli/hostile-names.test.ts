/**
 * Tokens and keys whose names are members of every plain object ("constructor", "toString",
 * "__proto__"), through the built binary as a user runs it. tokentool 0.2 before this crashed
 * (exit 70, "this is a bug") on a typ of "constructor" and explained an event type of
 * "toString" with JavaScript source; the lookup tables are Maps now (unit:
 * test/unit/prototype-names.test.ts). Here: never exit 70, never a stack trace, never a
 * function's text in the output.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempHome, type CliResult } from '../helpers/run-cli.js'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const unsigned = (header: object, payload: object) => `${b64(header)}.${b64(payload)}.`
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty']

function clean(r: CliResult, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).not.toBe(70)
  expect(r.stderr + r.stdout, what).not.toMatch(/unexpected error|this is a bug|\n\s+at |native code|function \w*\(/)
}

describe('names of Object.prototype members in tokens and keys', () => {
  for (const name of NAMES) {
    it(`decode: typ "${name}" in the header or the payload, an event "${name}", _sd_alg "${name}"`, async () => {
      const tokens = [
        unsigned({ alg: 'none', typ: name }, { sub: 'alice' }),
        unsigned({ alg: 'none' }, { sub: 'alice', typ: name }),
        unsigned({ alg: 'none', typ: 'secevent+jwt' }, JSON.parse(`{"iss":"https://i.example","events":{${JSON.stringify(name)}:{}}}`)),
        // an SD-JWT with one disclosure and no key binding
        `${unsigned({ alg: 'none', typ: 'dc+sd-jwt' }, { sub: 'alice', _sd_alg: name, _sd: [] })}~${b64(['salt', 'email', 'a@example.com'])}~`,
      ]
      for (const token of tokens) {
        for (const json of [[], ['--json']]) {
          const r = await runCli(['decode', ...json, token])
          clean(r, `decode ${json.join(' ')} ${token}`)
          expect(r.code).toBe(0)
        }
      }
      const sd = await runCli(['decode', tokens[3]!])
      expect(sd.stdout + sd.stderr).toContain('is not a hash tokentool knows')
      const events = await runCli(['decode', tokens[2]!])
      expect(events.stdout).toContain('an event type tokentool does not know')
    })

    it(`decode: a DPoP proof whose jwk has kty "${name}"`, async () => {
      const proof = unsigned({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: name, crv: name, x: 'AA', y: 'AA' } }, { htm: 'GET', htu: 'https://api.example/', iat: 1_700_000_000, jti: 'j1' })
      const r = await runCli(['decode', proof])
      clean(r, 'decode of the proof')
      expect(r.code).toBe(0)
    })

    it(`verify: a JWKS whose key has crv "${name}" is refused with one line, not a crash`, async () => {
      const dir = tempHome()
      const jwks = join(dir, 'jwks.json')
      writeFileSync(jwks, JSON.stringify({ keys: [{ kty: 'EC', crv: name, x: 'AA', y: 'AA', kid: 'k1' }] }))
      const token = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64({ sub: 'alice' })}.${Buffer.alloc(64).toString('base64url')}`
      for (const batch of [[], ['--batch']]) {
        const r = await runCli(['verify', '--jwks', jwks, ...batch, ...(batch.length ? [] : [token])], batch.length ? { input: `${token}\n` } : {})
        clean(r, `verify ${batch.join(' ')}`)
        expect(r.code).not.toBe(0)
      }
    })

    // a valid profile name: the store's maps have no prototype (unit: store-prototype-names)
    it(`a profile named "${name}": in an empty home "no profile", exit 2; stored, it is shown`, async () => {
      const home = tempHome()
      for (const args of [['profiles', 'show', name], ['--json', 'profiles', 'show', name], ['status', '--profile', name], ['token', '--profile', name], ['profiles', 'remove', name]]) {
        const r = await runCli(args, { env: { TOKENTOOL_HOME: home } })
        clean(r, args.join(' '))
        expect(r.code, args.join(' ')).toBe(2)
        expect(r.stderr).toContain(`no profile "${name}"`)
      }
      const { fileStore } = await import('../../src/store/store.js')
      await fileStore(home).saveSettings(name, { issuer: 'https://login.example', clientId: 'c' })
      const shown = await runCli(['--json', 'profiles', 'show', name], { env: { TOKENTOOL_HOME: home } })
      clean(shown, 'profiles show')
      expect(shown.code, shown.stderr).toBe(0)
      expect(JSON.parse(shown.stdout)).toMatchObject({ name, settings: { issuer: 'https://login.example', client_id: 'c' } })
      const listed = await runCli(['--json', 'profiles', 'list'], { env: { TOKENTOOL_HOME: home } })
      expect(listed.code, listed.stderr).toBe(0)
      expect(listed.stdout).toContain(`"${name}"`)
    })
  }
})
