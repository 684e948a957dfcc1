/**
 * `tokentool token`: one access token on stdout for scripts and CI. The cached token while
 * it has more than `--min-ttl` left, else a refresh of the profile's session, else the client
 * credentials (or jwt-bearer) grant. The network path and the OAuth client load only when
 * the cache cannot answer.
 * @module
 */
import { Option, type Command } from 'commander'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { parseExecInfo } from '../../core/exec-credential.js'
import { AuthServerError, UsageError } from '../../errors.js'
import { renderToken, TOKEN_FORMATS, type TokenFormat } from '../../render/token.js'
import { acquireToken } from '../acquire-token.js'
import type { Deps } from '../deps.js'
import { addRequestFlags, addServerClientFlags } from '../oauth-flags.js'
import { NoCredentialsError, parseClientAuth, type TokenFlags } from '../token-request.js'

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('token')
    .summary('print one access token for scripts and CI (cached, refreshed, or client credentials)')
    .description(
      'Prints one access token and a newline on stdout, nothing else. Returns the cached token while it ' +
        'has more than --min-ttl left (the cache is keyed by issuer, client, grant, scope, audience, ' +
        "resource and claims); else refreshes the profile's session; else runs the client credentials " +
        'grant when the flags or the profile give a client secret, key or assertion. Concurrent runs on ' +
        'one profile share one refresh (a per-profile lock).',
    )
  addRequestFlags(cmd, 'scope to ask for (a claims request, --claims or --cae, always bypasses the cache)')
  addServerClientFlags(cmd)
  cmd
    .option('--min-ttl <duration>', 'a cached token must have more than this left', '60s')
    .option('--force', 'ignore the cache: always obtain a new token (and store it)')
    .option('--client-credentials', "use the client credentials grant, not the profile's signed-in session")
    .addOption(new Option('--client-auth <method>', 'client authentication: basic, post, private_key_jwt, none, tls_client_auth or self_signed_tls_client_auth (default: from the credential given)'))
    .option('--client-key <file>', 'private_key_jwt: the private key (PEM or JWK) that signs the client assertion (also env:VAR)')
    .option('--client-assertion <source>', "a client assertion JWT made elsewhere (federated credential): github (the GitHub Actions OIDC token), file:PATH (re-read every run: a Kubernetes projected token, AZURE_FEDERATED_TOKEN_FILE), env:VAR, or a file")
    .option('--client-assertion-audience <aud>', "aud of the private_key_jwt assertion signed with --client-key: issuer (default), token-endpoint or a URL; default: the profile's")
    .option('--assertion-audience <aud>', 'with --client-assertion github: the audience of the OIDC token GitHub issues (what the authorization server expects, e.g. api://AzureADTokenExchange)')
    .option('--assertion <file>', 'RFC 7523 jwt-bearer grant: this JWT is the authorization grant (also env:VAR)')
    .option('--client-cert <file>', 'mTLS (RFC 8705): client certificate (PEM) for tls_client_auth / self_signed_tls_client_auth and certificate-bound tokens')
    .option('--client-cert-key <file>', 'mTLS: the private key (PEM) of --client-cert (also env:VAR)')
    .option('--authorization-details <json>', 'RFC 9396 rich authorization request: a JSON array of authorization details (also @file); part of the cache key')
    .option('--dpop', 'DPoP-bound token (RFC 9449): a proof signed by the profile\'s DPoP key (ES256, made on first use) on the request; remembered by the profile')
    .option('--no-dpop', 'a bearer token even when the profile uses DPoP')
    .option('--dpop-key <file>', 'your own DPoP private key (PEM or JWK: EC P-256, Ed25519 or RSA) instead of the profile\'s')
    .addOption(new Option('--format <format>', 'token (default), env (TOKENTOOL_ACCESS_TOKEN=...), json, or exec-credential (kubectl exec plugin: a client.authentication.k8s.io ExecCredential)').choices(TOKEN_FORMATS as string[]))
    .addHelpText(
      'after',
      '\nExit codes: 0 token printed; 2 no credentials or bad flags; 3 server unreachable or bad response;\n' +
        '4 the server refused (invalid_client, invalid_grant, ...). A rejected stored refresh token is removed.\n' +
        '\nExamples:\n' +
        '  $ curl -H "Authorization: Bearer $(tokentool token)" https://api.example.com/me\n' +
        '  $ tokentool token --issuer https://login.example.com --client-id ci-deployer --client-secret env:CI_SECRET --scope deploy\n' +
        '  $ tokentool token --client-credentials --client-id app --client-assertion "$RUNNER_TEMP/oidc.jwt" --format env >> "$GITHUB_ENV"\n' +
        '  $ tokentool token --issuer https://login.example.com --client-id deployer --client-assertion github --assertion-audience https://login.example.com\n' +
        '  $ T=$(tokentool token --dpop --client-credentials --issuer https://login.example.com --client-id svc --client-secret env:SECRET)\n' +
        '  $ curl -H "Authorization: DPoP $T" -H "DPoP: $(printf %s "$T" | tokentool dpop proof --method GET --url https://api.example.com/me --access-token -)" https://api.example.com/me\n',
    )
    .action((o: TokenFlags) => runToken(o, deps))
  return cmd
}

