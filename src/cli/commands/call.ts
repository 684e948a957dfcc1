/**
 * `tokentool call URL`: a curl-like request with the profile's access token. On a `401`
 * `insufficient_claims` challenge it obtains a token with the challenge's claims request
 * (refresh first, sign-in when refresh cannot and a terminal is there) and retries once.
 * @module
 */
import type { Command } from 'commander'
import { claimsParameter } from '../../core/cae/claims.js'
import { exitCodeForStatus } from '../../core/cae/call-decision.js'
import { NetworkError, TokenInvalidError, UsageError } from '../../errors.js'
import { isLoopbackHost } from '../../http/loopback.js'
import { printable } from '../../core/printable.js'
import { callApi, type ApiRequest, type CallResult, type StepUpRequest } from '../../oauth/call.js'
import { explain, type ExplainResult } from '../../core/explain/causes.js'
import { renderExplain } from '../../render/explain.js'
import { profileTokenSource, type ProfileClient } from '../../oauth/call-token.js'
import { createOAuthClient } from '../../oauth/client.js'
import { challengeSummary, renderCallResult, renderChallenged, renderRefreshFailed, renderRefusal, renderRetrying, renderSteppingUp } from '../../render/call.js'
import { openStore } from '../../store/store.js'
import { confirmationOf } from '../../core/jwt/confirmation.js'
import { signInForResourceIfNeeded } from '../call-resource-signin.js'
import { canPrompt, type Deps } from '../deps.js'
import { addClientCertFlags, resolveClient } from '../oauth-flags.js'
import { readClientCert, type ClientCert } from '../token-request.js'
import { readNamedBytes } from '../read-file.js'
import { readStreamBytes } from '../input.js'
import { chosenClientAuth, runLogin, type LoginFlags } from './login.js'
import { addDpopFlags, dpopWanted, resolveDpopKey, type DpopFlags } from '../dpop-key.js'

/** One `-d` / `--data-binary` value, in command-line order (curl joins them with "&"). */
interface DataPiece {
  value: string
  binary: boolean
}

export interface CallFlags extends DpopFlags {
  request?: string
  header: string[]
  data: DataPiece[]
  include?: boolean
  cae?: boolean
  explain?: boolean
  open: boolean
  browserCommand?: string
  allowHttp?: boolean
  clientCert?: string
  clientCertKey?: string
}

export function register(parent: Command, deps: Deps): Command {
  const pieces: DataPiece[] = []
  const piece = (binary: boolean) => (value: string) => {
    pieces.push({ value, binary })
    return pieces
  }
  const cmd = parent
    .command('call')
    .summary("send a request with the profile's access token; answer a CAE claims challenge once")
    .description(
      "Sends a request to an API with the profile's access token, like curl. The response body goes " +
        'to stdout as received (with -i after the status line and headers). On a 401 with an ' +
        'insufficient_claims challenge (Continuous Access Evaluation), the claims request is decoded, ' +
        'a token that satisfies it is obtained (a refresh with the claims first; a sign-in when refresh ' +
        'cannot, only in a terminal) and the request is sent once more. A second challenge is reported, ' +
        'never answered. Other 401s show the decoded challenge.\n\n' +
        'Exit codes: 0 for a 2xx (or an unfollowed 3xx) response, 1 when the API refuses (4xx: the ' +
        'token is not good enough for it, even after the retry), 3 for a network failure or a 5xx, ' +
        '2 for usage errors, 4 when the authorization server refuses the new token.',
    )
    .argument('<url>', 'the API URL (https; plain http sends the token readable on the way)')
    .option('-X, --request <method>', 'request method (default GET, or POST with -d)')
    .option('-H, --header <header>', 'request header "Name: value" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-d, --data <data>', 'request body, as curl -d: text, @file (newlines removed) or @- for stdin; repeatable, joined with &', piece(false))
    .option('--data-binary <data>', 'request body as is: text, @file or @- (repeatable, joined with &)', piece(true))
    .option('-i, --include', 'print the status line and response headers before the body')
    .option('--cae', 'announce the client capability cp1 (xms_cc) in the claims request when acquiring tokens')
    .option('--explain', 'when the API refuses (4xx), explain why: ranked causes with evidence and fixes (as tokentool explain), on stderr (in the --json document as "explain")')
    .option('--no-open', 'when a sign-in is needed, do not open a browser; follow the "Open:" URL yourself')
    .option('--browser-command <cmd>', 'when a sign-in is needed, open the URL with this command')
    .option('--allow-http', 'send the token over plain http to a host that is not loopback (a dev API on a private network)')
  addDpopFlags(cmd)
  addClientCertFlags(cmd)
  return cmd
    .addHelpText(
      'after',
      '\nA DPoP-bound token (token_type DPoP, or --dpop) goes as "Authorization: DPoP <token>" with a fresh\n' +
        'proof (htm, htu, iat, jti, ath); a use_dpop_nonce answer is retried once with the DPoP-Nonce given.\n' +
        'A certificate-bound token (RFC 8705, cnf.x5t#S256) needs its certificate in the TLS handshake: the\n' +
        "profile's (saved by login --client-cert) or --client-cert/--client-cert-key.\n" +
        '\nExamples:\n' +
        '  $ tokentool call https://graph.microsoft.com/v1.0/me --cae\n' +
        '  $ tokentool call --profile bank --dpop https://api.bank.example/accounts\n' +
        '  $ tokentool call -i -X POST -H "Content-Type: application/json" -d \'{"name":"x"}\' https://api.example.com/items\n' +
        "  $ tokentool --json call https://api.example.com/me | jq '.status, .retried'\n" +
        '  $ tokentool call https://api.example.com/orders --explain\n',
    )
    .action((url: string, o: Omit<CallFlags, 'data' | 'header'> & { header?: string[] }) => runCall(url, { ...o, header: o.header ?? [], data: pieces }, deps))
}

