/**
 * An HTTP response as people paste it, read into status, headers and body: a response head
 * from `curl -i` or `curl -v` (`< ` prefixes; `> ` request and `* ` info lines left out), a
 * block copied from browser devtools ("Status Code: 401", `name: value` lines, or a name and
 * its value on two lines), the HAR/JSON copy of Firefox, or a log line holding
 * `WWW-Authenticate` (`HTTP 401; Unauthorized WWW-Authenticate=Bearer ...`). Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { extractHeaderValues } from '../cae/paste.js'

export interface ResponseFacts {
  /** The HTTP status, when the paste says it. */
  status: number | null
  /** Header names lower-cased, values as sent, in order. */
  headers: [string, string][]
  /** The body text, when there is one. */
  body: string | null
  /** Which form the paste was read as, for the human view. */
  form: 'head' | 'devtools' | 'har' | 'log' | 'body'
}

const STATUS_LINE = /^HTTP(?:\/\d(?:\.\d)?)?\s+(\d{3})\b/i
// Chrome's "General" section, and the HTTP/2 pseudo-header some views show
const DEVTOOLS_STATUS = /^(?:status(?: code)?|:status)\s*:?\s*(\d{3})\b/i
const DEVTOOLS_GENERAL = /^(request url|request method|status code|remote address|referrer policy)\s*:\s*(.*)$/i
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*:\s?(.*)$/
// a header name alone on its line (devtools copies name and value on two lines)
const NAME_ALONE = /^([A-Za-z][A-Za-z0-9-]*):?$/
// names devtools shows that are worth reading when they come on a line of their own
const KNOWN_NAMES = new Set(['www-authenticate', 'date', 'dpop-nonce', 'content-type', 'server', 'via', 'content-length', 'cache-control', 'x-ms-request-id', 'request-id'])
const DATE_IN_LOG = /\bdate\s*[=:]\s*"?([A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)/i
const STATUS_IN_LOG = /\b(?:HTTP(?:\/[\d.]+)?|status(?:[ _]?code)?\s*[=:])\s*(\d{3})\b/i

/** The first value of a header (names compare case-insensitively); several joined with ", ". */
export function headerValue(facts: Pick<ResponseFacts, 'headers'>, name: string): string | null {
  const n = name.toLowerCase()
  const values = facts.headers.filter(([k]) => k === n).map(([, v]) => v)
  return values.length ? values.join(', ') : null
}

/**
 * Reads a pasted response. Throws InputError (exit 2) when the text is empty; anything else
 * is at least a body.
 */
