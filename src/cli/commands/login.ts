/**
 * `tokentool login`: sign in with the authorization code flow and PKCE through a loopback
 * redirect (or the device flow with `--device`), store the tokens in the profile, and save
 * the server, client and request settings there so later commands need no flags.
 * @module
 */
import { createInterface } from 'node:readline'
import { Option, type Command } from 'commander'
import type * as client from 'openid-client'
import { buildClientAuth } from '../../oauth/client-auth.js'
import { authChoice, clientCertSetting, readClientCert } from '../token-request.js'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { printable } from '../../core/printable.js'
import { UsageError } from '../../errors.js'
import { authorizationCodeLogin, type AuthRequest, type LoginUI } from '../../oauth/authorization-code.js'
import { createOAuthClient, parseHeaders } from '../../oauth/client.js'
import { deviceLogin, type DeviceUI } from '../../oauth/device.js'
import { REDIRECT_HOSTS, type RedirectHost } from '../../oauth/loopback.js'
import type { TokenResult } from '../../oauth/tokens.js'
import { storeLogin } from '../../oauth/user-session.js'
import { renderLogin } from '../../render/login.js'
import { startWaiting } from '../../render/spinner.js'
import { styleFor } from '../../render/style.js'
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type ProfileSettings } from '../../store/profiles.js'
import { openStore } from '../../store/store.js'
import { openBrowser } from '../browser.js'
import { resolveSecretArg } from '../secret-arg.js'
import { needsResourceDiscovery, resourceSignIn } from '../resource-login.js'
import { dpopKeySetting, loginDpopKey, type DpopFlags } from '../dpop-key.js'
import type { Deps } from '../deps.js'
import {
  addClientCertFlags,
  addRequestFlags,
  addServerClientFlags,
  claimsText,
  collect,
  parseParams,
  resolveClient,
  type RequestFlags,
  type ServerClientFlags,
} from '../oauth-flags.js'

/**
 * `--client-auth` and `--client-key` for login and refresh, resolved exactly as `token`
 * resolves them (flags over the profile): basic, post, private_key_jwt, none, or TLS client auth with --client-cert.
 */
/** `saves`: login writes these into the profile; refresh only reads the profile's (and says so in its help). */
export function addClientAuthFlags(cmd: Command, { saves = false }: { saves?: boolean } = {}): Command {
  const where = saves ? '; saved in the profile' : "; default: the profile's, saved at login"
  return cmd
    .addOption(new Option('--client-auth <method>', `client authentication (default: basic with a secret when the server offers it, else post; none without)${where}`).choices([...CLIENT_AUTH_METHODS]))
    .option('--client-key <file>', `private key (PEM or JWK) for private_key_jwt; also env:VAR${where}${saves ? ' as given' : ''}`)
    .option('--client-assertion-audience <aud>', `${ASSERTION_AUDIENCE_HELP}${where}`)
}

/** The help of `--client-assertion-audience`, wherever it is offered. */
export const ASSERTION_AUDIENCE_HELP = 'aud of the private_key_jwt assertion: issuer (default), token-endpoint (glewlwyd and others want it) or a URL'

/** The openid-client authentication for the flags and profile, or undefined to let the secret decide. */
export async function chosenClientAuth(
  o: { clientAuth?: string | undefined; clientKey?: string | undefined; clientAssertionAudience?: string | undefined },
  saved: ProfileSettings | undefined,
  secret: string | undefined,
  deps: Pick<Deps, 'env' | 'cwd'>,
): Promise<client.ClientAuth | undefined> {
  const choice = await authChoice(o, saved, secret, deps)
  // login and refresh send the secret they resolved: never a deferred one
  if (choice?.method === 'deferred_secret') throw new Error('a deferred client secret reached login/refresh')
  return choice ? buildClientAuth(choice) : undefined
}

