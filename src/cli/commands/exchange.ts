/**
 * `tokentool exchange`: RFC 8693 token exchange. Trades the subject token (default: the
 * profile's access token) and optionally an actor token for a new token, and shows how the
 * new token's claims differ from the subject token's.
 * @module
 */
import type { Command } from 'commander'
import { diffClaims, type TokenSide } from '../../core/jwt/claims-diff.js'
import { decodeToken, type DecodedToken } from '../../core/jwt/decode.js'
import { normalizeTokenText } from '../../core/token-text.js'
import { tokenTypeUri } from '../../core/token-types.js'
import { InputError, UsageError } from '../../errors.js'
import type { OAuthClient } from '../../oauth/client.js'
import { exchangeToken } from '../../oauth/exchange.js'
import { introspectToken } from '../../oauth/introspect.js'
import { renderExchange, type ExchangeView } from '../../render/exchange.js'
import type { Deps } from '../deps.js'
import { readStream } from '../input.js'
import { collect } from '../oauth-flags.js'
import { resolveSecretArg } from '../secret-arg.js'
import { addDpopFlags } from '../dpop-key.js'
import { addServiceClientFlags, serviceClient, validStoredAccessToken, type ServiceClientFlags } from '../service-client.js'

export interface ExchangeFlags extends ServiceClientFlags {
  subjectToken?: string
  subjectTokenType?: string
  actorToken?: string
  actorTokenType?: string
  audience?: string[]
  resource?: string[]
  scope?: string
  requestedTokenType?: string
  raw?: boolean
  /** `--no-introspect` sets it false. */
  introspect: boolean
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('exchange')
    .summary('RFC 8693 token exchange: trade a token for one with another audience or narrower scope')
    .description(
      "Trades the subject token (default: the profile's access token) for a new token at the token " +
        'endpoint (RFC 8693), optionally with an actor token (delegation: the new token names the ' +
        'actor in act). Shows the new token decoded and how its claims differ from the subject ' +
        "token's: scope narrowed, audience changed, act added, lifetime.\n" +
        'Token types take a short name (access_token, refresh_token, id_token, jwt, saml1, saml2) ' +
        'or a full URI (urn:ietf:params:oauth:token-type:...).',
    )
    .option('--subject-token <token>', "the token to exchange; - reads stdin, also @file and env:VAR (default: the profile's access token)")
    .option('--subject-token-type <type>', 'type of the subject token (default: access_token)')
    .option('--actor-token <token>', 'token of the party acting for the subject (delegation); - reads stdin, also @file and env:VAR')
    .option('--actor-token-type <type>', 'type of the actor token (default: access_token)')
    .option('--audience <aud>', 'logical name of the target service (repeatable)', collect)
    .option('--resource <uri>', 'URI of the target resource (RFC 8707, repeatable)', collect)
    .option('--scope <scopes>', 'scope of the new token (usually narrower than the subject token)')
    .option('--requested-token-type <type>', 'type of token wanted (default: the server decides, usually access_token)')
    .option('--raw', 'print only the issued token and a newline (for scripts)')
    .option('--no-introspect', 'do not ask the introspection endpoint for the claims of opaque tokens (for the diff)')
  addServiceClientFlags(cmd, ['token_endpoint', 'jwks_uri'])
  addDpopFlags(cmd)
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool exchange --resource https://orders.example.com --scope orders:read\n' +
        '  $ tokentool exchange --subject-token @user.jwt --actor-token env:SERVICE_TOKEN --audience billing\n' +
        '  $ tokentool exchange --subject-token - --subject-token-type id_token --raw < id.jwt\n',
    )
    .action((o: ExchangeFlags) => runExchange(o, deps))
  return cmd
}

/** A token flag: `-` for stdin, `@file`, `env:VAR` or the token itself. */
async function tokenFlag(value: string, flag: string, deps: Deps): Promise<string> {
  const raw = value === '-' ? await readStream(deps.io.in) : await resolveSecretArg(value, deps, flag)
  const token = normalizeTokenText(raw)
  if (!token) throw new InputError(`${flag}: the token is empty`)
  return token
}

function decodeSide(token: string, now: Date, what: string): DecodedToken {
  try {
    return decodeToken(token, { now })
  } catch (e) {
    throw new InputError(`${what} is not a token: ${(e as Error).message}`)
  }
}

