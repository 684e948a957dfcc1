/**
 * The command lines that answer a claims challenge: `tokentool refresh --claims '...'` and
 * `tokentool login --claims '...'`, quoted for a POSIX shell. Pure.
 * @module
 */
import type { ClaimsRequest } from './claims.js'
import { safeJson } from '../printable.js'

/** `text` as one POSIX shell word: single quotes, with `'` written as `'\''`. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text
  return `'${text.replace(/'/g, `'\\''`)}'`
}

export interface AnswerCommands {
  /** Try first: a refresh with the claims request needs no user. */
  refresh: string
  /** When refresh cannot (no refresh token, or the provider wants interaction, e.g. acrs step-up). */
  login: string
}

/**
 * The exact commands, with the claims request as compact JSON (what `--claims` reads).
 * `profile` is added as `--profile NAME` when it is not the default one.
 * @example answerCommands({access_token:{nbf:{essential:true,value:'1604106651'}}})
 * // refresh: tokentool refresh --claims '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}'
 */
export function answerCommands(claims: ClaimsRequest, opts: { profile?: string } = {}): AnswerCommands {
  const profile = opts.profile && opts.profile !== 'default' ? ` --profile ${shellQuote(opts.profile)}` : ''
  // safeJson: DEL, C1 and bidi characters as \u escapes, same JSON, harmless on a terminal
  const json = safeJson(claims)
  const arg = shellQuote(json)
  return {
    refresh: `tokentool${profile} refresh --claims ${arg}`,
    login: `tokentool${profile} login --claims ${arg}`,
  }
}