/** Splits `Name: value` (also `Name=value`, as tokentool's other --header flags). */
export function parseRequestHeader(text: string): [string, string] {
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*[:=]\s?(.*)$/s.exec(text)
  if (!m) throw new UsageError(`-H must look like "Name: value": ${text}`)
  const name = m[1]!
  if (name.toLowerCase() === 'authorization') {
    throw new UsageError('call sends the profile\'s access token as the Authorization header; use curl to send one of your own')
  }
  return [name, m[2]!.trim()]
}

/**
 * The largest request body piece call reads (each `-d @file`, `--data-binary @file` or `@-`): as
 * large as the answer it reads (32 MiB), far above what an API debugged from a terminal takes;
 * and a device that never ends (`-d @/dev/zero`) is refused in one line instead of read until
 * memory runs out. curl streams a body; call holds it, to send it again after a claims challenge.
 */
export const MAX_BODY_BYTES = 32 * 1024 * 1024
const BODY_LIMIT = `call sends request bodies up to ${MAX_BODY_BYTES / (1024 * 1024)} MiB`

/** The request body from `-d`/`--data-binary`, as curl builds it; undefined without any. */
export async function requestBody(pieces: readonly DataPiece[], deps: Pick<Deps, 'io' | 'cwd'>): Promise<Buffer | undefined> {
  if (pieces.length === 0) return undefined
  let stdinUsed = false
  const parts: Buffer[] = []
  for (const p of pieces) {
    let bytes: Buffer
    if (p.value.startsWith('@')) {
      const path = p.value.slice(1)
      if (path === '-') {
        if (stdinUsed) throw new UsageError('@- (stdin) can be read only once')
        stdinUsed = true
        bytes = await readStreamBytes(deps.io.in, MAX_BODY_BYTES, `cannot read the request body from stdin: it is over ${MAX_BODY_BYTES / (1024 * 1024)} MiB (${BODY_LIMIT})`)
      } else {
        if (path === '') throw new UsageError('-d: "@" must be followed by a file name (or - for stdin)')
        bytes = await readNamedBytes(path, deps.cwd, 'the request body file', { limit: MAX_BODY_BYTES, over: BODY_LIMIT })
      }
      // curl -d @file drops carriage returns and newlines; --data-binary keeps the bytes
      if (!p.binary) bytes = Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d))
    } else {
      bytes = Buffer.from(p.value, 'utf8')
    }
    parts.push(bytes)
  }
  const joined: Buffer[] = []
  parts.forEach((b, i) => joined.push(...(i > 0 ? [Buffer.from('&'), b] : [b])))
  return Buffer.concat(joined)
}

function parseUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`not a URL: ${text}`, { hint: 'give the full URL, e.g. https://api.example.com/me' })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`call speaks http and https, not ${url.protocol}`)
  return url
}

