/**
 * The one HTTP client of tokentool: undici's fetch. Everything that goes on the network
 * (discovery, JWKS, token endpoints) is given this function, never the global fetch.
 * @module
 */
import { fetch as undiciFetch } from 'undici'

export interface FetchOptions {
  /** Where `-v` traces go; no tracing when absent. */
  trace?: NodeJS.WritableStream
}

export function createFetch(_opts: FetchOptions = {}): typeof globalThis.fetch {
  return undiciFetch as unknown as typeof globalThis.fetch
}
