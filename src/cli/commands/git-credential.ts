/**
 * `tokentool git-credential get|store|erase`: git's credential helper. `get` answers with the
 * profile's access token as the password (cached, refreshed or from client credentials, as
 * `token`); `erase` (git says the server refused it) drops the cached token; `store` is
 * accepted and ignored (the token store already has it). Nothing but the answer goes to
 * stdout. `configure --host H` saves a git host in the profile, so that one helper line
 * serves several servers.
 * @module
 */
import { Argument, type Command } from 'commander'
import { parseDuration } from '../../core/duration.js'
import { formatGitCredential, GIT_CREDENTIAL_ACTIONS, normalizeGitHost, parseGitCredentialRequest, profilesForHost, safeToSend, type GitCredentialRequest } from '../../core/git-credential.js'
import { printable } from '../../core/printable.js'
import { registerSecret } from '../../core/secret-values.js'
import { UsageError } from '../../errors.js'
import { noSuchProfile, openStore, type TokenStore } from '../../store/store.js'
import { acquireToken } from '../acquire-token.js'
import type { Deps } from '../deps.js'
import { readStream } from '../input.js'
import type { TokenFlags } from '../token-request.js'

export interface GitCredentialFlags {
  username?: string
  minTtl: string
  host?: string
}

/** GitLab's documented user name for OAuth tokens; GitHub and most others take any non-empty one. */
const DEFAULT_USERNAME = 'oauth2'

export function register(parent: Command, deps: Deps): Command {
  const cmd = parent
    .command('git-credential')
    .summary("git's credential helper: the profile's access token as the password")
    .description(
      "git's credential helper protocol on stdin and stdout. get: answers username, password (the profile's " +
        'access token: cached, refreshed, or from client credentials, as `token`) and password_expiry_utc; the ' +
        'profile is --profile (TOKENTOOL_PROFILE is not used here), else the one that saved the host with `configure --host`, else the one whose ' +
        'issuer is on that host; no profile for the host means no answer (git asks its other helpers). erase: ' +
        'drops the cached access token git was refused with. store: accepted and ignored. Tokens go over https, ' +
        'or plain http only to this machine.',
    )
    .addArgument(new Argument('<action>', 'what git asks').choices([...GIT_CREDENTIAL_ACTIONS, 'configure']))
    .option('--username <name>', `the user name to answer (default: the one git sent, else ${DEFAULT_USERNAME})`)
    .option('--min-ttl <duration>', 'a cached token must have more than this left', '60s')
    .option('--host <host>', 'get/erase: answer only for this git server (host[:port]); configure: the server this profile answers for')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  $ git config --global credential.https://git.example.com.helper '!tokentool git-credential --profile corp'\n" +
        '  $ tokentool git-credential configure --profile corp --host git.example.com\n' +
        "  $ git config --global credential.helper '!tokentool git-credential'     # any host a profile claims\n" +
        "  $ git config --global credential.helper '!tokentool git-credential --profile corp --host git.corp.example'\n" +
        '  $ printf "protocol=https\\nhost=git.example.com\\n\\n" | tokentool git-credential get\n',
    )
    .action((action: string, o: GitCredentialFlags, c: Command) => runGitCredential(action, o, explicitProfile(c), deps))
  return cmd
}

/**
 * `--profile` on the helper's command line. TOKENTOOL_PROFILE does not count: set for other
 * reasons in a shell, it would hand that profile's token to every host git asks about.
 */
function explicitProfile(c: Command): string | undefined {
  for (let cmd: Command | null = c; cmd; cmd = cmd.parent) {
    if (cmd.getOptionValueSource('profile') === 'cli') return cmd.getOptionValue('profile') as string
  }
  return undefined
}

