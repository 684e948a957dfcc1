/**
 * `tokentool status`: whether a profile can give a token without a person, and what it holds,
 * decided from the settings, the stored tokens and `token`'s own decision. Pure.
 * @module
 */
import { isoFromSeconds, epochSeconds } from './time.js'
import type { TokenDecision } from './token-decision.js'
import { latestAccessToken, type CachedTokens } from './cached-tokens.js'

/** What status reads of a profile's settings: shapes of its own, core does not know the store (its records fit). */
export interface StatusSettings {
  issuer?: string | undefined
  clientId?: string | undefined
}

/** What status reads of the stored tokens. */
export interface StatusTokens extends CachedTokens {
  issuer?: string | undefined
  refreshToken?: { expiresAt?: number | undefined } | undefined
}

/** How `tokentool token` would get the token: from the cache, a refresh, a machine grant; null: a sign-in is needed. */
export type StatusVia = 'cache' | 'refresh' | 'client_credentials' | 'jwt_bearer' | null

export interface ProfileStatus {
  profile: string
  issuer: string | null
  clientId: string | null
  /** A token can be had without a person. */
  ready: boolean
  via: StatusVia
  accessToken: { expiresAt: string | null; secondsLeft: number | null; scope: string | null } | null
  refreshToken: { present: boolean; expiresAt: string | null; expired: boolean }
  /** A client credential (secret, key or assertion source) for a machine grant. */
  clientCredentials: boolean
  /** Why not ready, and the command that fixes it. */
  problem: string | null
  fix: string | null
}

export interface StatusInput {
  profile: string
  settings: StatusSettings | undefined
  tokens: StatusTokens | undefined
  now: Date
  /** `token`'s decision for the profile as saved, or why it could not be made (a secret variable unset, ...). */
  decision: TokenDecision | { kind: 'error'; message: string }
  /** Whether the resolved request has a machine grant. */
  machine: boolean
}

const loginCommand = (profile: string) => `tokentool login${profile === 'default' ? '' : ` --profile ${profile}`}`

export function profileStatus(i: StatusInput): ProfileStatus {
  const nowSec = epochSeconds(i.now)
  const rt = i.tokens?.refreshToken
  const rtExpired = rt?.expiresAt !== undefined && rt.expiresAt <= nowSec
  const at = i.decision.kind === 'cached' ? i.decision.entry : latestAccessToken(i.tokens)
  let via: StatusVia = null
  let problem: string | null = null
  switch (i.decision.kind) {
    case 'cached':
      via = 'cache'
      break
    case 'refresh':
      // a refresh token known to have expired will not answer; the machine grant might
      via = rtExpired ? (i.machine ? 'client_credentials' : null) : 'refresh'
      if (via === null) problem = 'the refresh token has expired'
      break
    case 'grant':
      via = i.decision.grant
      break
    case 'none':
      problem = i.decision.expired ? 'the access token has expired and there is no refresh token or client credential' : rt ? 'the refresh token belongs to another client' : 'no token and no refresh token or client credential'
      break
    case 'error':
      problem = i.decision.message
      break
  }
  return {
    profile: i.profile,
    issuer: i.settings?.issuer ?? i.tokens?.issuer ?? null,
    clientId: i.settings?.clientId ?? i.tokens?.clientId ?? null,
    ready: via !== null,
    via,
    accessToken: at ? { expiresAt: at.expiresAt !== undefined ? (isoFromSeconds(at.expiresAt) ?? null) : null, secondsLeft: at.expiresAt !== undefined ? at.expiresAt - nowSec : null, scope: at.scope ?? null } : null,
    refreshToken: { present: !!rt, expiresAt: rt?.expiresAt !== undefined ? (isoFromSeconds(rt.expiresAt) ?? null) : null, expired: rtExpired },
    clientCredentials: i.machine,
    problem,
    fix: via === null && !i.machine ? loginCommand(i.profile) : null,
  }
}
