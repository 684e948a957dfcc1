/**
 * The mTLS certificate a profile keeps (RFC 8705): login saves the pair (absolute paths), a new
 * server drops it as it drops every stored credential, a run at another server does not get it,
 * and `call`'s refusal line names what is wrong with a certificate-bound token.
 */
import { describe, expect, it } from 'vitest'
import { settingsAfterLogin } from '../../src/cli/commands/login.js'
import { settingsForTarget } from '../../src/cli/oauth-flags.js'
import { certificateBindingHint } from '../../src/cli/commands/call.js'
import { clientCertSetting } from '../../src/cli/token-request.js'
import { UsageError } from '../../src/errors.js'

const got = (issuer: string) => ({ issuer, clientId: 'app', clientSecret: undefined, scope: 'openid' })
const jwt = (payload: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`

describe('the client certificate in the profile', () => {
  it('login saves the pair with its client authentication; a login at another server drops them', () => {
    const first = settingsAfterLogin(undefined, { open: false, clientAuth: 'tls_client_auth', clientCert: '/c/client.pem', clientCertKey: 'env:KEY' }, got('https://a.example'), {})
    expect(first).toMatchObject({ clientAuth: 'tls_client_auth', clientCert: '/c/client.pem', clientCertKey: 'env:KEY' })
    const again = settingsAfterLogin(first, { open: false }, got('https://a.example'), {})
    expect(again).toMatchObject({ clientCert: '/c/client.pem', clientCertKey: 'env:KEY' })
    const moved = settingsAfterLogin(first, { open: false }, got('https://b.example'), {})
    expect(moved.clientCert).toBeUndefined()
    expect(moved.clientCertKey).toBeUndefined()
    expect(moved.clientAuth).toBeUndefined()
  })

  it('paths are saved absolute, env:VAR as given', () => {
    expect(clientCertSetting('certs/c.pem', '/home/u')).toBe('/home/u/certs/c.pem')
    expect(clientCertSetting('@k.pem', '/home/u')).toBe('/home/u/k.pem')
    expect(clientCertSetting('env:MTLS_KEY', '/home/u')).toBe('env:MTLS_KEY')
  })

  it('is not used at another server: refused without a credential given now, dropped with one', () => {
    const saved = { issuer: 'https://a.example', clientId: 'app', clientAuth: 'tls_client_auth' as const, clientCert: '/c.pem', clientCertKey: '/c.key' }
    expect(settingsForTarget({}, saved, {}, 'default')).toBe(saved)
    expect(() => settingsForTarget({ issuer: 'https://b.example' }, saved, {}, 'default')).toThrow(UsageError)
    expect(() => settingsForTarget({ issuer: 'https://b.example' }, saved, {}, 'default')).toThrow(/client certificate \(mTLS\)/)
    const other = settingsForTarget({ issuer: 'https://b.example', clientCert: '/d.pem' }, saved, {}, 'default')
    expect(other).toEqual({ issuer: 'https://a.example', clientId: 'app' })
  })
})

describe('certificateBindingHint', () => {
  const bound = jwt({ cnf: { 'x5t#S256': 'abc' } })
  it('names the missing certificate and the wrong one; says nothing for the right one or an unbound token', () => {
    expect(certificateBindingHint(bound, undefined)).toMatch(/certificate-bound \(cnf\.x5t#S256\) and no client certificate was presented: give --client-cert FILE --client-cert-key FILE/)
    expect(certificateBindingHint(bound, { x5t: 'xyz' })).toMatch(/bound to the certificate with x5t#S256 abc, the one presented is xyz/)
    expect(certificateBindingHint(bound, { x5t: 'abc' })).toBeUndefined()
    expect(certificateBindingHint(jwt({ cnf: { jkt: 'k' } }), undefined)).toBeUndefined()
    expect(certificateBindingHint('opaque-token', undefined)).toBeUndefined()
  })
})
