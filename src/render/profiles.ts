/**
 * Views of `tokentool profiles list|show|remove`: the summaries (where every secret, refresh
 * token and token is masked to its first 6 characters and its length unless `--reveal`),
 * their `--json` documents and their human text, readable without colour.
 * @module
 */
import type { IOStreams } from '../io-streams.js'
import type { NormalizedKeyParts } from '../core/cache-key.js'
import { epochSeconds, isoFromSeconds, relative } from '../core/time.js'
import { maskSecret } from '../http/redact.js'
import { isSecretReference, type ProfileSettings } from '../store/profiles.js'
import { hasTokens, latestAccessToken, type ProfileTokens } from '../store/tokens.js'
import { writeJson } from './json.js'
import { styleFor } from './style.js'
import { snakeFields, type FieldStyle } from './json-fields.js'

/**
 * `--json` of profiles: own fields in snake_case, times as unix seconds in `*_at`; the 0.1
 * camelCase names (ISO times) follow as deprecated aliases (json-fields.ts). The settings'
 * maps (`--param`, `--header`, endpoint names) and a cached token's claims request are the
 * user's or the protocol's: kept as they are.
 */
const PROFILES_JSON: FieldStyle = { verbatim: ['endpoints', 'params', 'headers', 'claims'], isoTimes: ['accessTokenExpiresAt', 'expiresAt', 'obtainedAt'] }

/** A secret as shown: its preview always, the value itself only with `--reveal`. */
export interface ShownSecret {
  preview: string
  length: number
  value?: string
}

/** A client secret setting: a reference (`env:VAR`, `@file`) is not secret and is shown as is. */
export type ShownClientSecret = { kind: 'reference'; value: string } | ({ kind: 'literal' } & ShownSecret)

export interface ProfileListItem {
  name: string
  selected: boolean
  issuer: string | null
  clientId: string | null
  hasTokens: boolean
  hasRefreshToken: boolean
  /** ISO time the longest-lived cached access token expires, null when none or unknown. */
  accessTokenExpiresAt: string | null
}

export interface ProfileListView {
  home: string
  profiles: ProfileListItem[]
}

export interface AccessTokenView {
  cacheKey: string
  tokenType: string
  kind: 'JWT' | 'opaque'
  scope: string | null
  expiresAt: string | null
  expired: boolean | null
  obtainedAt: string
  /** What shaped the token: grant, client, scope, audience, resource, claims. */
  shape: NormalizedKeyParts | null
  token: ShownSecret
}

export interface StoredTokenView {
  obtainedAt: string
  expiresAt: string | null
  expired: boolean | null
  scope?: string | null
  token: ShownSecret
}

export interface ProfileShowView {
  name: string
  selected: boolean
  revealed: boolean
  files: { config: string; tokens: string }
  settings: (Omit<ProfileSettings, 'clientSecret'> & { clientSecret?: ShownClientSecret }) | null
  tokens: {
    issuer: string | null
    clientId: string | null
    refreshToken: StoredTokenView | null
    idToken: StoredTokenView | null
    accessTokens: AccessTokenView[]
  } | null
}

// the store keeps only times a Date can hold (store/tokens.ts); the fallback is never reached from a file
const iso = (epochSeconds: number) => isoFromSeconds(epochSeconds) ?? isoFromSeconds(0)!

export function showSecret(value: string, reveal: boolean): ShownSecret {
  return { preview: maskSecret(value), length: [...value].length, ...(reveal ? { value } : {}) }
}

export function profileListItem(name: string, selected: boolean, settings: ProfileSettings | undefined, tokens: ProfileTokens | undefined): ProfileListItem {
  const latest = latestAccessToken(tokens)
  return {
    name,
    selected,
    issuer: settings?.issuer ?? tokens?.issuer ?? null,
    clientId: settings?.clientId ?? tokens?.clientId ?? null,
    hasTokens: hasTokens(tokens),
    hasRefreshToken: !!tokens?.refreshToken,
    accessTokenExpiresAt: latest?.expiresAt !== undefined ? iso(latest.expiresAt) : null,
  }
}

function storedToken(e: { value: string; obtainedAt: number; expiresAt?: number; scope?: string }, now: Date, reveal: boolean, withScope: boolean): StoredTokenView {
  return {
    obtainedAt: iso(e.obtainedAt),
    expiresAt: e.expiresAt !== undefined ? iso(e.expiresAt) : null,
    expired: e.expiresAt !== undefined ? e.expiresAt <= epochSeconds(now) : null,
    ...(withScope ? { scope: e.scope ?? null } : {}),
    token: showSecret(e.value, reveal),
  }
}

