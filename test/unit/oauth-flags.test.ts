import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveClient } from '../../src/cli/oauth-flags.js'

describe('resolveClient', () => {
  it('saves an @file client secret with its absolute path, so later runs from elsewhere find it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-secret-'))
    writeFileSync(join(dir, 'secret.txt'), 's3cret\n')
    const r = await resolveClient({ issuer: 'https://login.example.com', clientId: 'app', clientSecret: '@secret.txt' }, undefined, { env: {}, cwd: dir }, 'default')
    expect(r.clientSecret).toBe('s3cret')
    expect(r.clientSecretSetting).toBe(`@${join(dir, 'secret.txt')}`)
  })

  it('keeps env: references and literal secrets as given', async () => {
    const env = { MY_SECRET: 'from-env' }
    const r = await resolveClient({ issuer: 'https://login.example.com', clientId: 'app', clientSecret: 'env:MY_SECRET' }, undefined, { env, cwd: '/' }, 'default')
    expect(r.clientSecret).toBe('from-env')
    expect(r.clientSecretSetting).toBe('env:MY_SECRET')
  })
})