export interface LoginFlags extends ServerClientFlags, RequestFlags, DpopFlags {
  par?: boolean
  jar?: boolean
  authorizationDetails?: string
  /** Internal (`call`): start from the resource's metadata whatever the profile holds. */
  fromResource?: boolean
  clientAuth?: ClientAuthMethod
  clientKey?: string
  clientAssertionAudience?: string
  clientCert?: string
  clientCertKey?: string
  port?: string
  redirectPath?: string
  redirectHost?: string
  open: boolean
  browserCommand?: string
  prompt?: string
  loginHint?: string
  acrValues?: string
  maxAge?: string
  param?: string[]
  timeout?: string
  device?: boolean
}

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('login')
    .summary('sign in (authorization code + PKCE, or device flow) and store the tokens')
    .description(
      'Sign in through the browser with the authorization code flow and PKCE (S256), the redirect ' +
        'coming back to a listener on the loopback address (RFC 8252); or, with --device, with the ' +
        'device authorization grant (RFC 8628). Tokens are stored in the profile, together with the ' +
        'issuer, client and request settings, so that refresh, token and call need no flags later.\n\n' +
        'The authorization URL is printed on stderr on a line that begins "Open: ". When the browser ' +
        'cannot reach this machine, paste the URL it ended on (the failed redirect) at the prompt. ' +
        'With offline_access in the scope and no --prompt, prompt=consent is sent: OpenID Connect ' +
        'servers ignore offline_access without it (use --prompt to send something else).\n\n' +
        'With --resource URL and no issuer or client id, the resource\'s protected resource metadata ' +
        '(RFC 9728) names the authorization server; without --client-id tokentool registers itself there ' +
        '(RFC 7591, a public client with a fixed loopback redirect URI) and keeps the client in the profile.',
    )
  addServerClientFlags(cmd, { saves: true })
  addClientAuthFlags(cmd, { saves: true })
  addClientCertFlags(cmd, { saves: true })
  addRequestFlags(cmd, 'scopes to ask for (default "openid"; add offline_access for a refresh token)')
  cmd
    .option('--device', 'device authorization grant (RFC 8628), for machines without a browser')
    .option('--port <n>', 'loopback port of the redirect URI (default 0 = any free port)')
    .option('--redirect-path <path>', 'path of the redirect URI (default /callback)')
    .addOption(new Option('--redirect-host <host>', 'host of the redirect URI (default 127.0.0.1)').choices([...REDIRECT_HOSTS]))
    .option('--no-open', 'do not open a browser; follow the "Open:" URL yourself')
    .option('--browser-command <cmd>', 'open the URL with this command instead of the system browser')
    .option('--prompt <prompt>', 'OIDC prompt (login, consent, select_account, none)')
    .option('--login-hint <hint>', 'login_hint (e.g. the user name)')
    .option('--acr-values <acr>', 'acr_values to request')
    .option('--max-age <duration>', 'max_age: maximum authentication age (e.g. 10m); auth_time is checked')
    .option('--param <name=value>', 'extra authorization request parameter (repeatable)', collect)
    .option('--timeout <duration>', 'how long to wait for the sign-in (default 5m)')
    .option('--par', 'pushed authorization request (RFC 9126): the browser URL carries only client_id and request_uri (automatic when the server requires it)')
    .option('--no-par', 'parameters in the authorization URL even when the server supports PAR')
    .option('--jar', 'signed request object (RFC 9101 JAR), signed with --client-key')
    .option('--authorization-details <json>', 'RFC 9396 rich authorization request: a JSON array of authorization details (also @file)')
    .option('--dpop', "DPoP-bound tokens (RFC 9449): dpop_jkt on the authorization request, proofs signed by the profile's DPoP key; saved in the profile")
    .option('--no-dpop', 'bearer tokens even when the profile used DPoP before; saved in the profile')
    .option('--dpop-key <file>', "your own DPoP private key (PEM or JWK) instead of the profile's generated ES256 key; saved in the profile as a path")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ tokentool login --issuer https://login.example.com --client-id cli-app --scope "openid offline_access"\n' +
        '  $ tokentool login --profile work --device\n' +
        '  $ tokentool login --profile mcp --resource https://mcp.example.com/mcp     # server and client from the resource (RFC 9728, RFC 7591)\n' +
        '  $ tokentool login --profile bank --issuer https://as.bank.example --client-id cli --dpop\n' +
        '  $ tokentool login --profile fapi --client-id app --client-auth private_key_jwt --client-key key.pem --par --jar --dpop\n' +
        '  $ tokentool login --issuer https://accounts.google.com --client-id ID --client-secret env:GOOGLE_SECRET --redirect-host localhost --param access_type=offline\n',
    )
    .action((o: LoginFlags) => runLogin(o, deps))
  return cmd
}