const looksLikeJwt = (t: string) => /^eyJ[\w-]*\.[\w-]*\.[\w-]*(\.[\w-]*\.[\w-]*)?$/.test(t)

export function profileShowView(o: {
  name: string
  selected: boolean
  reveal: boolean
  files: { config: string; tokens: string }
  settings: ProfileSettings | undefined
  tokens: ProfileTokens | undefined
  now: Date
}): ProfileShowView {
  let settings: ProfileShowView['settings'] = null
  if (o.settings) {
    const { clientSecret, ...rest } = o.settings
    settings = { ...rest }
    if (clientSecret !== undefined) {
      settings.clientSecret = isSecretReference(clientSecret)
        ? { kind: 'reference', value: clientSecret }
        : { kind: 'literal', ...showSecret(clientSecret, o.reveal) }
    }
  }
  const t = o.tokens
  const accessTokens = Object.values(t?.accessTokens ?? {})
    .sort((a, b) => (b.expiresAt ?? 0) - (a.expiresAt ?? 0))
    .map((e): AccessTokenView => ({
      cacheKey: e.cacheKey,
      tokenType: e.tokenType,
      kind: looksLikeJwt(e.accessToken) ? 'JWT' : 'opaque',
      scope: e.scope ?? null,
      expiresAt: e.expiresAt !== undefined ? iso(e.expiresAt) : null,
      expired: e.expiresAt !== undefined ? e.expiresAt <= epochSeconds(o.now) : null,
      obtainedAt: iso(e.obtainedAt),
      shape: e.shape ?? null,
      token: showSecret(e.accessToken, o.reveal),
    }))
  return {
    name: o.name,
    selected: o.selected,
    revealed: o.reveal,
    files: o.files,
    settings,
    tokens: t
      ? {
          issuer: t.issuer ?? null,
          clientId: t.clientId ?? null,
          refreshToken: t.refreshToken ? storedToken(t.refreshToken, o.now, o.reveal, true) : null,
          idToken: t.idToken ? storedToken(t.idToken, o.now, o.reveal, false) : null,
          accessTokens,
        }
      : null,
  }
}

// ---- human text ----------------------------------------------------------------------

/** "expires in 42m (2026-…Z)" / "expired 3h ago (…)". */
function when(isoTime: string | null, now: Date): string {
  if (isoTime === null) return 'no expiry known'
  const delta = epochSeconds(new Date(isoTime)) - epochSeconds(now)
  return `${delta > 0 ? 'expires' : 'expired'} ${relative(delta)} (${isoTime})`
}

/** "3h ago (2026-…Z)". */
function ago(isoTime: string, now: Date): string {
  return `${relative(epochSeconds(new Date(isoTime)) - epochSeconds(now))} (${isoTime})`
}

const shown = (s: ShownSecret) => s.value ?? s.preview

function pad(rows: string[][]): string[] {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
}

export function renderProfileList(io: IOStreams, v: ProfileListView, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, snakeFields({ home: v.home, profiles: v.profiles }, PROFILES_JSON))
  const s = styleFor(io)
  if (v.profiles.length === 0) {
    io.out.write(`No profiles stored in ${v.home}.\nCreate one with: tokentool login --profile NAME --issuer URL --client-id ID\n`)
    return
  }
  // `*` marks the selected profile (--profile / TOKENTOOL_PROFILE), as kubectl marks its context
  const rows = [['  PROFILE', 'ISSUER', 'CLIENT ID', 'TOKENS', 'ACCESS TOKEN']]
  for (const p of v.profiles) {
    const kinds = p.hasTokens ? [p.accessTokenExpiresAt !== null ? 'access' : '', p.hasRefreshToken ? 'refresh' : ''].filter(Boolean).join('+') || 'id' : 'none'
    rows.push([
      `${p.selected ? '*' : ' '} ${p.name}`,
      p.issuer ?? '-',
      p.clientId ?? '-',
      kinds,
      p.accessTokenExpiresAt ? when(p.accessTokenExpiresAt, opts.now) : '-',
    ])
  }
  const [head, ...body] = pad(rows)
  io.out.write([s.bold(head!), ...body].join('\n') + '\n')
}

