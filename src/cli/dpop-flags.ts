/**
 * The DPoP flags and what they mean, without the key work (dpop-key.ts): a command that only
 * asks whether a request is DPoP-bound (`token` on its cache path) loads no node:crypto, whose
 * start costs 15.7 M instructions.
 * @module
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { JWK } from 'jose'
import type { ProfileSettings } from '../store/profiles.js'

/** The same shape as oauth/dpop.ts's DpopKey (kept here so this module loads no jose). */
export interface ResolvedDpopKey {
  jwk: JWK
  alg: string
  jkt: string
  label: string
}

export interface DpopFlags {
  /** `--dpop` true, `--no-dpop` false, neither undefined. */
  dpop?: boolean
  dpopKey?: string
}

/** `--dpop`, `--no-dpop`, `--dpop-key FILE` for the commands that get or use tokens. */
export function addDpopFlags(cmd: Command): Command {
  return cmd
    .option('--dpop', "DPoP-bound tokens (RFC 9449), proofs signed by the profile's DPoP key (default: as the profile says)")
    .option('--no-dpop', 'bearer tokens even when the profile uses DPoP')
    .option('--dpop-key <file>', "your own DPoP private key (PEM or JWK: EC P-256, Ed25519 or RSA) instead of the profile's")
}

/** Whether the request is DPoP-bound: the flag, else `--dpop-key`, else what the profile remembers. */
export function dpopWanted(o: DpopFlags, saved: ProfileSettings | undefined): boolean {
  if (o.dpop !== undefined) return o.dpop
  if (o.dpopKey !== undefined) return true
  return saved?.dpop === true
}

/** `--dpop-key` as the profile saves it: an absolute path (later runs start elsewhere), `env:VAR` as is. */
export function dpopKeySetting(value: string, cwd: string): string {
  return value.startsWith('env:') ? value : resolve(cwd, value.replace(/^@/, ''))
}
