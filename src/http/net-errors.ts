/**
 * Turns what undici throws (a `TypeError: fetch failed` whose `cause` carries a system or
 * undici error code) into one-line NetworkErrors that name the host: the user needs to know
 * *which* server failed and how, not that "fetch failed".
 * @module
 */
import { NetworkError } from '../errors.js'

export interface NetworkFailureContext {
  /** The URL the request went to. */
  url: URL | string
  /** Connect timeout in ms, for the message. */
  connectTimeoutMs?: number
  /** Whole-request timeout in ms, for the message. */
  timeoutMs?: number
  /** The proxy the request went through, if any: a failure to reach it is named as such. */
  proxy?: URL
}

/** Failures that, through a proxy, are the proxy's: the server behind it is the proxy's to reach. */
const PROXY_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'])

/** The proxy's answer to CONNECT, from undici's "Proxy response (407) !== 200 when HTTP Tunneling". */
function tunnelStatus(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const m = /Proxy response \((\d{3})\)/.exec((e as Error).message ?? '')
    if (m) return Number(m[1])
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
])

/** The `code` of an error or of the first error in its `cause` chain that has one. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    const name = (e as { name?: unknown }).name
    if (name === 'TimeoutError' || name === 'AbortError') return name
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function codedCause(err: unknown): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') return e
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function innermostMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err)
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; depth++) {
    if (e.message) msg = e.message
    e = e.cause
  }
  return msg
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`

/** Maps a failed request to a NetworkError (exit 3). A NetworkError passes through as is. */
export function networkFailure(err: unknown, ctx: NetworkFailureContext): NetworkError {
  if (err instanceof NetworkError) return err
  const url = typeof ctx.url === 'string' ? new URL(ctx.url) : ctx.url
  const host = url.host
  const code = errorCode(err)
  // the innermost error carrying the code, so that a caller inspecting `cause.code` finds it
  const opts = { cause: codedCause(err) ?? err }
  if (ctx.proxy) {
    // the proxy's host only: its URL may carry credentials
    const via = `proxy ${ctx.proxy.host}`
    const hint = 'check HTTPS_PROXY/HTTP_PROXY; NO_PROXY lists hosts reached directly'
    const status = tunnelStatus(err)
    if (status !== undefined) {
      return new NetworkError(`${via} refused the connection to ${host}: HTTP ${status}${status === 407 ? ' (proxy authentication required)' : ''}`, { ...opts, hint })
    }
    if (code && PROXY_CODES.has(code)) {
      const { proxy, ...direct } = ctx
      const inner = networkFailure(err, { ...direct, url: proxy }).message
      // "cannot connect to P: connection refused" → "connection refused"; others read whole
      const reason = inner.startsWith('cannot connect to ') ? inner.slice(inner.indexOf(': ') + 2) : inner
      return new NetworkError(`cannot reach ${via} on the way to ${host}: ${reason}`, { ...opts, hint })
    }
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(`cannot connect to ${host}: connection refused`, {
        ...opts,
        hint: 'is the server running and the URL right?',
      })
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new NetworkError(`cannot resolve host ${url.hostname}`, { ...opts, hint: 'check the URL and your DNS' })
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return new NetworkError(`connection to ${host} was closed unexpectedly`, opts)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NetworkError(`cannot reach ${host}: network unreachable`, opts)
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new NetworkError(`timed out after ${secs(ctx.connectTimeoutMs ?? 10_000)} connecting to ${host}`, opts)
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'TimeoutError':
    case 'AbortError':
      return new NetworkError(`timed out after ${secs(ctx.timeoutMs ?? 30_000)} talking to ${host}`, opts)
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    return new NetworkError(`TLS error talking to ${host}: ${innermostMessage(err)}`, {
      ...opts,
      hint: 'for a private CA give --cacert FILE or set NODE_EXTRA_CA_CERTS to its PEM file',
    })
  }
  return new NetworkError(`cannot reach ${host}: ${innermostMessage(err)}`, opts)
}