function parsePort(text: string | undefined, saved: number | undefined): number {
  if (text === undefined) return saved ?? 0
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${text}"`)
  return Number(text)
}

export async function runLogin(given: LoginFlags, deps: Deps): Promise<void> {
  const profile = deps.global.profile
  const store = openStore(deps)
  const saved = await store.getSettings(profile)
  // --resource alone: the server and the client come from the resource's metadata (RFC 9728)
  const o = needsResourceDiscovery(given, saved) ? await resourceSignIn(given, store, profile, deps, saved) : given
  const resolved = await resolveClient(o, saved, deps, profile)
  const scope = o.scope ?? saved?.scope ?? 'openid'
  const claims = claimsText(o)
  const resources = o.resource?.length ? o.resource : saved?.resource
  const audience = o.audience ?? saved?.audience?.[0]
  const params = o.param ? parseParams(o.param) : Object.entries(saved?.params ?? {})
  const timeoutSec = parseDuration(o.timeout ?? '5m', '--timeout')
  if (timeoutSec <= 0) throw new UsageError('--timeout must be longer than 0s')
  // Node's timers overflow past 2^31-1 ms (24.8 days) and then fire at once
  if (timeoutSec > 7 * 86_400) throw new UsageError(`--timeout ${o.timeout} is longer than a week: a sign-in does not wait that long`)
  const host = (o.redirectHost ?? saved?.redirect?.host ?? '127.0.0.1') as RedirectHost
  if (!REDIRECT_HOSTS.includes(host)) throw new UsageError(`redirect host must be one of ${REDIRECT_HOSTS.join(', ')}`)
  const port = parsePort(o.port, saved?.redirect?.port)
  const path = o.redirectPath ?? saved?.redirect?.path ?? '/callback'
  if (!path.startsWith('/')) throw new UsageError(`--redirect-path must start with "/": ${path}`)

  const authorizationDetails = o.authorizationDetails !== undefined ? await authorizationDetailsArg(o.authorizationDetails, deps) : undefined
  if (o.device && (o.par || o.jar)) throw new UsageError('--par and --jar shape a browser sign-in; the device flow (--device) has no authorization URL')
  const keyIssuer = resolved.issuer ?? new URL(resolved.endpoints.token_endpoint!).origin
  const dpop = await loginDpopKey(o, saved, { store, profile, issuer: keyIssuer }, deps)
  // mTLS (RFC 8705): the certificate is offered at the token endpoint (its mTLS alias, where the server has one)
  const clientCert = await readClientCert(o, deps, resolved.settings)
  const auth = await chosenClientAuth(o, resolved.settings, resolved.clientSecret, deps)
  const oc = await createOAuthClient({ issuer: resolved.issuer, endpoints: resolved.endpoints }, { ...resolved, auth, dpop: dpop?.key, ...(clientCert ? { clientCert } : {}) }, deps)
  let result: TokenResult
  if (o.device) {
    result = await deviceLogin(oc, { scope, claims, resources, audience, extra: params }, timeoutSec, deviceUI(deps))
  } else {
    const req: AuthRequest = {
      scope,
      prompt: o.prompt,
      loginHint: o.loginHint,
      acrValues: o.acrValues,
      maxAge: o.maxAge !== undefined ? parseDuration(o.maxAge, '--max-age') : undefined,
      claims,
      resources,
      audience,
      extra: params,
      par: o.par,
      authorizationDetails,
      ...(o.jar ? { jarKey: await jarKey(o, saved, deps) } : {}),
    }
    const pasted = pastedLines(deps)
    try {
      result = await authorizationCodeLogin(oc, req, { host, port, path, timeoutSec }, browserUI(deps, o, pasted.lines))
    } finally {
      pasted.close()
    }
  }

  const issuer = oc.metadata.issuer
  await dpop?.commit()
  await storeLogin(store, profile, result, { issuer, clientId: resolved.clientId, scope, audience, resource: resources, claims, dpopJkt: dpop?.key.jkt, authorizationDetails, mtlsX5t: clientCert?.x5t }, deps.now())
  const asSaved = {
    ...(o.dpopKey !== undefined ? { dpopKey: dpopKeySetting(o.dpopKey, deps.cwd) } : {}),
    ...(o.clientCert !== undefined ? { clientCert: clientCertSetting(o.clientCert, deps.cwd) } : {}),
    ...(o.clientCertKey !== undefined ? { clientCertKey: clientCertSetting(o.clientCertKey, deps.cwd) } : {}),
  }
  await store.updateSettings(profile, (cur) => settingsAfterLogin(cur, { ...o, ...asSaved }, { issuer, clientId: resolved.clientId, clientSecret: resolved.clientSecretSetting, scope, authorizationDetails }, oc.discovered ? {} : resolved.endpoints))
  renderLogin(
    deps.io,
    {
      action: 'Signed in',
      profile,
      issuer,
      tokenType: result.tokenType,
      accessToken: result.accessToken,
      expiresAt: result.expiresAt,
      scope: result.scope ?? scope,
      idToken: result.idToken,
      idTokenClaims: result.idTokenClaims,
      refreshTokenStored: result.refreshToken !== undefined,
      storedIn: store.tokensLocation(profile),
      authorizationDetails: result.authorizationDetails,
    },
    { json: deps.global.json, now: deps.now() },
  )
}

