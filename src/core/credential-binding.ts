/**
 * Stored credentials are bound to the server they were saved for. A profile's client secret
 * (literal or `env:VAR`/`@file` reference), client key, refresh token — and its DPoP key —
 * belong to the issuer the profile was signed in at (for a server without discovery: its
 * token endpoint). A command that targets another server (`--issuer B`, or an endpoint flag on
 * another origin) never sends them there: it uses only what is given for that server on the
 * command line, or refuses (exit 2) saying how to give it. Pure: the rule, not the store.
 * @module
 */

/** What a profile's credentials are bound to, as saved at login. */
export interface BoundServer {
  issuer?: string | undefined
  endpoints?: Readonly<Record<string, string>> | undefined
}

/** What a command is about to talk to: the flags given for this run. */
export interface TargetServer {
  issuer?: string | undefined
  /** Endpoint flags given on the command line, by metadata name. */
  endpoints: Readonly<Record<string, string>>
}

/** Issuer identifiers compare as strings (OpenID Connect Discovery §4.3), a trailing slash aside. */
export const sameIssuer = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '')

const originOf = (u: string | undefined): string | undefined => {
  if (!u) return undefined
  try {
    return new URL(u).origin
  } catch {
    return undefined
  }
}

/** The server the bound credentials belong to, for messages; undefined when the profile names none. */
export function boundName(bound: BoundServer | undefined): string | undefined {
  return bound?.issuer ?? bound?.endpoints?.token_endpoint
}

/**
 * Where `target` leads when that is not the server `bound` names, else undefined. A new
 * `--issuer` is another server; so is an endpoint flag that is not the saved endpoint and
 * lies on another origin than the issuer and the endpoints saved with it (an endpoint flag
 * on the issuer's own host is the same server, spelled out).
 */
export function otherServer(bound: BoundServer | undefined, target: TargetServer): string | undefined {
  const name = boundName(bound)
  if (name === undefined) return undefined
  if (target.issuer !== undefined && (bound?.issuer === undefined || !sameIssuer(target.issuer, bound.issuer))) return target.issuer
  const saved = bound?.endpoints ?? {}
  const origins = new Set([originOf(bound?.issuer), ...Object.values(saved).map(originOf)].filter((o): o is string => o !== undefined))
  for (const [field, url] of Object.entries(target.endpoints)) {
    if (saved[field] === url) continue
    const o = originOf(url)
    if (o === undefined || !origins.has(o)) return url
  }
  return undefined
}