export function parseResponseText(raw: string): ResponseFacts {
  const text = raw.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n')
  if (text.trim() === '') throw new InputError('the response is empty: paste the response head (curl -i), the devtools headers or a log line with WWW-Authenticate')
  const trimmed = text.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const har = fromJsonCopy(trimmed)
    if (har) return har
  }
  // the logged form `WWW-Authenticate=Bearer ...` is a log line, whatever else is on it
  if (/\b(?:www|proxy)-authenticate"?\s*=/i.test(text)) return fromLogOrBody(text)
  const lines = text.split('\n')
  const curlVerbose = lines.some((l) => /^< /.test(l))
  let status: number | null = null
  const headers: [string, string][] = []
  const bodyLines: string[] = []
  let inBody = false
  let sawHead = false
  let devtools = false
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!
    if (curlVerbose) {
      // curl -v: "< " response head, "> " request, "* " info, anything else is the body
      if (/^[>*] ?/.test(line) && !inBody) continue
      if (/^< ?/.test(line)) line = line.replace(/^< ?/, '')
      else if (!inBody && sawHead) inBody = true
    }
    if (inBody) {
      // a second response (curl -i -L, or a retry) starts over
      const st = STATUS_LINE.exec(line.trim())
      if (st) {
        ;[status, inBody, headers.length, bodyLines.length] = [Number(st[1]), false, 0, 0]
        sawHead = true
        continue
      }
      bodyLines.push(line)
      continue
    }
    const t = line.trim()
    if (t === '') {
      if (sawHead && !devtools) inBody = true
      continue
    }
    // Chrome's "General" block: "Request URL:", "Status Code:" with the value on the same or the next line
    const general = DEVTOOLS_GENERAL.exec(t)
    if (general) {
      let value = general[2]!.trim()
      if (value === '' && i + 1 < lines.length) value = lines[++i]!.trim()
      const code = /^(\d{3})\b/.exec(value)
      if (/status/i.test(general[1]!) && code) status = Number(code[1])
      sawHead = devtools = true
      continue
    }
    const st = STATUS_LINE.exec(t) ?? DEVTOOLS_STATUS.exec(t)
    if (st) {
      status = Number(st[1])
      sawHead = true
      if (DEVTOOLS_STATUS.test(t)) devtools = true
      continue
    }
    const h = HEADER_LINE.exec(t)
    if (h && !/^https?$/i.test(h[1]!)) {
      const name = h[1]!.toLowerCase()
      // devtools also copies "Request URL: ..." and "Request Method: ..."; they are not headers
      if (/^(request url|request method|remote address|referrer policy)$/.test(name)) continue
      if (h[2] === '' && i + 1 < lines.length && !HEADER_LINE.test(lines[i + 1]!.trim())) {
        // "www-authenticate:" then the value on the next line
        headers.push([name, lines[++i]!.trim()])
        devtools = true
      } else headers.push([name, h[2]!.trim()])
      sawHead = true
      continue
    }
    const alone = NAME_ALONE.exec(t)
    if (alone && KNOWN_NAMES.has(alone[1]!.toLowerCase()) && i + 1 < lines.length && lines[i + 1]!.trim() !== '') {
      headers.push([alone[1]!.toLowerCase(), lines[++i]!.trim()])
      sawHead = devtools = true
      continue
    }
    if (!sawHead) {
      // not a head at all: a log line, or a body pasted alone
      return fromLogOrBody(text)
    }
    if (devtools) continue // devtools chrome ("Response Headers", "Raw")
    inBody = true
    bodyLines.push(line)
  }
  const body = bodyLines.join('\n').trim()
  return { status, headers, body: body === '' ? null : body, form: devtools ? 'devtools' : 'head' }
}

/** A log line (`WWW-Authenticate=Bearer ...`) or a body alone (a JSON error, a gateway's text). */
function fromLogOrBody(text: string): ResponseFacts {
  const headers: [string, string][] = []
  let values: string[] = []
  try {
    values = extractHeaderValues(text).map((v) => v.text)
  } catch {
    values = []
  }
  const hasMarker = /\b(?:www|proxy)-authenticate"?\s*[:=]/i.test(text)
  if (hasMarker) for (const v of values) headers.push(['www-authenticate', v])
  const date = DATE_IN_LOG.exec(text)
  if (date) headers.push(['date', date[1]!])
  const nonce = /\bdpop-nonce"?\s*[:=]\s*"?([!#-~]+?)"?(?:[\s,;]|$)/i.exec(text)
  if (nonce) headers.push(['dpop-nonce', nonce[1]!])
  const st = STATUS_IN_LOG.exec(text)
  if (hasMarker || st) return { status: st ? Number(st[1]) : null, headers, body: null, form: 'log' }
  return { status: null, headers, body: text.trim(), form: 'body' }
}

/** Firefox "Copy All" of the headers panel, or a HAR entry's response. */
function fromJsonCopy(text: string): ResponseFacts | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  const headers: [string, string][] = []
  let status: number | null = null
  let body: string | null = null
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== 'object') return
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1)
      return
    }
    const o = v as Record<string, unknown>
    if (typeof o.name === 'string' && typeof o.value === 'string' && Object.keys(o).length <= 3) {
      headers.push([o.name.toLowerCase(), o.value])
      return
    }
    if (typeof o.status === 'number' && status === null) status = o.status
    // a JSON log of headers: {"WWW-Authenticate": "...", "Date": "..."}
    for (const [k, x] of Object.entries(o)) if (typeof x === 'string' && KNOWN_NAMES.has(k.toLowerCase())) headers.push([k.toLowerCase(), x])
    if (o.content && typeof (o.content as Record<string, unknown>).text === 'string') body = String((o.content as Record<string, unknown>).text)
    for (const [k, x] of Object.entries(o)) {
      // the request's headers carry the token: only a response's are read
      if (/^request/i.test(k)) continue
      visit(x, depth + 1)
    }
  }
  visit(doc, 0)
  if (headers.length === 0 && status === null) return { status: null, headers: [], body: text, form: 'body' }
  return { status, headers, body, form: 'har' }
}