/** What the profile remembers after a successful login: the flags given now over what it had. */
export function settingsAfterLogin(
  cur: ProfileSettings | undefined,
  o: LoginFlags,
  got: { issuer: string; clientId: string; clientSecret: string | undefined; scope: string; authorizationDetails?: string | undefined },
  endpoints: Record<string, string>,
): ProfileSettings {
  const base: ProfileSettings = { ...cur }
  // endpoint overrides belong to the server they were given for
  if (cur?.issuer !== undefined && cur.issuer !== got.issuer) {
    delete base.endpoints
    // and so do the stored credentials: a secret or key saved for the old server is not
    // carried over to the new one (only what this login was given is saved for it)
    delete base.clientSecret
    delete base.clientKey
    delete base.clientAuth
    delete base.clientCert
    delete base.clientCertKey
  }
  const next: ProfileSettings = { ...base, issuer: got.issuer, clientId: got.clientId, scope: got.scope }
  // the new session's authorization details (RFC 9396), or none: they shape its tokens as the scope does
  if (got.authorizationDetails !== undefined) next.authorizationDetails = got.authorizationDetails
  else delete next.authorizationDetails
  if (got.clientSecret !== undefined) next.clientSecret = got.clientSecret
  if (o.clientAuth) next.clientAuth = o.clientAuth
  if (o.clientKey) next.clientKey = o.clientKey
  if (o.clientAssertionAudience) next.clientAssertionAudience = o.clientAssertionAudience.trim()
  // the pair is saved together (readClientCert took it only as a pair)
  if (o.clientCert !== undefined && o.clientCertKey !== undefined) {
    next.clientCert = o.clientCert
    next.clientCertKey = o.clientCertKey
  }
  if (o.dpop !== undefined || o.dpopKey !== undefined) next.dpop = o.dpop ?? true
  if (o.dpopKey !== undefined) next.dpopKey = o.dpopKey
  else if (o.dpop === false) delete next.dpopKey
  if (o.audience) next.audience = [o.audience]
  if (o.resource?.length) next.resource = o.resource
  if (o.param?.length) next.params = Object.fromEntries(parseParams(o.param))
  if (o.header?.length) next.headers = { ...cur?.headers, ...parseHeaders(o.header) }
  if (Object.keys(endpoints).length) next.endpoints = { ...base.endpoints, ...endpoints }
  const redirect = { ...cur?.redirect }
  if (o.redirectHost) redirect.host = o.redirectHost
  if (o.port !== undefined) redirect.port = Number(o.port)
  if (o.redirectPath) redirect.path = o.redirectPath
  if (Object.keys(redirect).length) next.redirect = redirect
  return next
}

/** Lines typed or piped on stdin: a pasted redirect URL. A closed stdin simply ends them. */
function pastedLines(deps: Deps): { lines: AsyncIterable<string>; close(): void } {
  const rl = createInterface({ input: deps.io.in, crlfDelay: Infinity, terminal: false })
  return {
    lines: rl,
    close() {
      rl.close()
      ;(deps.io.in as NodeJS.ReadStream).pause?.()
    },
  }
}

/** A line on stderr that does not land in the middle of the spinner's line. */
function noticeWriter(deps: Deps): (line: string) => void {
  return (line) => void deps.io.err.write(`${deps.io.stderrIsTTY ? '\r\x1b[2K' : ''}${line}\n`)
}

