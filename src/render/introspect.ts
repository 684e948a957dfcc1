/**
 * The views of `introspect`, `revoke` and `userinfo`: the server's answer about a token
 * (active or not, its claims with times and meanings), the RFC 9701 JWT a gateway would
 * receive, decoded, a revocation receipt, and the userinfo claims (JSON or signed JWT).
 * Readable without colour: an inactive token says `active: false` in words.
 * @module
 */
import type { ChalkInstance } from 'chalk'
import type { IOStreams } from '../io-streams.js'
import { decodeJwt, type JsonObject } from '../core/jwt/split.js'
import { describeTimes } from '../core/jwt/times.js'
import type { IntrospectResult } from '../oauth/introspect.js'
import type { RevokeResult } from '../oauth/revoke.js'
import type { UserinfoResult } from '../oauth/userinfo.js'
import { headerTable, payloadTable } from './decode.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { wrap } from './table.js'

type Out = Pick<IOStreams, 'out' | 'color' | 'columns'>

/** A signed response JWT, decoded for display (it was validated by the OAuth layer). */
function decodedResponseJwt(token: string): { header: JsonObject; payload: JsonObject } | undefined {
  try {
    const parts = decodeJwt(token)
    return parts.format === 'jws' ? { header: parts.header, payload: parts.payload } : undefined
  } catch {
    return undefined
  }
}

function jwtJson(j: { token: string; signatureVerified: boolean } | undefined) {
  if (!j) return null
  const d = decodedResponseJwt(j.token)
  return { token: j.token, header: d?.header ?? null, payload: d?.payload ?? null, signature_verified: j.signatureVerified }
}

/** `--json` of introspect: `{ active, response, jwt, endpoint }`. */
export function introspectJson(r: IntrospectResult): Record<string, unknown> {
  return { active: r.active, response: r.claims, jwt: jwtJson(r.jwt), ...(r.jwtRefused ? { jwt_refused: true } : {}), endpoint: r.endpoint }
}

export function renderIntrospect(io: Out, r: IntrospectResult, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, introspectJson(r))
  io.out.write(introspectText(r, styleFor(io), io.columns, opts.now))
}

export function introspectText(r: IntrospectResult, c: ChalkInstance, columns: number, now: Date): string {
  const width = Math.max(40, columns)
  const out: string[] = []
  if (r.active) {
    out.push(...wrapped(`ACTIVE  active: true — ${r.endpoint} accepts this token`, width, (l) => l.replace(/^ACTIVE/, c.green.bold('ACTIVE'))))
  } else {
    out.push(...wrapped('INACTIVE  active: false — the server does not accept this token', width, (l) => l.replace(/^INACTIVE/, c.red.bold('INACTIVE'))))
    out.push(...wrapped('revoked, expired, issued by another server, or not a token at all: RFC 7662 does not say which', width, c.dim))
  }
  out.push('')
  const members = Object.fromEntries(Object.entries(r.claims).filter(([k]) => k !== 'active'))
  if (Object.keys(members).length) {
    out.push(c.bold.underline('Introspection response'))
    out.push(payloadTable(members, describeTimes(members, now), c, width), '')
  }
  if (r.jwt) {
    const d = decodedResponseJwt(r.jwt.token)
    out.push(...wrapped('JWT response (RFC 9701): what a gateway receives', width, c.bold.underline))
    out.push(
      ...(r.jwt.signatureVerified
        ? wrapped("signature verified against the issuer's keys; iss, aud and typ token-introspection+jwt checked", width, c.green, '  ')
        : wrapped('signature not verified: the server publishes no jwks_uri', width, c.yellow, '  ')),
    )
    if (d) {
      out.push(c.bold('  Header'), headerTable(d.header, c, width, 4))
      const { token_introspection: _inner, ...outer } = d.payload
      out.push(c.bold('  Claims'), payloadTable(outer, describeTimes(outer, now), c, width, 4))
      out.push(...wrapped('token_introspection: the response members shown above', width, c.dim, '    '))
    }
    out.push(...wrapped(`${r.jwt.token.length} bytes; the JWT itself is in --json (jwt.token)`, width, c.dim, '  '), '')
  } else if (r.jwtRefused) {
    out.push(...wrapped('! --jwt: the server answered with plain JSON, not a signed JWT (RFC 9701 not supported for this client)', width, c.yellow), '')
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n'
}

/** `--json` of revoke. */
export function revokeJson(r: RevokeResult & { from: string; removedFromProfile: boolean }): Record<string, unknown> {
  return { revoked: true, endpoint: r.endpoint, token_type_hint: r.hint ?? null, from: r.from, removed_from_profile: r.removedFromProfile }
}

export function renderRevoke(io: Out, r: RevokeResult & { from: string; removedFromProfile: boolean }, opts: { json: boolean }): void {
  if (opts.json) return writeJson(io, revokeJson(r))
  const c = styleFor(io)
  const hint = r.hint ? ` (token_type_hint ${r.hint})` : ''
  const lines = wrapped(`✓ Revoked ${r.from} at ${r.endpoint}${hint}`, Math.max(40, io.columns), (l) => l.replace(/^✓/, c.green('✓')))
  if (r.removedFromProfile) lines.push('  removed from the profile as well')
  lines.push(
    ...wrapped(
      'The server answers 200 for tokens it does not know too (RFC 7009 §2.2); tokentool introspect shows whether it is gone. A JWT already handed out stays valid where it is checked locally until it expires.',
      Math.max(40, io.columns),
      c.dim,
      '  ',
    ),
  )
  io.out.write(lines.join('\n') + '\n')
}

/** `--json` of userinfo: `{ format, claims, jwt, endpoint }`. */
export function userinfoJson(r: UserinfoResult): Record<string, unknown> {
  return { format: r.format, claims: r.claims, jwt: jwtJson(r.jwt), endpoint: r.endpoint }
}

export function renderUserinfo(io: Out, r: UserinfoResult, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, userinfoJson(r))
  const c = styleFor(io)
  const width = Math.max(40, io.columns)
  const how = r.format === 'jwt' ? `signed JWT (application/jwt), ${r.jwt?.signatureVerified ? 'signature verified against the issuer\'s keys' : 'signature not verified'}` : 'JSON'
  const out = [...wrapped(`✓ Userinfo from ${r.endpoint}: ${how}`, width, (l) => l.replace(/^✓/, c.green('✓'))), '']
  if (r.jwt) {
    const d = decodedResponseJwt(r.jwt.token)
    if (d) out.push(c.bold.underline('Header'), headerTable(d.header, c, width), '')
  }
  out.push(c.bold.underline('Claims'), payloadTable(r.claims, describeTimes(r.claims, opts.now), c, width) || c.dim('  (no claims)'))
  io.out.write(out.join('\n').trimEnd() + '\n')
}

/** Wraps plain text, then styles each line (wrap escapes control characters, colour codes included). */
function wrapped(text: string, width: number, style: (s: string) => string = (s) => s, indent = ''): string[] {
  return wrap(text, width - indent.length).map((l) => indent + style(l))
}
