/**
 * Security Event Tokens (RFC 8417): the events of the `events` claim named and explained —
 * OpenID Shared Signals (SSF), Continuous Access Evaluation Profile (CAEP) and Risk Incident
 * Sharing and Coordination (RISC) event types, and OIDC Back-Channel Logout — with the subject
 * each is about (RFC 9493 subject identifiers). Pure.
 * @module
 */
import type { JsonObject } from './split.js'

export interface SecurityEvent {
  /** The event type URI as sent. */
  type: string
  /** `CAEP`, `RISC`, `SSF`, `OIDC` or null for a type tokentool does not know. */
  profile: 'CAEP' | 'RISC' | 'SSF' | 'OIDC' | null
  /** `session-revoked`, ... */
  name: string
  /** What it means, in a sentence; null for an unknown type. */
  meaning: string | null
  /** The subject, in words (`email alice@example.com`), when the event or the token names one. */
  subject: string | null
  /** Fields of the event worth showing (`reason_admin`, `change_type`, `current_level`, ...). */
  details: Record<string, unknown>
}

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/'
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/'
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/'

// a Map: the event type comes from the token, and "constructor" must find nothing
const MEANINGS: ReadonlyMap<string, string> = new Map([
  // OpenID CAEP 1.0
  [`${CAEP}session-revoked`, 'the session of the subject was revoked: tokens from it must no longer be accepted'],
  [`${CAEP}token-claims-change`, 'claims of tokens issued to the subject changed (e.g. a role or group): re-evaluate access'],
  [`${CAEP}credential-change`, 'a credential of the subject was created, changed, revoked or deleted (password, FIDO2 key, x509, ...)'],
  [`${CAEP}assurance-level-change`, 'the authentication assurance level of the subject\'s session changed'],
  [`${CAEP}device-compliance-change`, 'the subject\'s device became compliant or not compliant with policy'],
  [`${CAEP}session-established`, 'a session was established for the subject'],
  [`${CAEP}session-presented`, 'a session of the subject was presented (used) at the transmitter'],
  [`${CAEP}risk-level-change`, 'the risk level of the subject changed'],
  // OpenID RISC 1.0
  [`${RISC}account-credential-change-required`, 'the account\'s credentials must be changed (e.g. suspected compromise)'],
  [`${RISC}account-purged`, 'the account was deleted for good'],
  [`${RISC}account-disabled`, 'the account was disabled (hijacking, bulk account, policy)'],
  [`${RISC}account-enabled`, 'the account was enabled again'],
  [`${RISC}identifier-changed`, 'the subject\'s identifier (email, phone) changed'],
  [`${RISC}identifier-recycled`, 'the identifier now belongs to someone else: do not link it to the old account'],
  [`${RISC}credential-compromise`, 'a credential of the subject is known or suspected to be compromised'],
  [`${RISC}opt-in`, 'the account opted in to RISC event exchange'],
  [`${RISC}opt-out-initiated`, 'the account started opting out of RISC event exchange'],
  [`${RISC}opt-out-cancelled`, 'the account cancelled its opt-out'],
  [`${RISC}opt-out-effective`, 'the account\'s opt-out took effect'],
  [`${RISC}recovery-activated`, 'account recovery was started for the subject'],
  [`${RISC}recovery-information-changed`, 'the account\'s recovery information changed'],
  [`${RISC}sessions-revoked`, 'all sessions of the subject were revoked (deprecated: CAEP session-revoked replaces it)'],
  // OpenID Shared Signals Framework 1.0
  [`${SSF}verification`, 'a stream verification event: the transmitter checks that the receiver gets events'],
  [`${SSF}stream-updated`, 'the event stream\'s status changed (enabled, paused, disabled)'],
  // OpenID Connect Back-Channel Logout 1.0
  ['http://schemas.openid.net/event/backchannel-logout', 'the user logged out at the provider: end the session named by sid/sub'],
])

const DETAIL_FIELDS = ['reason_admin', 'reason_user', 'initiating_entity', 'event_timestamp', 'change_type', 'credential_type', 'current_level', 'previous_level', 'current_status', 'previous_status', 'claims', 'state', 'status', 'reason', 'fido2_aaguid', 'friendly_name', 'new-value']

function profileOf(type: string): SecurityEvent['profile'] {
  if (type.startsWith(CAEP)) return 'CAEP'
  if (type.startsWith(RISC)) return 'RISC'
  if (type.startsWith(SSF)) return 'SSF'
  if (type === 'http://schemas.openid.net/event/backchannel-logout') return 'OIDC'
  return null
}

/** An RFC 9493 subject identifier in words: `email alice@example.com`, `iss_sub https://op / 123`. */
export function describeSubject(id: unknown): string | null {
  if (!id || typeof id !== 'object' || Array.isArray(id)) return null
  const o = id as JsonObject
  const f = typeof o.format === 'string' ? o.format : undefined
  const s = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))
  switch (f) {
    case 'email':
      return `email ${s(o.email)}`
    case 'phone_number':
      return `phone ${s(o.phone_number)}`
    case 'iss_sub':
      return `iss ${s(o.iss)}, sub ${s(o.sub)}`
    case 'opaque':
      return `opaque id ${s(o.id)}`
    case 'account':
      return `account ${s(o.uri)}`
    case 'did':
      return `DID ${s(o.url)}`
    case 'uri':
      return `URI ${s(o.uri)}`
    case 'aliases':
      return Array.isArray(o.identifiers) ? `aliases: ${o.identifiers.map(describeSubject).filter(Boolean).join('; ')}` : 'aliases'
    case 'complex': {
      const parts = Object.entries(o).filter(([k]) => k !== 'format').map(([k, v]) => `${k} ${describeSubject(v) ?? s(v)}`)
      return parts.join('; ')
    }
    default:
      return f ? `${f} ${JSON.stringify(o)}` : null
  }
}

/** The events of a SET's `events` claim, named and explained; [] when there are none. */
export function describeEvents(payload: JsonObject): SecurityEvent[] {
  const events = payload.events
  if (!events || typeof events !== 'object' || Array.isArray(events)) return []
  const tokenSubject = describeSubject(payload.sub_id) ?? (typeof payload.sub === 'string' ? `sub ${payload.sub}` : null)
  return Object.entries(events as JsonObject).map(([type, body]): SecurityEvent => {
    const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as JsonObject) : {}
    const details: Record<string, unknown> = {}
    for (const k of DETAIL_FIELDS) if (k in b) details[k] = b[k]
    return {
      type,
      profile: profileOf(type),
      name: type.replace(/^.*[/#]/, '') || type,
      meaning: MEANINGS.get(type) ?? null,
      subject: describeSubject(b.subject) ?? tokenSubject,
      details,
    }
  })
}
