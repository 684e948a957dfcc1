/**
 * RFC 8693 token type identifiers (§3) and the short names tokentool accepts for them on the
 * command line (`access_token`, `jwt`, `saml2`, ...). Pure.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @module
 */
import { UsageError } from '../errors.js'

export const TOKEN_TYPE_PREFIX = 'urn:ietf:params:oauth:token-type:'

/** Short names of the registered token types. */
export const TOKEN_TYPE_NAMES = ['access_token', 'refresh_token', 'id_token', 'jwt', 'saml1', 'saml2'] as const
export type TokenTypeName = (typeof TOKEN_TYPE_NAMES)[number]

/**
 * The token type URI for a short name or a URI given as is (any `urn:` or absolute URI, for
 * vendor types). `flag` names the option in the error.
 * @example tokenTypeUri('jwt') // 'urn:ietf:params:oauth:token-type:jwt'
 */
export function tokenTypeUri(value: string, flag: string): string {
  const v = value.trim()
  const short = v.toLowerCase().replace(/-/g, '_')
  if ((TOKEN_TYPE_NAMES as readonly string[]).includes(short)) return TOKEN_TYPE_PREFIX + short
  if (/^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(v) || /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v)) return v
  throw new UsageError(`${flag}: unknown token type "${value}"`, {
    hint: `use one of ${TOKEN_TYPE_NAMES.join(', ')} or a full URI such as ${TOKEN_TYPE_PREFIX}access_token`,
  })
}

/** `access_token` for a registered URI, else the URI itself: for display. */
export function tokenTypeLabel(uri: string): string {
  return uri.startsWith(TOKEN_TYPE_PREFIX) ? uri.slice(TOKEN_TYPE_PREFIX.length) : uri
}
