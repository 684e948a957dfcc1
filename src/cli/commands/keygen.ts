/**
 * `tokentool keygen`: a fresh signing key as a private JWK (kid = RFC 7638 thumbprint), and with
 * `--jwks` the public JWK Set to publish or pass to `verify --jwks`.
 * @module
 */
import { chmod, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError, UsageError } from '../../errors.js'
import { KEYGEN_ALGS, generateSigningKey } from '../../core/keys/generate.js'
import { writeJson } from '../../render/json.js'
import type { Deps } from '../deps.js'

interface KeygenFlags {
  alg: string
  kid?: string
  jwks?: string | boolean
  out?: string
  rsaBits?: string
  force?: boolean
}

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('keygen')
    .description('Generate a signing key: a private JWK with a thumbprint kid, and the public JWKS')
    .option('--alg <alg>', `algorithm (${KEYGEN_ALGS.join(', ')})`, 'ES256')
    .option('--kid <kid>', 'kid to use instead of the RFC 7638 thumbprint')
    .option('--jwks [file]', 'the public JWK Set: written to FILE, or printed instead of the private JWK (then --out is required)')
    .option('--out <file>', 'write the private JWK to FILE (mode 0600) instead of stdout; an existing FILE is kept unless --force')
    .option('--force', 'let --out and --jwks FILE replace an existing file')
    .option('--rsa-bits <n>', 'RSA modulus length', '2048')
    .addHelpText(
      'after',
      `
Examples:
  $ tokentool keygen --alg ES256 --out key.json                    # private key, mode 0600
  $ tokentool keygen --alg RS256 --out key.json --jwks jwks.json   # public set to a file
  $ tokentool keygen --alg EdDSA --out key.json --jwks             # public set on stdout
`,
    )
    .action(async (flags: KeygenFlags) => {
      const bits = Number(flags.rsaBits)
      if (!Number.isInteger(bits) || bits < 2048) throw new UsageError('--rsa-bits must be a whole number of at least 2048')
      const alg = KEYGEN_ALGS.find((a) => a.toLowerCase() === flags.alg.toLowerCase()) ?? flags.alg
      if (flags.jwks !== undefined && alg.startsWith('HS')) throw new UsageError(`--jwks: ${alg} is an HMAC algorithm; its secret has no public half to publish`)
      if (flags.jwks === true && flags.out === undefined) {
        throw new UsageError('--jwks without a file prints the public set on stdout: save the private key with --out FILE (or give --jwks FILE)')
      }
      const opts: { kid?: string; rsaBits?: number } = { rsaBits: bits }
      if (flags.kid !== undefined) opts.kid = flags.kid
      const key = await generateSigningKey(alg, opts)
      const force = Boolean(flags.force)
      if (flags.out !== undefined) await writeOut(deps, flags.out, key.privateJwk, 0o600, force)
      if (typeof flags.jwks === 'string') await writeOut(deps, flags.jwks, key.jwks, 0o644, force)
      if (flags.jwks === true) writeJson(deps.io, key.jwks)
      else if (flags.out === undefined) {
        writeJson(deps.io, key.privateJwk)
        // `keygen > key.json`: the shell makes that file with its umask (0644: readable by all)
        if (!deps.io.stdoutIsTTY) deps.io.err.write('tokentool: warning: the private key went to stdout; a file the shell creates (> key.json) is usually readable by everyone: use --out key.json (mode 0600)\n')
      }
      if (flags.out !== undefined || typeof flags.jwks === 'string') {
        deps.io.err.write(`tokentool: ${alg} key ${key.privateJwk.kid}${flags.out ? `, private JWK in ${flags.out}` : ''}${typeof flags.jwks === 'string' ? `, public JWKS in ${flags.jwks}` : ''}\n`)
      }
    })
}

async function writeOut(deps: Pick<Deps, 'cwd'>, path: string, value: unknown, mode: number, force: boolean): Promise<void> {
  try {
    const full = resolve(deps.cwd, path)
    // without --force, 'wx' refuses any existing path (a symlink too): a key is never overwritten by accident
    await writeFile(full, JSON.stringify(value, null, 2) + '\n', { mode, flag: force ? 'w' : 'wx' })
    await chmod(full, mode) // an existing file keeps its old mode otherwise
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists: keygen does not overwrite it`, { hint: 'add --force to replace it, or choose another file' })
    throw new InputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}
