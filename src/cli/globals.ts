/**
 * The global options as a command sees them (`deps.global`, `deps.io.color`), resolved from
 * what was parsed. One function for the commander program (its preAction hook) and for the
 * start-up fast path (start.ts), so that both give a command the same globals.
 * @module
 */
import { UsageError } from '../errors.js'
import { parseDuration } from '../core/duration.js'
import { colorEnabled } from './color.js'
import type { Deps } from './deps.js'

/** The global options as parsed (commander's `optsWithGlobals()`, or the fast path's parse). */
export interface ParsedGlobals {
  json?: boolean
  /** false for `--no-color` */
  color?: boolean
  verbose?: boolean
  debug?: boolean
  profile?: string
  timeout?: string
  cacert?: string
}

/**
 * Sets `deps.global` and `deps.io.color`. `ownTimeout`: the command defines a `--timeout` of
 * its own (login: how long to wait for the sign-in), which is not the HTTP one; there
 * TOKENTOOL_TIMEOUT alone sets the HTTP timeout.
 */
export function applyGlobals(o: ParsedGlobals, deps: Deps, ownTimeout = false): void {
  const timeout = ownTimeout ? deps.env.TOKENTOOL_TIMEOUT : (o.timeout ?? deps.env.TOKENTOOL_TIMEOUT)
  deps.global = {
    json: Boolean(o.json),
    color: false,
    verbose: Boolean(o.verbose),
    debug: Boolean(o.debug),
    profile: o.profile || 'default',
    timeoutMs: timeout !== undefined ? httpTimeoutMs(timeout) : undefined,
    cacert: o.cacert || undefined,
  }
  deps.io.color = colorEnabled({
    flag: o.color !== false,
    isTTY: deps.io.stdoutIsTTY,
    env: deps.env,
  })
  deps.global.color = deps.io.color
}

/** `--timeout 10s` → ms; a bare number is seconds as everywhere. */
export function httpTimeoutMs(value: string): number {
  const m = /^(\d+)ms$/.exec(value.trim())
  const ms = m ? Number(m[1]) : parseDuration(value, '--timeout') * 1000
  if (!(ms > 0)) throw new UsageError('--timeout must be longer than 0s')
  // timers take at most 2^32-1 ms; no HTTP request is worth waiting a day for
  if (ms > 86_400_000) throw new UsageError(`--timeout ${value} is longer than a day`)
  return ms
}