export async function runCall(urlText: string, o: CallFlags, deps: Deps): Promise<void> {
  const url = parseUrl(urlText)
  const headers = o.header.map(parseRequestHeader)
  const body = await requestBody(o.data, deps)
  if (body !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']) // as curl -d
  }
  const method = o.request ?? (body !== undefined ? 'POST' : 'GET')
  const req: ApiRequest = { url, method, headers, body }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    // as everywhere in tokentool: a bearer token over plain http only to loopback, unless asked
    if (!o.allowHttp) {
      throw new UsageError(`the API URL must use https (plain http is allowed only for loopback): ${printable(url.origin)}`, {
        hint: 'the token would travel readable; for a dev API on a private network add --allow-http',
      })
    }
    deps.io.err.write(`tokentool: warning: sending the access token over plain http to ${printable(url.host)} (--allow-http): anyone on the way can read it\n`)
  }

  const profile = deps.global.profile
  const store = openStore(deps)
  const settings = () => store.getSettings(profile)
  // the profile's key, needed for a DPoP-bound stored token whatever the flags say
  const dpopKey = async () => {
    const saved = await settings()
    const tokens = await store.getTokens(profile)
    const issuer = saved?.issuer ?? tokens?.issuer
    if (!issuer) throw new UsageError(`profile "${profile}" has no issuer: no DPoP key to sign proofs with`)
    return resolveDpopKey({ ...o, dpop: true }, saved, { store, profile, issuer, create: dpopWanted(o, saved) ? 'create' : 'none' }, deps)
  }
  let keyP: ReturnType<typeof dpopKey> | undefined
  const key = () => (keyP ??= dpopKey())
  // mTLS (RFC 8705): the certificate goes to the API (a certificate-bound token is checked against
  // it) and to the token endpoint for a refresh; read before anything is sent
  const cert = await clientCertForCall(o, deps)
  const client = async (): Promise<ProfileClient> => {
    // read when needed: a sign-in from the resource's metadata may have just saved them
    const saved = await store.getSettings(profile)
    const rc = await resolveClient({}, saved, deps, profile)
    const dpop = dpopWanted(o, saved) ? await key() : undefined
    const oc = await createOAuthClient({ issuer: rc.issuer, endpoints: rc.endpoints }, { ...rc, auth: await chosenClientAuth({}, saved, rc.clientSecret, deps), dpop, ...(cert ? { clientCert: cert } : {}) }, deps)
    return {
      oc,
      shape: { clientId: rc.clientId, scope: saved?.scope, audience: saved?.audience, resource: saved?.resource, dpopJkt: dpop?.jkt, authorizationDetails: saved?.authorizationDetails, mtlsX5t: cert?.x5t },
      resources: saved?.resource,
      audience: saved?.audience?.[0],
    }
  }
  // the sign-in talks on stderr and reads a pasted URL from stdin; stdout carries the body
  const terminal = deps.io.stdinIsTTY && (canPrompt(deps.io) || deps.io.stderrIsTTY)
  const tokens = profileTokenSource({
    store,
    profile,
    now: deps.now,
    client,
    caeClaims: o.cae ? claimsParameter({ cae: true }) : undefined,
    login: terminal ? (claims) => signIn(claims, o, deps) : undefined,
    stepUpLogin: terminal ? (ask) => signIn(undefined, o, deps, undefined, ask) : undefined,
    onWait: () => void deps.io.err.write(`waiting for another tokentool process to finish with profile "${profile}"...\n`),
    onRefreshFailed: (why) => renderRefreshFailed(deps.io, why),
  })

  // no token yet, and the API names its metadata (RFC 9728): sign in for it first
  await signInForResourceIfNeeded(url, tokens, deps, { terminal, signIn: (resource) => signIn(undefined, o, deps, resource) })

  const { makeProof } = await import('../../oauth/dpop.js')
  const result = await callApi(req, await deps.fetch(cert ? { clientCert: cert } : undefined), tokens, {
    cae: o.cae,
    dpop: o.dpop === false ? undefined : {
      always: dpopWanted(o, await settings()),
      proof: async (method, u, accessToken, nonce) => makeProof((await key())!, { method, url: u, accessToken, nonce, now: deps.now() }),
    },
    steps: {
      challenged: (c, claims) => renderChallenged(deps.io, c, claims),
      steppingUp: (c, ask) => renderSteppingUp(deps.io, c, ask),
      retrying: (t) => renderRetrying(deps.io, t),
      nonceRetry: () => void deps.io.err.write('tokentool: the API asked for a DPoP nonce (use_dpop_nonce): sending the request again with it\n'),
    },
  })

  const { status, statusText } = result.response
  const explained = o.explain && status >= 400 && status < 500 ? explainCall(result, deps) : undefined
  renderCallResult(deps.io, result, { json: deps.global.json, include: Boolean(o.include), explain: explained })
  if (explained && !deps.global.json) {
    renderExplain({ out: deps.io.err, color: deps.io.stderrIsTTY && deps.io.color, columns: deps.io.columns }, explained, { json: false })
  }
  const code = exitCodeForStatus(status)
  if (code === 0) return
  const said = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`
  if (!deps.global.json && !explained) renderRefusal(deps.io, result.verdict)
  if (code === 3) throw new NetworkError(`the API answered ${said}`)
  if (result.nonceLoop) {
    throw new TokenInvalidError(`the API asked for a DPoP nonce again after one retry with the nonce it gave (use_dpop_nonce): ${said}, not retrying`, {
      hint: 'the API does not accept its own nonces: check its DPoP nonce handling (or its clock)',
    })
  }
  if (status === 401 || status === 403) {
    const challenge = result.verdict.kind === 'none' ? null : result.verdict.challenge
    const again = result.retried ? ' after one retry with a new token (not retrying again)' : ''
    const bound = certificateBindingHint(result.sentToken.accessToken, cert)
    throw new TokenInvalidError(`the API refused the token${again}: ${said}, ${challengeSummary(challenge)}`, bound ? { hint: bound } : {})
  }
  throw new TokenInvalidError(`the API answered ${said}`)
}

/** `--explain`: the final response and the token it carried, through explain's core. */
function explainCall(result: CallResult, deps: Deps): ExplainResult {
  const { response } = result
  let body: string | null = null
  try {
    body = response.body.length ? new TextDecoder('utf-8', { fatal: true }).decode(response.body) : null
  } catch {
    body = null // a binary body says nothing explain can read
  }
  return explain({
    response: { status: response.status, headers: response.headers, body, form: 'head' },
    token: result.sentToken.accessToken,
    tokenFrom: 'profile',
    now: deps.now(),
    nowSource: 'local',
    url: result.request.url,
    profile: deps.global.profile,
    sentScheme: result.scheme,
  })
}

/**
 * The certificate `call` presents: `--client-cert`/`--client-cert-key`, else the profile's (saved by
 * login for the server it signed in at). Undefined when neither has one.
 */
async function clientCertForCall(o: CallFlags, deps: Deps): Promise<ClientCert | undefined> {
  if (o.clientCert !== undefined || o.clientCertKey !== undefined) return readClientCert(o, deps)
  return readClientCert({}, deps, await openStore(deps).getSettings(deps.global.profile))
}

/**
 * Why a refused certificate-bound token (`cnf.x5t#S256`, RFC 8705 §3) may have been refused:
 * sent without a certificate, or with another one than it is bound to. Undefined otherwise.
 */