export async function runToken(o: TokenFlags, deps: Deps): Promise<void> {
  const profile = deps.global.profile
  if (deps.global.json && o.format !== undefined && o.format !== 'json') {
    throw new UsageError(`--json and --format ${o.format} ask for two different outputs: give one`)
  }
  const format: TokenFormat = deps.global.json ? 'json' : ((o.format as TokenFormat | undefined) ?? 'token')
  const minTtl = parseDuration(o.minTtl, '--min-ttl')
  // kubectl's request is read before any work. With `interactive: false` (kubectl has no
  // terminal for the plugin) nothing prompts: a sign-in is an error line naming `tokentool
  // login`, which kubectl shows. With `interactive: true`, as kubelogin does, the sign-in runs.
  const exec = format === 'exec-credential' ? parseExecInfo(deps.env.KUBERNETES_EXEC_INFO) : undefined
  const opts = { profile, minTtl, force: Boolean(o.force) }
  let view
  try {
    view = await acquireToken(o, opts, deps)
  } catch (err) {
    if (!exec?.interactive || o.clientCredentials || o.assertion !== undefined || !signInWouldHelp(err)) throw err
    await signInForKubectl(o, profile, deps)
    view = await acquireToken(o, { ...opts, force: false }, deps)
  }
  warnIfMinTtlUnreachable(view, minTtl, deps)
  renderToken(deps.io, view, { format, now: deps.now(), ...(exec ? { execApiVersion: exec.apiVersion } : {}) })
}

/**
 * `--min-ttl 11m` against 10-minute tokens: no token the server issues is ever good enough for
 * the cache, so every run fetches a new one. Said when a fresh token is already under it.
 */
function warnIfMinTtlUnreachable(view: { source: string; expiresAt?: number | undefined }, minTtl: number, deps: Deps): void {
  if (view.source === 'cache' || view.expiresAt === undefined) return
  const left = view.expiresAt - Math.floor(deps.now().getTime() / 1000)
  if (left > minTtl) return
  deps.io.err.write(
    `tokentool: warning: the new token lasts ${formatDuration(Math.max(0, left))}, not more than --min-ttl ${formatDuration(minTtl)}: no token can satisfy it, so every run gets a new one (lower --min-ttl)\n`,
  )
}

/** Nothing to get a token with, or the refresh token was refused: a person signing in fixes both. */
function signInWouldHelp(err: unknown): boolean {
  return err instanceof NoCredentialsError || (err instanceof AuthServerError && err.error === 'invalid_grant')
}

/**
 * kubectl said a person is there (`interactive: true`): `login` with the same server, client and
 * request flags, its output on stderr (stdout carries only the ExecCredential). The browser is
 * `$BROWSER` when set, else the system's; the `Open:` URL is printed either way.
 */
async function signInForKubectl(o: TokenFlags, profile: string, deps: Deps): Promise<void> {
  const { minTtl: _m, force: _f, clientCredentials: _c, clientAssertion: _ca, assertionAudience: _aa, assertion: _a, format: _fo, clientAuth: _au, ...rest } = o
  deps.io.err.write(`tokentool: profile "${profile}" needs a sign-in; kubectl runs tokentool interactively, so it starts now\n`)
  const { runLogin } = await import('./login.js')
  await runLogin({ ...rest, ...(o.clientAuth !== undefined ? { clientAuth: parseClientAuth(o.clientAuth) } : {}), open: true, ...(deps.env.BROWSER ? { browserCommand: deps.env.BROWSER } : {}) }, { ...deps, io: { ...deps.io, out: deps.io.err, stdoutIsTTY: deps.io.stderrIsTTY } })
}
