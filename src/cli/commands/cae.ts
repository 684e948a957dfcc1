/**
 * `tokentool cae decode [header]`: explains a Continuous Access Evaluation challenge
 * (a `WWW-Authenticate` value) and prints the commands that answer it. No sign-in needed.
 * @module
 */
import type { Command } from 'commander'
import { decodeCaeChallenges } from '../../core/cae/decode.js'
import { WwwAuthenticateSyntaxError } from '../../core/cae/www-authenticate.js'
import { InputError, UsageError } from '../../errors.js'
import { renderCaeDecode } from '../../render/cae.js'
import type { Deps } from '../deps.js'
import { readFileArg, readStream } from '../input.js'
import { normalizeTokenText } from '../../core/token-text.js'
import { unknownSubcommand } from '../usage-message.js'

const EXAMPLE =
  'Bearer realm="", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0="'

const SPLIT_HINT = 'put the header in single quotes: unquoted, the shell splits it and removes its double quotes'

export function register(parent: Command, deps: Deps): Command {
  const cae = parent
    .command('cae')
    .description('Continuous Access Evaluation: decode claims challenges (WWW-Authenticate)')
    .addHelpText('after', `\nExamples:\n  $ tokentool cae decode '${EXAMPLE}'\n  $ curl -si https://api.example.com/me | tokentool cae decode\n`)
    .allowExcessArguments()
    .action((_opts: unknown, cmd: Command) => {
      // without an action commander shows the help and main() reports success: exit 2 instead
      const [name] = cmd.args
      if (name !== undefined) throw unknownSubcommand('cae', name, ['decode'])
      throw new UsageError("cae needs a subcommand: decode (see 'tokentool cae --help')")
    })
  cae
    .command('decode')
    .description(
      'Decode a WWW-Authenticate value: every challenge and parameter, the claims request decoded and explained, and the commands that answer it',
    )
    .argument('[header...]', 'the header value or whole header line (quote it); "-" or piped stdin reads stdin')
    .option('-f, --file <path>', 'read the header (or a pasted response head) from a file')
    .addHelpText(
      'after',
      `
Input may be a bare value, a "WWW-Authenticate: ..." line, several header lines or a whole
response head, the logged form "HTTP 401; Unauthorized WWW-Authenticate=Bearer ...", with
typographic quotes. What breaks RFC 9110 (unquoted URLs and paths, a missing comma, a claims
value that is not base64 JSON) is read anyway and shown as a warning with its line and column;
exit 2 only when no challenge can be read at all.

Examples:
  $ tokentool cae decode '${EXAMPLE}'
  $ curl -si https://graph.microsoft.com/v1.0/me -H "Authorization: Bearer $T" | tokentool cae decode
  $ tokentool --json cae decode --file headers.txt | jq '.challenges[0].claims'
`,
    )
    .action(async (header: string[], o: { file?: string }) => {
      const text = await readHeaderInput(header, o.file, deps)
      if (isJoseToken(text)) {
        throw new UsageError('that is a token (a JWT), not a WWW-Authenticate challenge', {
          hint: "read it with tokentool decode; for why an API refused it: tokentool explain --response FILE TOKEN",
        })
      }
      let result
      try {
        result = decodeCaeChallenges(text, { profile: deps.global.profile })
      } catch (e) {
        // an unquoted header was split by the shell, which also ate its quotes
        if (e instanceof WwwAuthenticateSyntaxError && header.length > 1) {
          throw new InputError(e.message, { hint: SPLIT_HINT })
        }
        throw e
      }
      // read anyway, but a header the shell split is worth saying on stderr
      if (header.length > 1 && result.challenges.some((c) => c.warnings.length > 0)) {
        deps.io.err.write(`tokentool: warning: the header came as ${header.length} arguments; ${SPLIT_HINT}\n`)
      }
      renderCaeDecode(deps.io, result, { json: deps.global.json })
    })
  return cae
}

async function readHeaderInput(args: string[], file: string | undefined, deps: Deps): Promise<string> {
  const arg = args.length ? args.join(' ') : undefined
  if (file !== undefined) {
    if (arg !== undefined && arg !== '-') throw new UsageError('give the header either as an argument or with --file, not both')
    return readFileArg(file, deps, 'header file')
  }
  if (arg === '-' || (arg === undefined && !deps.io.stdinIsTTY)) return readStream(deps.io.in)
  if (arg === undefined) {
    throw new UsageError('no WWW-Authenticate value given: pass it as an argument (in single quotes), pipe it on stdin, or use --file')
  }
  return arg
}

/**
 * A JWT or JWE pasted where a challenge belongs (`cae decode eyJ…`, or an Authorization value
 * `Bearer eyJ…`): three or five base64url segments whose first is a JOSE header with `alg`.
 */
function isJoseToken(text: string): boolean {
  const t = normalizeTokenText(text)
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2}((\.[A-Za-z0-9_-]*){2})?$/.test(t)) return false
  try {
    const header = JSON.parse(Buffer.from(t.slice(0, t.indexOf('.')), 'base64url').toString('utf8')) as unknown
    return typeof header === 'object' && header !== null && 'alg' in header
  } catch {
    return false
  }
}