function browserUI(deps: Deps, o: LoginFlags, pasted: AsyncIterable<string>): LoginUI {
  const err = deps.io.err
  const notice = noticeWriter(deps)
  const s = styleFor({ color: deps.io.stderrIsTTY && deps.io.color })
  return {
    showUrl(url) {
      err.write(`Open: ${url.href}\n`)
    },
    async openBrowser(url) {
      if (!o.open) return
      // not awaited: the listener is up, a slow launcher must not hold the wait back
      void openBrowser(url.href, o.browserCommand).then((problem) => {
        if (problem) notice(`${s.yellow('!')} could not open a browser (${problem}); open the URL above yourself`)
      })
    },
    waiting(redirectUri, timeoutSec) {
      if (deps.io.stdinIsTTY) err.write(s.dim('If your browser cannot reach this machine, paste the URL it ends on here and press Enter.\n'))
      const stop = startWaiting({ ...deps.io, color: deps.io.stderrIsTTY && deps.io.color }, `Waiting for the sign-in to come back to ${redirectUri.href}`, timeoutSec)
      // the commonest reason nothing comes back: the provider refused the redirect URI on its
      // own page (glewlwyd, Keycloak, Okta and others match it exactly, port included)
      const hint = setTimeout(() => notice(redirectUriNotice(redirectUri, o.port !== undefined)), REDIRECT_HINT_AFTER_MS)
      hint.unref()
      return () => {
        clearTimeout(hint)
        stop()
      }
    },
    refused(status, page) {
      notice(`${s.yellow('!')} ignored a request to the redirect listener (HTTP ${status}: ${page.title.toLowerCase()}); still waiting`)
    },
    pasted,
  }
}

/** How long a sign-in may take before the redirect URI note is worth a line. */
const REDIRECT_HINT_AFTER_MS = 5_000

/** The note on the redirect URI sent, said once while waiting. */
export function redirectUriNotice(redirectUri: URL, portGiven: boolean): string {
  const fix = portGiven ? 'or change --redirect-host/--redirect-path to match a registered one' : 'or give --port (and --redirect-host) to match a registered one'
  return (
    `note: the redirect URI sent was ${printable(redirectUri.href)}; a provider that matches redirect URIs exactly ` +
    `(most do, port included; Entra ID and Google accept any loopback port) shows an error page instead of coming back: register this URI with the client, ${fix}`
  )
}

function deviceUI(deps: Deps): DeviceUI {
  const err = deps.io.err
  const s = styleFor({ color: deps.io.stderrIsTTY && deps.io.color })
  return {
    show(code) {
      err.write(`Verify: ${code.verificationUriComplete ?? code.verificationUri}\n`)
      err.write(`Code: ${s.bold(code.userCode)}\n`)
      if (code.verificationUriComplete) err.write(s.dim(`(or open ${code.verificationUri} and enter the code; it expires in ${formatDuration(code.expiresIn)})\n`))
    },
    waiting(timeoutSec) {
      return startWaiting({ ...deps.io, color: deps.io.stderrIsTTY && deps.io.color }, 'Waiting for the code to be entered', timeoutSec)
    },
  }
}

/** `--authorization-details JSON` (or `@file`), checked as RFC 9396 §2 asks. */
export async function authorizationDetailsArg(value: string, deps: Pick<Deps, 'env' | 'cwd'>): Promise<string> {
  const { parseAuthorizationDetails } = await import('../../core/rar.js')
  const text = value.startsWith('@') ? await resolveSecretArg(value, deps, '--authorization-details') : value
  return parseAuthorizationDetails(text)
}

/** The JAR signing key: the client key (`--client-key`, else the profile's). */
async function jarKey(o: LoginFlags, saved: ProfileSettings | undefined, deps: Deps): Promise<client.PrivateKey> {
  const keyArg = o.clientKey ?? saved?.clientKey
  if (keyArg === undefined) throw new UsageError('--jar signs the request object with the client key: give --client-key FILE (a private PEM or JWK registered with the server)')
  const text = keyArg.startsWith('env:') ? await resolveSecretArg(keyArg, deps, '--client-key') : await resolveSecretArg(`@${keyArg.replace(/^@/, '')}`, deps, '--client-key')
  const { privateSigningKey } = await import('../../oauth/client-auth.js')
  return privateSigningKey(text, '--client-key')
}