function settingsRows(st: NonNullable<ProfileShowView['settings']>): [string, string][] {
  const rows: [string, string][] = []
  const add = (k: string, v: string | undefined) => v !== undefined && v !== '' && rows.push([k, v])
  const map = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ') : undefined)
  add('issuer', st.issuer)
  add('client id', st.clientId)
  add('client auth', st.clientAuth)
  const cs = st.clientSecret
  if (cs) add('client secret', cs.kind === 'reference' ? `${cs.value} (reference, read when used)` : shown(cs))
  add('client key', st.clientKey)
  add('client cert', st.clientCert)
  add('cert key', st.clientCertKey)
  add('scope', st.scope)
  add('audience', st.audience?.join(', '))
  add('resource', st.resource?.join(', '))
  if (st.redirect) {
    const r = st.redirect
    add('redirect', `http://${r.host ?? '127.0.0.1'}:${r.port ?? 0}${r.path ?? '/callback'}${r.port ? '' : ' (any free port)'}`)
  }
  add('endpoints', map(st.endpoints))
  add('params', map(st.params))
  add('headers', map(st.headers))
  return rows
}

function describeShape(shape: NormalizedKeyParts | null): string | undefined {
  if (!shape) return undefined
  const bits = [`grant ${shape.grant}`]
  if (shape.audience) bits.push(`audience ${shape.audience.join(' ')}`)
  if (shape.resource) bits.push(`resource ${shape.resource.join(' ')}`)
  if (shape.scope) bits.push(`requested scope "${shape.scope.join(' ')}"`)
  if (shape.claims !== undefined) bits.push(`claims ${JSON.stringify(shape.claims)}`)
  return bits.join(', ')
}

export function renderProfileShow(io: IOStreams, v: ProfileShowView, opts: { json: boolean; now: Date }): void {
  if (opts.json) return writeJson(io, snakeFields(v, PROFILES_JSON))
  const s = styleFor(io)
  const lines: string[] = []
  const block = (rows: [string, string][], keyWidth: number) => {
    for (const [k, val] of rows) lines.push(`  ${s.dim(k.padEnd(keyWidth))}  ${val}`)
  }
  const KEY = 14
  lines.push(`${s.bold('Profile')} ${v.name}${v.selected ? ' (selected)' : ''}`)
  if (v.settings) block([...settingsRows(v.settings), ['config file', v.files.config]], KEY)
  else block([['settings', 'none stored (tokens only)']], KEY)
  lines.push('')
  const t = v.tokens
  lines.push(s.bold('Tokens'))
  if (!t) {
    block([['stored', 'none'], ['tokens file', v.files.tokens]], KEY)
  } else {
    const rows: [string, string][] = []
    if (t.refreshToken) {
      const r = t.refreshToken
      const exp = r.expiresAt ? `, ${when(r.expiresAt, opts.now)}` : ''
      rows.push(['refresh token', `${shown(r.token)}, obtained ${ago(r.obtainedAt, opts.now)}${exp}`])
    } else rows.push(['refresh token', 'none'])
    if (t.idToken) rows.push(['id token', `${shown(t.idToken.token)}, ${when(t.idToken.expiresAt, opts.now)}`])
    if (t.accessTokens.length === 0) rows.push(['access token', 'none cached'])
    for (const a of t.accessTokens) {
      const state = a.expired ? s.red(when(a.expiresAt, opts.now)) : when(a.expiresAt, opts.now)
      rows.push(['access token', `${a.kind} ${a.tokenType}, ${state}`])
      rows.push(['', `scope ${a.scope === null ? '(not stated)' : `"${a.scope}"`}`])
      const shape = describeShape(a.shape)
      if (shape) rows.push(['', shape])
      rows.push(['', shown(a.token)])
    }
    rows.push(['tokens file', v.files.tokens])
    block(rows, KEY)
  }
  if (!v.revealed && t && (t.refreshToken || t.idToken || t.accessTokens.length)) {
    lines.push('', s.dim('Tokens and secrets are shown as their first characters and length; --reveal shows them in full.'))
  }
  io.out.write(lines.map((l) => l.trimEnd()).join('\n') + '\n')
}

export function renderProfileRemoved(io: IOStreams, v: { name: string; home: string }, opts: { json: boolean }): void {
  if (opts.json) return writeJson(io, { removed: v.name })
  io.out.write(`Removed profile ${v.name} (settings and tokens) from ${v.home}.\n`)
}