function typeNote(deps: Deps, which: 'subject' | 'actor', kind: string): void {
  deps.io.err.write(`tokentool: note: the ${which} token looks like an ID token but is sent as an access_token; if the server refuses it, add --${which}-token-type ${kind}\n`)
}

/**
 * A token's claims for the diff: a JWT's payload, or for an opaque token what the
 * introspection endpoint says (when allowed and possible; a refusal only leaves them unknown).
 */
async function sideOf(token: string, d: DecodedToken, oc: OAuthClient, introspect: boolean, extra: Partial<TokenSide> = {}): Promise<TokenSide> {
  if (d.payload) return { claims: d.payload, source: 'jwt', ...extra }
  if (d.format !== 'opaque' || !introspect || typeof oc.metadata.introspection_endpoint !== 'string') return { source: 'none', ...extra }
  try {
    const r = await introspectToken(oc, { token })
    if (!r.active) return { source: 'none', ...extra }
    const { active: _active, ...claims } = r.claims
    return { claims, source: 'introspection', ...extra }
  } catch {
    return { source: 'none', ...extra }
  }
}

export async function runExchange(o: ExchangeFlags, deps: Deps): Promise<void> {
  if (o.subjectToken === '-' && o.actorToken === '-') throw new UsageError('only one of --subject-token and --actor-token can read stdin')
  const subjectType = tokenTypeUri(o.subjectTokenType ?? 'access_token', '--subject-token-type')
  const actorType = tokenTypeUri(o.actorTokenType ?? 'access_token', '--actor-token-type')
  const requestedType = o.requestedTokenType ? tokenTypeUri(o.requestedTokenType, '--requested-token-type') : undefined
  const now = deps.now()

  const ctx = await serviceClient(o, deps, { dpop: true })
  const { oc } = ctx
  let subjectToken: string
  let subjectFrom: string
  if (o.subjectToken !== undefined) {
    subjectToken = await tokenFlag(o.subjectToken, '--subject-token', deps)
    subjectFrom = '--subject-token'
  } else {
    const stored = await validStoredAccessToken(ctx, o, deps)
    subjectToken = stored.token
    subjectFrom = stored.label
  }
  const actorToken = o.actorToken !== undefined ? await tokenFlag(o.actorToken, '--actor-token', deps) : undefined
  const subject = decodeSide(subjectToken, now, 'the subject token')
  const actor = actorToken ? decodeSide(actorToken, now, 'the actor token') : undefined
  // the commonest mistake: an ID token sent with the default type (servers answer a bare invalid_request)
  if (o.subjectTokenType === undefined && subject.kind === 'id_token') typeNote(deps, 'subject', 'id_token')
  if (actor && o.actorTokenType === undefined && actor.kind === 'id_token') typeNote(deps, 'actor', 'id_token')

  const audience = o.audience ?? []
  const resource = o.resource ?? []
  const result = await exchangeToken(oc, {
    subjectToken,
    subjectTokenType: subjectType,
    actorToken,
    actorTokenType: actorToken ? actorType : undefined,
    audiences: audience,
    resources: resource,
    scope: o.scope,
    requestedTokenType: requestedType,
  })
  if (o.raw) {
    deps.io.out.write(result.token + '\n')
    return
  }
  const issued = decodeSide(result.token, deps.now(), 'the issued token')
  const [subjectSide, issuedSide] = await Promise.all([
    sideOf(subjectToken, subject, oc, o.introspect),
    sideOf(result.token, issued, oc, o.introspect, { scope: result.scope, expiresAt: result.expiresAt }),
  ])
  const view: ExchangeView = {
    endpoint: String(oc.metadata.token_endpoint),
    subject: { tokenType: subjectType, decoded: subject, from: subjectFrom, claimsSource: subjectSide.source },
    actor: actor ? { tokenType: actorType, decoded: actor, from: '--actor-token' } : undefined,
    issued: { ...result, decoded: issued, claimsSource: issuedSide.source },
    request: { audience, resource, scope: o.scope, requestedTokenType: requestedType },
    diff: diffClaims(subjectSide, issuedSide, deps.now()),
  }
  renderExchange(deps.io, view, { json: deps.global.json, now: deps.now() })
}
