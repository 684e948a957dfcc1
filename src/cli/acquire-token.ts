/**
 * The access token `token` hands out, and what `git-credential get` answers with: the cached
 * token while it has more than `minTtl` left, else a refresh of the profile's session, else a
 * machine grant. The OAuth client loads only when the cache cannot answer.
 * @module
 */
import { decideToken } from '../core/token-decision.js'
import type { TokenView } from '../render/token.js'
import { openStore, type TokenStore } from '../store/store.js'
import type { Deps } from './deps.js'
import type { ClientAuthChoice } from '../oauth/client-auth.js'
import { noCredentials, readAssertion, resolveTokenRequest, type TokenAuthChoice, type TokenFlags } from './token-request.js'
import { dpopKeySetting } from './dpop-flags.js'

/** `opts.store`: the store the caller already opened for this run (else one is opened here). */
export async function acquireToken(o: TokenFlags, opts: { profile: string; minTtl: number; force: boolean; machineGrant?: boolean; store?: TokenStore }, deps: Deps): Promise<TokenView> {
  const { profile, minTtl, force } = opts
  const store = opts.store ?? openStore(deps)
  const saved = await store.getSettings(profile)
  const req = await resolveTokenRequest(o, saved, profile, deps, store)
  const now = deps.now()
  const decision = decideToken({
    tokens: await store.getTokens(profile),
    now,
    minTtl,
    force,
    claims: req.claims !== undefined,
    clientId: req.client.clientId,
    userKey: req.user?.key,
    machine: req.machine ? { grant: req.machine.shape.grant, key: req.machine.key } : undefined,
  })
  // userinfo and exchange want the user's token: a cached one or a refresh, never a new machine grant
  if (decision.kind === 'grant' && opts.machineGrant === false) {
    throw noCredentials(profile, `no usable access token in profile "${profile}" for client "${req.client.clientId}" and no refresh token to get one`, true)
  }

  let view: TokenView
  if (decision.kind === 'cached') {
    const e = decision.entry
    view = { source: 'cache', accessToken: e.accessToken, tokenType: e.tokenType, expiresAt: e.expiresAt, scope: e.scope }
  } else if (decision.kind === 'none') {
    throw noCredentials(profile, decision.expired ? `the cached access token of profile "${profile}" has expired (or has less than --min-ttl left) and there is no refresh token or client credential` : `no token in profile "${profile}" for client "${req.client.clientId}"`, true)
  } else {
    const { obtainToken } = await import('../oauth/obtain-token.js')
    const auth = await resolveDeferred(req.client.auth, deps)
    // a secret read only now (the profile's env:VAR or @file): 'auto' picks basic or post from it
    const clientSecret = req.client.auth?.method === 'deferred_secret' && auth && 'secret' in auth ? auth.secret : req.client.clientSecret
    view = await obtainToken(
      {
        store,
        profile,
        plan: decision.kind === 'refresh' ? 'refresh' : decision.grant,
        server: req.server,
        client: { ...req.client, clientSecret, auth },
        user: req.user?.shape ?? {},
        refreshParams: req.refreshParams,
        machine: req.machine ? { ...req.machine.shape, assertion: req.machine.assertion } : undefined,
        minTtl,
        force,
        dpop: req.dpop,
        onWait: () => void deps.io.err.write(`waiting for another tokentool process to finish with profile "${profile}"...\n`),
      },
      deps,
    )
  }
  // a profile remembers --dpop / --no-dpop / --dpop-key, as login does (token creates no profile)
  if (saved && (o.dpop !== undefined || o.dpopKey !== undefined)) {
    const dpop = o.dpop ?? true
    const dpopKey = o.dpopKey !== undefined ? dpopKeySetting(o.dpopKey, deps.cwd) : dpop ? saved.dpopKey : undefined
    if (saved.dpop !== dpop || saved.dpopKey !== dpopKey) {
      await store.updateSettings(profile, (cur) => {
        const { dpopKey: _old, ...rest } = cur ?? {}
        return { ...rest, dpop, ...(dpopKey !== undefined ? { dpopKey } : {}) }
      })
    }
  }
  return view
}

/**
 * The client assertion, now that a grant will send it: `--client-assertion github` fetches the
 * job's OIDC token (never stored); any assertion that has expired is refused before it is sent
 * (a cached access token does not need it, so this is checked only here).
 */
async function resolveDeferred(auth: TokenAuthChoice | undefined, deps: Deps): Promise<ClientAuthChoice | undefined> {
  if (auth?.method === 'client_assertion') readAssertion(auth.assertion, '--client-assertion', deps.now())
  if (auth?.method === 'deferred_secret') return { method: auth.as, secret: await auth.read() }
  if (auth?.method !== 'github_actions') return auth
  const { githubIdToken } = await import('../oauth/github-oidc.js')
  const { jwt } = readAssertion(await githubIdToken(auth.audience, deps), 'the GitHub Actions OIDC token', deps.now())
  return { method: 'client_assertion', assertion: jwt }
}
