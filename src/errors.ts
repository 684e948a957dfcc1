/**
 * Typed errors. Every failure a user can cause or meet is one of these; `cli/main.ts`
 * turns it into one stderr line and the exit code of the contract (../shared/design/cli.md).
 * @module
 */
import { quoteServerText } from './core/server-text.js'

export type ErrorCode =
  | 'ERR_USAGE' // bad flag, bad value, missing input
  | 'ERR_INPUT' // unreadable input: malformed token, bad file, bad JSON
  | 'ERR_TOKEN_INVALID' // a verification check failed / token expired where a valid one was required
  | 'ERR_NETWORK' // unreachable, timeout, TLS, non-JSON or malformed server response, 5xx
  | 'ERR_AS_RESPONSE' // the authorization server answered with an OAuth error
  | 'ERR_STORE' // the token store cannot be read or written
  | 'ERR_CANCELLED' // the user interrupted
  | 'ERR_SIGN_IN_REQUIRED' // `status`: no token can be had without a person
  | 'ERR_OUTPUT' // stdout cannot be written: a full disk, an I/O error

export interface ErrorOptions {
  cause?: unknown
  /** A second line telling the user what to do next. */
  hint?: string
}

export class TokentoolError extends Error {
  readonly hint: string | undefined
  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: ErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.hint = opts.hint
  }
}

/** The caller's mistake: a flag, a value, a missing argument. Exit 2. */
export class UsageError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_USAGE', message, opts)
  }
}

/** Input that cannot be read as what it should be (a token, a key, a JSON file). Exit 2. */
export class InputError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_INPUT', message, opts)
  }
}

/** A token failed a check. Exit 1. */
export class TokenInvalidError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_TOKEN_INVALID', message, opts)
  }
}

/** Network or protocol failure. Exit 3. */
export class NetworkError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_NETWORK', message, opts)
  }
}

/**
 * An OAuth error response from the authorization server. Exit 4. `error` and
 * `errorDescription` are the server's text as tokentool quotes it: known secrets replaced,
 * cut to 300 characters (core/server-text.ts).
 */
export class AuthServerError extends TokentoolError {
  readonly error: string
  readonly errorDescription: string | undefined
  constructor(error: string, errorDescription: string | undefined, opts: ErrorOptions & { status?: number } = {}) {
    const e = quoteServerText(String(error))
    const d = errorDescription === undefined || errorDescription === null ? undefined : quoteServerText(String(errorDescription))
    super('ERR_AS_RESPONSE', d ? `${e}: ${d}` : e, opts)
    this.error = e
    this.errorDescription = d
    this.status = opts.status
  }
  readonly status: number | undefined
}

/** The token store is unusable (corrupt file, bad permissions it cannot repair, lock). Exit 2. */
export class StoreError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_STORE', message, opts)
  }
}

/**
 * stdout refused the output (a full disk, a quota, an I/O error): the run did not do what it was
 * asked, so it must not end in success. Exit 2, as a token store that cannot be written does.
 */
export class OutputError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_OUTPUT', message, opts)
  }
}

/** `status`: a profile needs a person to sign in before it can give a token. Exit 4, like a refused grant. */
export class SignInRequiredError extends TokentoolError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('ERR_SIGN_IN_REQUIRED', message, opts)
  }
}

/** The user interrupted (Ctrl-C at a prompt or while waiting). Exit 130. */
export class CancelledError extends TokentoolError {
  constructor(message = 'interrupted') {
    super('ERR_CANCELLED', message)
  }
}

/** The exit codes of the contract. */
export const EXIT = {
  ok: 0,
  invalidToken: 1,
  usage: 2,
  network: 3,
  authServer: 4,
  /** Not in the contract: an unexpected exception, i.e. a bug in tokentool (sysexits EX_SOFTWARE). */
  internal: 70,
  cancelled: 130,
} as const

const BY_CODE: Record<ErrorCode, number> = {
  ERR_USAGE: EXIT.usage,
  ERR_INPUT: EXIT.usage,
  ERR_TOKEN_INVALID: EXIT.invalidToken,
  ERR_NETWORK: EXIT.network,
  ERR_AS_RESPONSE: EXIT.authServer,
  ERR_STORE: EXIT.usage,
  ERR_CANCELLED: EXIT.cancelled,
  ERR_SIGN_IN_REQUIRED: EXIT.authServer,
  ERR_OUTPUT: EXIT.usage,
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof TokentoolError) return BY_CODE[err.code]
  if (err instanceof Error && err.name === 'ExitPromptError') return EXIT.cancelled // Ctrl-C in @inquirer
  return EXIT.internal
}
