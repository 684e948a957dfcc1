import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveTokenRequest, type TokenFlags } from '../../src/cli/token-request.js'
import { UsageError } from '../../src/errors.js'
import type { ProfileSettings } from '../../src/store/profiles.js'

const dir = mkdtempSync(join(tmpdir(), 'tokentool-token-req-'))
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = `${b64({ alg: 'ES256' })}.${b64({ iss: 'https://ci', sub: 'repo:a' })}.c2ln`
writeFileSync(join(dir, 'a.jwt'), `${jwt}\n`)
writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n')

const deps = { env: {} as NodeJS.ProcessEnv, cwd: dir }
const flags = (o: Partial<TokenFlags>): TokenFlags => ({ minTtl: '60s', issuer: 'https://as.example', clientId: 'cli', ...o })
const resolve = (o: Partial<TokenFlags>, saved?: ProfileSettings, env: NodeJS.ProcessEnv = {}) => resolveTokenRequest(flags(o), saved, 'default', { ...deps, env })

describe('resolveTokenRequest', () => {
  it('a public client saved by login has no machine grant; --client-auth none asks for one', async () => {
    const saved: ProfileSettings = { issuer: 'https://as.example', clientId: 'cli', clientAuth: 'none', scope: 'openid offline_access' }
    const r = await resolve({ issuer: undefined, clientId: undefined }, saved)
    expect(r.machine).toBeUndefined()
    expect(r.user?.shape.scope).toBe('openid offline_access')
    expect((await resolve({ clientAuth: 'none' })).machine?.shape.grant).toBe('client_credentials')
  })

  it('a secret from TOKENTOOL_CLIENT_SECRET allows client credentials, with the flags-only scope', async () => {
    const r = await resolve({ scope: 'api:read' }, { scope: 'openid' }, { TOKENTOOL_CLIENT_SECRET: 's' })
    expect(r.client.auth).toEqual({ method: 'auto', secret: 's' })
    expect(r.machine?.shape).toMatchObject({ grant: 'client_credentials', scope: 'api:read' })
  })

  it('--client-key means private_key_jwt; --client-assertion sends the JWT', async () => {
    expect((await resolve({ clientKey: 'key.pem' })).client.auth).toMatchObject({ method: 'private_key_jwt', keyWhat: '--client-key' })
    expect((await resolve({ clientAssertion: '@a.jwt' })).client.auth).toEqual({ method: 'client_assertion', assertion: jwt })
    expect((await resolve({ clientAssertion: 'env:TOK' }, undefined, { TOK: jwt })).client.auth).toEqual({ method: 'client_assertion', assertion: jwt })
  })

  it('--assertion selects jwt-bearer, keyed by the assertion subject, and skips the session', async () => {
    const r = await resolve({ assertion: 'a.jwt' })
    expect(r.user).toBeUndefined()
    expect(r.machine).toMatchObject({ assertion: jwt, shape: { grant: 'jwt_bearer', assertionSubject: { iss: 'https://ci', sub: 'repo:a' } } })
  })

  it('usage errors name what to give', async () => {
    await expect(resolve({ clientCredentials: true })).rejects.toThrow(/--client-credentials needs a client credential for client "cli"/)
    await expect(resolve({ clientAuth: 'post' })).rejects.toThrow(/needs a client secret: give --client-secret or set TOKENTOOL_CLIENT_SECRET/)
    await expect(resolve({ clientAuth: 'basic', clientAssertion: 'a.jwt', clientSecret: 's' })).rejects.toThrow(UsageError)
    await expect(resolve({ issuer: undefined, clientId: undefined })).rejects.toThrow(/nothing to get a token with/)
    await expect(resolve({ clientAssertion: 'missing.jwt' })).rejects.toThrow(/cannot read --client-assertion file missing\.jwt: no such file/)
  })
})
