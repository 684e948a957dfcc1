/**
 * The run's secrets, by value: every client secret, token, code, verifier and assertion this
 * run holds is registered here (by the command that reads it, the store that loads it, the
 * HTTP layer that sends or receives it), and `redactKnown` replaces each of them, in every
 * encoding it may take on the wire, wherever it turns up: a trace, an error line, a JSON
 * error, a server's `error_description` that quotes the request. Redaction by name
 * (`http/redact.ts`) catches `refresh_token=...`; this catches the same value with no name
 * beside it, percent-encoded, or inside a Basic credential.
 *
 * Pure (no I/O); its state is the registry of one run, which a process is.
 * @module
 */

/** Shorter values are not registered: masking every "abc" in a message helps nobody. */
export const MIN_SECRET_LENGTH = 6

/** encoded form → its replacement */
const forms = new Map<string, string>()
let ordered: [string, string][] | undefined
/**
 * Registrations not yet worked out into their forms, in order. Most runs never redact anything
 * (a cached token, git's helper), and the forms of a secret cost a start its encoders
 * (URLSearchParams, Buffer's base64, two regular expressions): they are made when text is first
 * redacted, in the order the secrets came, so that the same forms win as if made at once.
 */
const pending: (() => void)[] = []

function settle(): void {
  for (let i = 0; i < pending.length; i++) pending[i]!()
  pending.length = 0
}

const B64_JWS = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const B64_JWE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * How a known secret is shown: a JWT keeps its header and payload (still inspectable, no
 * longer usable), anything else its first 6 characters and its length, as redaction by name
 * shows it.
 */
export function maskKnown(value: string): string {
  if (B64_JWE.test(value)) return `${value.split('.')[0]}.<redacted>`
  if (B64_JWS.test(value)) {
    const [h, p] = value.split('.')
    return `${h}.${p}.<redacted>`
  }
  const chars = [...value]
  const shown = chars.length >= 18 ? 6 : Math.floor(chars.length / 3)
  return `${chars.slice(0, shown).join('')}…(${chars.length} chars)`
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (space as `+`). */
export const formEncode = (s: string): string => new URLSearchParams([['', s]]).toString().slice(1)

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url')

/** Every way `value` is written on the wire or in a message. */
export function encodings(value: string): string[] {
  const pct = encodeURIComponent(value)
  const out = new Set([
    value,
    pct,
    pct.replace(/%20/g, '+'),
    formEncode(value),
    // lowercase percent-escapes: some servers re-encode what they quote
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    // inside a JSON string (a server quoting it in a JSON body)
    JSON.stringify(value).slice(1, -1),
    b64(value),
    b64url(value),
  ])
  return [...out].filter((f) => f.length >= MIN_SECRET_LENGTH)
}

function add(form: string, replacement: string): void {
  if (form.length < MIN_SECRET_LENGTH || forms.has(form)) return
  forms.set(form, replacement)
  ordered = undefined
}

/** Registers a secret value (client secret, token, code, verifier, assertion, key). */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return
  const v = value.trim()
  if (v.length < MIN_SECRET_LENGTH) return
  pending.push(() => {
    const shown = maskKnown(v)
    for (const f of encodings(v)) add(f, shown)
  })
}

/**
 * Registers a client's secret together with its id as client_secret_basic sends them: the
 * base64 of `id:secret`, raw and form-encoded (RFC 6749 §2.3.1) — the whole Basic credential.
 */
export function registerClientCredentials(clientId: string, secret: string | undefined | null): void {
  if (typeof secret !== 'string' || secret.trim() === '') return
  registerSecret(secret)
  pending.push(() => {
    const pairs = [`${clientId}:${secret}`, `${formEncode(clientId)}:${formEncode(secret)}`, `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`]
    for (const pair of pairs) {
      const shown = `<client credentials>…(${pair.length} chars)`
      add(b64(pair), shown)
      add(b64url(pair), shown)
    }
  })
}

/** A `Basic` credential seen on the wire: itself and the secret inside it. */
export function registerBasicCredential(token68: string): void {
  let decoded: string
  try {
    decoded = Buffer.from(token68, 'base64').toString('utf8')
  } catch {
    return
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return registerSecret(token68)
  const id = decoded.slice(0, colon)
  const secret = decoded.slice(colon + 1)
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '))
    } catch {
      return s
    }
  }
  registerClientCredentials(decode(id), decode(secret))
  pending.push(() => add(token68, `<client credentials>…(${decoded.length} chars)`))
}

/** Every registered secret in `text`, in any of its encodings, replaced by its masked form. */
export function redactKnown(text: string): string {
  if (text.length < MIN_SECRET_LENGTH) return text
  settle()
  if (forms.size === 0) return text
  // longest first: a Basic credential before the secret it contains, a token before its
  // prefix. Plain substring search, no regular expression: a registered value may be a
  // 256 KiB token, and an alternation of such is more than a RegExp takes.
  ordered ??= [...forms.entries()].sort((a, b) => b[0].length - a[0].length)
  let out = text
  for (const [form, shown] of ordered) {
    if (form.length <= out.length && out.includes(form)) out = out.split(form).join(shown)
  }
  return out
}

/** How many encoded forms are registered (for tests and `--debug`). */
export function knownSecretCount(): number {
  settle()
  return forms.size
}

/** For tests running several "runs" in one process. */
export function clearKnownSecrets(): void {
  pending.length = 0
  forms.clear()
  ordered = undefined
}
