/**
 * `tokentool decode [token]`: shows what a token says without verifying it.
 * @module
 */
import type { Command } from 'commander'
import { decodeToken } from '../../core/jwt/decode.js'
import { decodeJwt } from '../../core/jwt/split.js'
import { parseTime } from '../../core/time.js'
import { renderDecoded } from '../../render/decode.js'
import type { Deps } from '../deps.js'
import { readFileArg, readTokenInput } from '../input.js'

interface DecodeFlags {
  file?: string
  now?: Date
  key?: string
}

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('decode')
    .description('Decode a JWT (or JWE, or name an opaque token) without verifying it')
    .argument('[token]', 'the token; "-" or a pipe reads stdin; "Bearer " and "Authorization:" are stripped')
    .option('-f, --file <path>', 'read the token from a file')
    .option('--now <time>', 'evaluate exp/nbf/iat at this time (ISO 8601 or unix seconds)', (v: string) => parseTime(v))
    .option('--key <path>', 'decrypt a JWE with this private key (PEM or JWK/JWKS)')
    .addHelpText(
      'after',
      `
Exits 0 when the token could be decoded (even if it is expired: decode does not judge),
2 when it is malformed, naming the segment and what is wrong with it.

Examples:
  $ tokentool decode eyJhbGciOiJSUzI1NiIs...
  $ pbpaste | tokentool decode --json | jq .times.claims.exp
  $ tokentool decode --file id_token.txt --now 2026-01-31T12:00:00Z
  $ tokentool decode --key private.pem eyJhbGciOiJSU0EtT0FFUCIs...   # a JWE
`,
    )
    .action(async (arg: string | undefined, flags: DecodeFlags) => {
      const text = await readTokenInput(arg, flags.file, deps)
      const now = flags.now ?? deps.now()
      let plaintext: string | undefined
      if (flags.key !== undefined) plaintext = await decryptWithKeyFile(text, flags.key, deps)
      const result = decodeToken(text, { now, ...(plaintext !== undefined ? { plaintext } : {}) })
      renderDecoded(deps.io, result, { json: deps.global.json })
    })
}

/** Only for a JWE and `--key`: loads the key file and jose (lazily: plain decode never loads it). */
async function decryptWithKeyFile(text: string, keyPath: string, deps: Deps): Promise<string | undefined> {
  if (text.split('.').length !== 5) {
    deps.io.err.write('tokentool: note: --key is only used to decrypt a JWE; this token is not one\n')
    return undefined
  }
  const parts = decodeJwt(text) // precise errors before touching the key
  const keyText = await readFileArg(keyPath, deps, 'key file')
  const { decryptJwe } = await import('../../core/jwt/decrypt.js')
  return decryptJwe(text, keyText, parts.header, `--key ${keyPath}`)
}