export function certificateBindingHint(accessToken: string, cert: Pick<ClientCert, 'x5t'> | undefined): string | undefined {
  const bound = confirmationOf(accessToken)?.['x5t#S256']
  if (typeof bound !== 'string') return undefined
  if (!cert) return 'the token is certificate-bound (cnf.x5t#S256) and no client certificate was presented: give --client-cert FILE --client-cert-key FILE'
  if (cert.x5t !== bound) return `the token is bound to the certificate with x5t#S256 ${bound}, the one presented is ${cert.x5t}: give the one it was issued to with --client-cert FILE --client-cert-key FILE`
  return undefined
}

/**
 * The sign-in fallback: `login` with the claims request, or for a protected resource named by
 * its metadata (`resource`), its summary on stderr.
 */
async function signIn(claims: string | undefined, o: CallFlags, deps: Deps, resource?: string, stepUp?: StepUpRequest): Promise<void> {
  const flags: LoginFlags = {
    ...(claims !== undefined ? { claims } : {}),
    ...(stepUp?.acrValues !== undefined ? { acrValues: stepUp.acrValues } : {}),
    ...(stepUp?.maxAge !== undefined ? { maxAge: String(stepUp.maxAge) } : {}),
    ...(resource !== undefined ? { resource: [resource], fromResource: true } : {}),
    open: o.open,
    ...(o.browserCommand !== undefined ? { browserCommand: o.browserCommand } : {}),
  }
  const io = { ...deps.io, out: deps.io.err, stdoutIsTTY: deps.io.stderrIsTTY, color: deps.io.stderrIsTTY && deps.io.color }
  await runLogin(flags, { ...deps, io, global: { ...deps.global, json: false } })
}