export async function runGitCredential(action: string, o: GitCredentialFlags, explicitProfile: string | undefined, deps: Deps): Promise<void> {
  if (action === 'configure') return configure(o, explicitProfile ?? deps.global.profile, deps)
  // git writes the whole request before reading the answer: read it all, whatever the action
  const req = parseGitCredentialRequest(await readStream(deps.io.in))
  // git sends the password it was refused with to `erase`: never to be echoed
  registerSecret(req.password)
  if (action === 'store') return
  // `--host H` on the helper line: answer for that git server only (safe as a global helper)
  if (o.host !== undefined && normalizeGitHost(req.host ?? '') !== gitHostArg(o.host)) return
  // one short run: config.json read once, for the host's profile and then its settings
  const store = openStore(deps, { readConfigOnce: true })
  const profile = explicitProfile ?? (await profileFor(req, store))
  if (profile === undefined) return // not ours: git asks its other helpers, or the user
  if (action === 'erase') return erase(store, profile, req.password)

  const host = req.host ?? ''
  if (!safeToSend(req.protocol, host)) {
    throw new UsageError(`git-credential: not sending profile "${profile}"'s token over ${printable(req.protocol ?? 'an unknown protocol')} to ${printable(host)}`, { hint: 'use an https URL' })
  }
  const minTtl = parseDuration(o.minTtl, '--min-ttl')
  const view = await acquireToken({ minTtl: o.minTtl } as TokenFlags, { profile, minTtl, force: false, store }, deps)
  deps.io.out.write(formatGitCredential({ username: o.username ?? req.username ?? DEFAULT_USERNAME, password: view.accessToken, expiresAt: view.expiresAt }))
}

/** The one profile that answers for the request's host; undefined when none does. */
async function profileFor(req: GitCredentialRequest, store: TokenStore): Promise<string | undefined> {
  if (!req.host) return undefined
  // issuers and saved hosts only: config.json read once, no profile's secret
  const all = Object.entries(await store.allShareableSettings())
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([profile, s]) => ({ profile, issuer: s.issuer, gitHosts: s.gitHosts }))
  const found = profilesForHost(req.host, all)
  if (found.length > 1) {
    throw new UsageError(`git-credential: profiles ${found.map((p) => `"${p}"`).join(', ')} all answer for ${printable(req.host)}`, {
      hint: `name one in the helper line: '!tokentool git-credential --profile ${found[0]}'`,
    })
  }
  return found[0]
}

/** git was refused with this password: the cached access token that it is goes (the refresh token stays). */
async function erase(store: TokenStore, profile: string, password: string | undefined): Promise<void> {
  await store.withLock(profile, async () => {
    const tokens = await store.getTokens(profile)
    if (!tokens) return
    const kept = Object.fromEntries(Object.entries(tokens.accessTokens).filter(([, e]) => password !== undefined && e.accessToken !== password))
    if (Object.keys(kept).length !== Object.keys(tokens.accessTokens).length) await store.saveTokens(profile, { ...tokens, accessTokens: kept })
  })
}

/** `--host`: a host[:port], also given as a URL. */
function gitHostArg(value: string): string {
  return normalizeGitHost(value.replace(/^https?:\/\//, '').replace(/\/.*$/, ''))
}

async function configure(o: GitCredentialFlags, profile: string, deps: Deps): Promise<void> {
  if (!o.host) throw new UsageError('git-credential configure needs --host HOST (the git server, host[:port])')
  const host = gitHostArg(o.host)
  if (!/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/.test(host)) throw new UsageError(`--host must be a host name, host:port or [IPv6]: ${printable(o.host)}`)
  const store = openStore(deps)
  if (!(await store.getSettings(profile))) throw noSuchProfile(profile)
  await store.updateSettings(profile, (s) => ({ ...s, gitHosts: [...new Set([...(s?.gitHosts ?? []), host])] }))
  deps.io.err.write(`profile "${profile}" answers git's requests for ${host}; tell git to ask tokentool:\n`)
  deps.io.out.write(`git config --global credential.https://${host}.helper '!tokentool git-credential'\n`)
}
