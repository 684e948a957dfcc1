/**
 * What a command receives (streams, environment, clock, HTTP, home directory, the global
 * options), as types (and canPrompt, a rule on them): below every layer that takes it (oauth/, interactive/, cli/), so none of
 * them imports the command layer for it. cli/deps.ts builds one from the process.
 * @module
 */
export type { IOStreams } from './io-streams.js'
import type { IOStreams } from './io-streams.js'

/** Global options of the contract, resolved before a command runs. */
export interface GlobalOptions {
  json: boolean
  color: boolean
  verbose: boolean
  debug: boolean
  profile: string
  /** `--timeout`: each HTTP request's limit in ms (connect at most 10 s of it); default 30 s. */
  timeoutMs?: number | undefined
  /** `--cacert FILE`: extra trusted CA certificates (PEM), on top of the system's. */
  cacert?: string | undefined
}

export interface Deps {
  io: IOStreams
  env: NodeJS.ProcessEnv
  /** The wall clock; commands that accept `--now` use that instead. */
  now: () => Date
  /** HTTP for every network call (discovery, JWKS, token endpoint). Loaded lazily: undici is heavy. */
  fetch: (opts?: { clientCert?: { cert: string; key: string } | undefined }) => Promise<typeof globalThis.fetch>
  /** TOKENTOOL_HOME, else $XDG_CONFIG_HOME/tokentool, else ~/.config/tokentool. */
  home: string
  cwd: string
  /** Filled by cli/main after the global options are parsed. */
  global: GlobalOptions
}

export function canPrompt(io: IOStreams): boolean {
  return io.stdinIsTTY && io.stdoutIsTTY
}
