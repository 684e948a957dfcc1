/**
 * Answer checks for the prompts, built on the parsers the subcommands use, so that a value
 * the menu accepts is one the command accepts: each returns true or the error line to show.
 * @module
 */
import { statSync } from 'node:fs'
import { parseDuration } from '../core/duration.js'
import { decodeCaeChallenges } from '../core/cae/decode.js'
import { decodeToken } from '../core/jwt/decode.js'
import { parseWindows } from '../core/simulate/windows.js'
import { normalizeTokenText } from '../core/token-text.js'
import { validateProfileName } from '../store/paths.js'
import { explainErrno } from '../core/errno-words.js'

type Check = (v: string) => string | true

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

function guard(fn: (v: string) => unknown): Check {
  return (v) => {
    try {
      fn(v)
      return true
    } catch (e) {
      return messageOf(e)
    }
  }
}

/** A token that decode can read (a JWT, a JWE or an opaque token). */
export const validToken: Check = guard((v) => decodeToken(normalizeTokenText(v), { now: new Date() }))

/** An http(s) URL. */
export const validUrl: Check = (v) => {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    return `"${v}" is not a URL (expected https://...)`
  }
  return u.protocol === 'https:' || u.protocol === 'http:' ? true : `"${v}": expected an http(s) URL`
}

export const validDuration: Check = guard((v) => parseDuration(v))
/** A duration or "none" (drops a preset's limit). */
export const validLimit: Check = (v) => (v === 'none' ? true : validDuration(v))
export const validWindows: Check = guard((v) => parseWindows(v))
/**
 * A challenge `cae decode` can read. The command reads a cut-off paste with a warning; at a
 * prompt the user can still fix it, so an unterminated quoted string is refused there.
 */
export const validChallenge: Check = (v) => {
  let warnings: string[]
  try {
    warnings = decodeCaeChallenges(v).challenges.flatMap((c) => c.warnings)
  } catch (e) {
    return messageOf(e)
  }
  const cut = warnings.find((w) => w.includes('has no closing quote'))
  return cut ? `cannot parse WWW-Authenticate at ${cut} (was the paste cut off?)` : true
}
export const validProfileName: Check = guard((v) => validateProfileName(v))

/** A path naming a readable regular file (a key, a JWKS). */
export const validFile: Check = (v) => {
  try {
    return statSync(v).isFile() ? true : `${v} is not a file`
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? `no such file: ${v}` : code === 'EACCES' ? `cannot read ${v}: permission denied` : `cannot read ${v}: ${explainErrno(e)}`
  }
}
