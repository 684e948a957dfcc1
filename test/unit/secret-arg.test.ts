import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveSecretArg } from '../../src/cli/secret-arg.js'
import { InputError, UsageError } from '../../src/errors.js'

const cwd = mkdtempSync(join(tmpdir(), 'secret-arg-'))
writeFileSync(join(cwd, 's.txt'), 'from-file\n')
const deps = { cwd, env: { HMAC: 'from-env' } as NodeJS.ProcessEnv }

describe('resolveSecretArg', () => {
  it('takes the value as it is', async () => expect(await resolveSecretArg('plain', deps)).toBe('plain'))
  it('@file reads the file without its trailing newline', async () => expect(await resolveSecretArg('@s.txt', deps)).toBe('from-file'))
  it('env:VAR reads the environment', async () => expect(await resolveSecretArg('env:HMAC', deps)).toBe('from-env'))
  it('a missing variable, file or empty value is an error naming the flag', async () => {
    await expect(resolveSecretArg('env:NOPE', deps, '--secret')).rejects.toThrow(UsageError)
    await expect(resolveSecretArg('env:NOPE', deps, '--secret')).rejects.toThrow(/--secret: environment variable NOPE is not set/)
    await expect(resolveSecretArg('@missing.txt', deps)).rejects.toThrow(InputError)
    await expect(resolveSecretArg('', deps)).rejects.toThrow(/empty/)
    await expect(resolveSecretArg('@', deps)).rejects.toThrow(/followed by a file name/)
  })
})
