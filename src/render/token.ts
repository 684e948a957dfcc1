/**
 * What `token` prints: the access token and a newline, nothing else (a CI log stays safe to
 * read); `--format env` as `TOKENTOOL_ACCESS_TOKEN=...`; `--json` the token response plus
 * `expires_at` (epoch seconds) and where the token came from, never a `refresh_token`;
 * `--format exec-credential` the client-go ExecCredential kubectl reads from an exec plugin.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import { execCredential, type ExecApiVersion } from '../core/exec-credential.js'
import { writeJson } from './json.js'

export type TokenFormat = 'token' | 'env' | 'json' | 'exec-credential'
export const TOKEN_FORMATS: readonly TokenFormat[] = ['token', 'env', 'json', 'exec-credential']

export interface TokenView {
  /** `cache`, `refresh`, `client_credentials`, `jwt_bearer`. */
  source: string
  accessToken: string
  tokenType: string
  expiresAt?: number | undefined
  scope?: string | undefined
  /** The token endpoint's response, when a request was made. */
  response?: Record<string, unknown> | undefined
}

/** The `--json` document. A cached token has no response: its fields are rebuilt, `expires_in` is what is left. */
export function tokenJson(v: TokenView, now: Date): Record<string, unknown> {
  const base = v.response ?? {
    access_token: v.accessToken,
    token_type: v.tokenType,
    ...(v.expiresAt !== undefined ? { expires_in: v.expiresAt - Math.floor(now.getTime() / 1000) } : {}),
    ...(v.scope !== undefined ? { scope: v.scope } : {}),
  }
  // never a refresh token on stdout (0.2), whatever the server sent: a client credentials
  // answer may carry one, and `token --json` output lands in CI logs
  const { refresh_token: _rt, ...rest } = base
  return { ...rest, expires_at: v.expiresAt ?? null, source: v.source }
}

export function renderToken(io: Pick<IOStreams, 'out'>, v: TokenView, opts: { format: TokenFormat; now: Date; execApiVersion?: ExecApiVersion }): void {
  if (opts.format === 'json') return writeJson(io, tokenJson(v, opts.now))
  if (opts.format === 'exec-credential') return writeJson(io, execCredential(opts.execApiVersion ?? 'client.authentication.k8s.io/v1', v.accessToken, v.expiresAt))
  io.out.write(opts.format === 'env' ? `TOKENTOOL_ACCESS_TOKEN=${v.accessToken}\n` : `${v.accessToken}\n`)
}
