/**
 * The `-v` trace: each HTTP exchange written to stderr in curl's shape (`>` request, `<`
 * response, `*` notes), every URL, header and body passed through `redact` first, and every
 * line through the terminal-safety escape: a server's header or body cannot move the cursor.
 * @module
 */
import { printable } from '../core/printable.js'
import { redact, redactHeaders, redactKnown, redactUrl, type HeaderInput } from './redact.js'

/** Bodies longer than this are cut in the trace (after redaction, so no secret is cut in half). */
export const TRACE_BODY_LIMIT = 16 * 1024

export interface TraceRequest {
  id: number
  method: string
  url: string
  headers?: HeaderInput
  body?: string
  contentType?: string | null
}

export interface TraceResponse {
  id: number
  method: string
  status: number
  statusText: string
  url: string
  headers: HeaderInput
  body?: string
  elapsedMs: number
}

export class Tracer {
  constructor(private readonly out: NodeJS.WritableStream) {}

  request(r: TraceRequest): void {
    const lines = [`> ${r.method} ${redactUrl(r.url)}`]
    for (const [k, v] of redactHeaders(r.headers)) lines.push(`> ${k}: ${v}`)
    if (r.body !== undefined && r.body !== '') lines.push(...bodyLines('>', r.body, r.contentType))
    this.write(lines)
  }

  response(r: TraceResponse): void {
    const lines = [`< ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`]
    const pairs = redactHeaders(r.headers)
    for (const [k, v] of pairs) lines.push(`< ${k}: ${v}`)
    if (r.body !== undefined && r.body !== '') {
      const type = pairs.find(([k]) => k.toLowerCase() === 'content-type')?.[1]
      lines.push(...bodyLines('<', r.body, type))
    }
    // one greppable summary line per exchange
    lines.push(`* [${r.id}] ${r.method} ${redactUrl(r.url)} → ${r.status} in ${Math.round(r.elapsedMs)} ms`)
    this.write(lines)
  }

  failure(id: number, url: string, message: string, elapsedMs: number): void {
    this.write([`* [${id}] failed after ${Math.round(elapsedMs)} ms: ${redact(message)} (${redactUrl(url)})`])
  }

  /** A `*` line of its own (a retry, a redirect); the caller has redacted it. */
  note(line: string): void {
    this.write([line])
  }

  /** The last pass on every line: the secrets the run knows by value, and no byte a server sent that could drive the terminal. */
  private write(lines: string[]): void {
    this.out.write(lines.map((l) => printable(redactKnown(l))).join('\n') + '\n')
  }
}

function bodyLines(prefix: string, body: string, contentType: string | null | undefined): string[] {
  let text = redact(body, contentType)
  if (text.length > TRACE_BODY_LIMIT) {
    text = `${text.slice(0, TRACE_BODY_LIMIT)}\n… (${text.length - TRACE_BODY_LIMIT} more characters)`
  }
  return [prefix, ...text.split(/\r?\n/).map((l) => `${prefix} ${l}`)]
}
