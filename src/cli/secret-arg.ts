/**
 * Secret flags (`--secret`, `--client-secret`, ...) accept the value itself, `@file` (read from
 * that file, one trailing newline removed) or `env:VAR` (read from the environment), so that
 * secrets need not sit in shell history or `ps` output.
 * @module
 */
import { UsageError } from '../errors.js'
import { readFileArg, readStream } from './input.js'
import { registerSecret } from '../core/secret-values.js'
import type { Deps } from './deps.js'

/**
 * Resolves a secret flag's value. `what` names the flag in errors (e.g. `--secret`).
 * @example await resolveSecretArg('env:HMAC_KEY', deps) // the value of $HMAC_KEY
 * @example await resolveSecretArg('@secret.txt', deps)  // the file's content
 */
export async function resolveSecretArg(value: string, deps: Pick<Deps, 'env' | 'cwd'> & { io?: Pick<Deps['io'], 'in' | 'stdinIsTTY'> }, what = 'secret'): Promise<string> {
  let secret: string
  if (value === '-' && deps.io && !deps.io.stdinIsTTY) {
    // `-`: piped in, the one form that leaves no trace in argv, environment or a file
    secret = (await readStream(deps.io.in)).replace(/\r?\n$/, '')
  } else if (value.startsWith('@')) {
    const path = value.slice(1)
    if (path === '') throw new UsageError(`${what}: "@" must be followed by a file name`)
    secret = (await readFileArg(path, deps, `${what} file`)).replace(/\r?\n$/, '')
  } else if (value.startsWith('env:')) {
    const name = value.slice(4)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${what}: "${value}" does not name an environment variable`)
    const v = deps.env[name]
    if (v === undefined) throw new UsageError(`${what}: environment variable ${name} is not set`)
    secret = v
  } else {
    secret = value
  }
  if (secret === '') throw new UsageError(`${what} is empty`)
  // from here on the run knows it: no trace or error line shows it, in any encoding
  registerSecret(secret)
  return secret
}
