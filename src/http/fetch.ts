/**
 * The one HTTP client of tokentool: undici's fetch with connect and total timeouts, proxies
 * from the environment, extra CA certificates, bounded retries where a retry is safe, a size
 * limit on every response body, redirects followed only to https (or loopback) and at most
 * a few times, failures turned into one-line NetworkErrors naming the host, and the `-v`
 * trace. Everything that goes on the network (discovery, JWKS, token endpoints) is given
 * this function, never the global fetch.
 * @module
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { rootCertificates } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, EnvHttpProxyAgent, Response as UndiciResponse, fetch as undiciFetch, type Dispatcher } from 'undici'
import { NetworkError } from '../errors.js'
import { isSecureOrLoopback } from './loopback.js'
import { errorCode, networkFailure } from './net-errors.js'
import { proxyFor, proxySettings } from './proxy.js'
import { BODY_LIMIT, RETRY, type RetryPolicy, type TokentoolRequestInit } from './request-options.js'
export { BODY_LIMIT, RETRY, type RetryPolicy, type TokentoolRequestInit } from './request-options.js'
export { noProxyFor } from './proxy.js'
import { redactUrl } from './redact.js'
import { Tracer } from './trace.js'
import { learnFromRequest, learnFromResponse } from './learn-secrets.js'
import { readBodyLimited } from './read-limited.js'
import { jsonTextTooDeep, MAX_JSON_DEPTH } from '../core/jwt/split.js'

export interface FetchOptions {
  /** Where `-v` traces go; no tracing when absent. */
  trace?: NodeJS.WritableStream
  /** Each attempt, headers and body (default 30 s; `--timeout`). */
  timeoutMs?: number
  /** TCP and TLS connect (default 10 s, never more than `timeoutMs`). */
  connectTimeoutMs?: number
  /** The environment to read proxy variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /**
   * Extra trusted CA certificates (PEM text, `--cacert`): added to Node's built-in roots and
   * to `NODE_EXTRA_CA_CERTS`, never replacing them. Verification is never turned off.
   */
  ca?: readonly string[]
  /** mTLS (RFC 8705): the client certificate and its private key (PEM) offered in every TLS handshake. */
  clientCert?: { cert: string; key: string } | undefined
  /** Default response body limit in bytes (default 4 MiB); a request may set its own with `BODY_LIMIT`. */
  maxBodyBytes?: number
  /** Retries after the first attempt (default 2). */
  maxRetries?: number
  /** First backoff delay, doubled each retry (default 250 ms), with jitter. */
  backoffMs?: number
  /** The longest `Retry-After` honoured (default 10 s); a longer one is answered as is. */
  maxRetryAfterMs?: number
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>
}

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/** Authorization-server answers are a few KiB; a body this large is not one (and `call` is a debugger, not a downloader). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
export const DEFAULT_MAX_RETRIES = 2
export const MAX_REDIRECTS = 5

type Fetch = typeof globalThis.fetch

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
/** Failures that happen before a request is written: safe to retry whatever the request. */
const UNSENT_CODES = new Set(['ECONNREFUSED'])
/** Failures that may happen after the request was written: only idempotent requests retry them. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN'])

function dispatcherFor(connectTimeoutMs: number, timeoutMs: number, env: NodeJS.ProcessEnv, ca: readonly string[] | undefined, clientCert?: { cert: string; key: string }): Dispatcher {
  // rejectUnauthorized stated outright: NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment
  // must not switch certificate checks off behind the user's back
  const tls = { rejectUnauthorized: true, ...(ca && ca.length > 0 ? { ca: [...rootCertificates, ...extraCaFromEnv(env), ...ca] } : {}), ...(clientCert ? { cert: clientCert.cert, key: clientCert.key } : {}) }
  const opts = { connect: { timeout: connectTimeoutMs, ...tls }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }
  const proxies = proxySettings(env)
  if (!proxies.httpsProxy && !proxies.httpProxy) return new Agent(opts)
  return new EnvHttpProxyAgent({
    ...opts,
    // through a proxy the TLS session to the server is made by the tunnel's connector
    requestTls: { timeout: connectTimeoutMs, ...tls },
    // the proxy is not the server: it never gets the client certificate
    proxyTls: { timeout: connectTimeoutMs, rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) },
    // '' (not undefined): undici would read process.env itself, not the injected env
    httpProxy: proxies.httpProxy ?? '',
    httpsProxy: proxies.httpsProxy ?? '',
    noProxy: proxies.noProxy,
  } as never)
}

/**
 * NODE_EXTRA_CA_CERTS, which Node adds to its default roots only: a `ca` list replaces those,
 * so with `--cacert` the file is read here to keep both.
 */
function extraCaFromEnv(env: NodeJS.ProcessEnv): string[] {
  const file = env.NODE_EXTRA_CA_CERTS
  if (!file) return []
  try {
    return [readFileSync(file, 'utf8')]
  } catch {
    return [] // Node itself warned about it at start-up
  }
}

/**
 * Returns a fetch for tokentool's requests.
 *
 * A caller's own `signal` still works: when it aborts, its reason is thrown unchanged (the
 * caller chose that deadline and names it); only tokentool's own timeout becomes
 * "timed out after 30s talking to host".
 */
export function createFetch(opts: FetchOptions = {}): Fetch {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const connectTimeoutMs = Math.min(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, timeoutMs)
  const env = opts.env ?? process.env
  const dispatcher = dispatcherFor(connectTimeoutMs, timeoutMs, env, opts.ca, opts.clientCert)
  const proxies = proxySettings(env)
  const tracer = opts.trace ? new Tracer(opts.trace) : undefined
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES
  const backoffMs = opts.backoffMs ?? 250
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 10_000
  const wait = opts.sleep ?? ((ms: number) => sleep(ms))
  let seq = 0

  /** One request on the wire, traced; a NetworkError (or the caller's abort) on failure. */
  const once = async (url: URL, init: RequestInit, limit: number): Promise<Response> => {
    const id = ++seq
    const method = (init.method ?? 'GET').toUpperCase()
    const deadline = AbortSignal.timeout(timeoutMs)
    const callerSignal = init.signal ?? undefined
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline
    const fail = (err: unknown): unknown => {
      if (callerSignal?.aborted) return err
      const proxy = proxyFor(url, proxies)
      return networkFailure(deadline.aborted ? timeoutError() : err, { url, timeoutMs, connectTimeoutMs, ...(proxy ? { proxy } : {}) })
    }

    const started = performance.now()
    // before anything can echo them: every secret this request carries is known by value
    learnFromRequest(new Headers(init.headers), bodyText(init.body))
    if (tracer) {
      const headers = new Headers(init.headers)
      // show the content type undici will add for the body, as it goes on the wire
      const implied = impliedType(init.body)
      if (implied && !headers.has('content-type')) headers.set('content-type', implied)
      tracer.request({ id, method, url: url.href, headers, body: bodyText(init.body), contentType: headers.get('content-type') })
    }
    let res: Response
    try {
      res = (await undiciFetch(url.href, { ...(init as object), signal, dispatcher } as never)) as unknown as Response
    } catch (err) {
      const e = fail(err)
      tracer?.failure(id, url.href, e instanceof Error ? e.message : String(e), performance.now() - started)
      throw e
    }
    const tooLarge = (size?: number) =>
      new NetworkError(`response from ${url.host} is ${size !== undefined ? `${size} bytes, ` : ''}over the ${limit}-byte limit`, {
        hint: 'an authorization server does not send bodies this large',
      })
    const declared = Number(res.headers.get('content-length') ?? NaN)
    if (Number.isFinite(declared) && declared > limit) {
      await res.body?.cancel().catch(() => {})
      const e = tooLarge(declared)
      tracer?.failure(id, url.href, e.message, performance.now() - started)
      throw e
    }

    // a JSON answer to a POST is a token endpoint's (or device, PAR, registration): read whole
    // so that the secrets in it are registered before an error could quote them
    const json = /json/i.test(res.headers.get('content-type') ?? '')
    const learn = method === 'POST' && json
    // An authorization server's JSON (read with the default limit; `call` passes an API's body
    // through as bytes, with its own) is read whole to check its nesting before anything
    // parses, walks or prints it: JSON.stringify overflows the stack at ~5,000 levels.
    const checkDepth = json && limit <= DEFAULT_MAX_BODY_BYTES
    if (tracer || learn || checkDepth) {
      // buffer the body to show it; JSON responses of an authorization server are small
      let buf: Uint8Array
      try {
        buf = await readBodyLimited(res.body, limit, tooLarge)
      } catch (err) {
        const e = err instanceof NetworkError ? err : fail(err)
        tracer?.failure(id, url.href, e instanceof Error ? e.message : String(e), performance.now() - started)
        throw e
      }
      const body = new TextDecoder().decode(buf)
      if (checkDepth && jsonTextTooDeep(body)) {
        const e = new NetworkError(`${url.host} sent JSON nested more than ${MAX_JSON_DEPTH} levels deep: not a response tokentool reads`)
        tracer?.failure(id, url.href, e.message, performance.now() - started)
        throw e
      }
      learnFromResponse(res.headers.get('content-type'), body)
      tracer?.response({ id, method, status: res.status, statusText: res.statusText, url: res.url || url.href, headers: res.headers, body, elapsedMs: performance.now() - started })
      return rebuild(res, NULL_BODY_STATUS.has(res.status) ? null : buf)
    }
    return res.body && !NULL_BODY_STATUS.has(res.status) ? rebuild(res, guardStream(res.body, fail, limit, tooLarge)) : res
  }

  /** `once`, again after a backoff while the policy allows it. */
  const withRetries = async (url: URL, init: RequestInit, policy: RetryPolicy, limit: number): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries || policy === 'never' || !replayable(init.body)
      let res: Response
      try {
        res = await once(url, init, limit)
      } catch (err) {
        const code = errorCode((err as { cause?: unknown }).cause ?? err)
        const safe = err instanceof NetworkError && code !== undefined && (UNSENT_CODES.has(code) || (policy === 'idempotent' && TRANSIENT_CODES.has(code)))
        if (last || !safe || init.signal?.aborted) throw err
        const delay = backoff(backoffMs, attempt)
        note(`* retrying ${init.method ?? 'GET'} ${redactUrl(url.href)} in ${delay} ms after: ${(err as Error).message}`)
        await wait(delay)
        continue
      }
      if (last || policy !== 'idempotent' || (res.status !== 429 && res.status !== 503)) return res
      const after = retryAfterMs(res.headers.get('retry-after'), Date.now())
      // without Retry-After the server did not say that trying again helps; a long one is its answer
      if (after === undefined || after > maxRetryAfterMs) return res
      await res.body?.cancel().catch(() => {})
      note(`* HTTP ${res.status} from ${url.host}: retrying in ${after} ms (Retry-After)`)
      await wait(after)
    }
  }

  const note = (line: string) => tracer?.note(line)

  const tokentoolFetch = async (input: Parameters<Fetch>[0], givenInit: TokentoolRequestInit = {}): Promise<Response> => {
    let init: TokentoolRequestInit = givenInit
    if (typeof input !== 'string' && !(input instanceof URL)) {
      // a Request (possibly from another undici copy): carry its parts over explicitly
      init = { method: input.method, headers: input.headers, ...(input.body ? { body: await input.arrayBuffer() } : {}), ...givenInit }
      input = input.url
    }
    let url = new URL(input)
    const method = (init.method ?? 'GET').toUpperCase()
    const policy: RetryPolicy = init[RETRY] ?? (IDEMPOTENT.has(method) ? 'idempotent' : 'unsent')
    const limit = init[BODY_LIMIT] ?? opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const follow = (init.redirect ?? 'follow') === 'follow'
    const plain: RequestInit = { ...init, redirect: 'manual' }
    const start = url
    // redirects are followed here, hop by hop: each is traced, none may leave https (or
    // loopback), and a loop ends after a few hops instead of undici's twenty
    for (let hops = 0; ; hops++) {
      const res = await withRetries(url, plain, policy, limit)
      const location = res.headers.get('location')
      if (!follow || !REDIRECT_STATUS.has(res.status) || location === null) return hops > 0 ? withUrl(res, url) : res
      await res.body?.cancel().catch(() => {})
      if (hops >= MAX_REDIRECTS) {
        throw new NetworkError(`too many redirects (more than ${MAX_REDIRECTS}) starting at ${redactUrl(start.href)}`, { hint: 'the server redirects in a loop' })
      }
      let next: URL
      try {
        next = new URL(location, url)
      } catch {
        throw new NetworkError(`${url.host} redirected to something that is not a URL: ${redactUrl(location)}`)
      }
      if (!isSecureOrLoopback(next)) {
        throw new NetworkError(`${url.host} redirected to ${redactUrl(next.href)}: plain http is allowed only for loopback`)
      }
      // 303, and 301/302 after a POST, become a GET without a body (Fetch §4.4)
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        const { body: _body, ...rest } = plain
        Object.assign(plain, { ...rest, method: 'GET', body: undefined })
      }
      if (next.origin !== url.origin) {
        // a credential for one server is not sent to another
        const headers = new Headers(plain.headers)
        headers.delete('authorization')
        headers.delete('cookie')
        plain.headers = headers
      }
      url = next
    }
  }
  return tokentoolFetch as Fetch
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])

/** Exponential backoff with jitter: 250, 500, 1000 ms… each ± 25 %. */
function backoff(base: number, attempt: number): number {
  const d = base * 2 ** attempt
  return Math.round(d * (0.75 + Math.random() * 0.5))
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  // an HTTP date names its day or month; Date.parse would also take "-5" or "2026"
  if (!/[a-z]{3}/i.test(v)) return undefined
  const at = Date.parse(v)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

/** Whether the body can be sent again (a stream cannot). */
function replayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams || body instanceof ArrayBuffer || ArrayBuffer.isView(body)
}

function timeoutError(): Error {
  const e = new Error('timeout')
  e.name = 'TimeoutError'
  return e
}

/** A response with the same status, headers and URL and a different body source. */
function rebuild(res: Response, body: Uint8Array | ReadableStream<Uint8Array> | null): Response {
  const copy = new UndiciResponse(body as never, { status: res.status, statusText: res.statusText, headers: res.headers as never }) as unknown as Response
  // `url` and `redirected` are read-only getters on the prototype; callers (oauth4webapi) read them
  Object.defineProperty(copy, 'url', { value: res.url, configurable: true })
  Object.defineProperty(copy, 'redirected', { value: res.redirected, configurable: true })
  return copy
}

/** The final response of a followed redirect chain says where it came from. */
function withUrl(res: Response, url: URL): Response {
  Object.defineProperty(res, 'url', { value: url.href, configurable: true })
  Object.defineProperty(res, 'redirected', { value: true, configurable: true })
  return res
}

/**
 * The body stream, with a timeout or reset while reading turned into a NetworkError too, and
 * cut off with one once it passes the size limit.
 */
function guardStream(body: ReadableStream<Uint8Array>, fail: (err: unknown) => unknown, limit: number, tooLarge: () => Error): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let size = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) return controller.close()
        size += value.byteLength
        if (size > limit) {
          await reader.cancel().catch(() => {})
          return controller.error(tooLarge())
        }
        controller.enqueue(value)
      } catch (err) {
        controller.error(fail(err))
      }
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}

function bodyText(body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return body
  if (body instanceof URLSearchParams) return body.toString()
  if (body instanceof ArrayBuffer) return new TextDecoder().decode(body)
  if (ArrayBuffer.isView(body)) return new TextDecoder().decode(body)
  return `<${(body as object).constructor?.name ?? 'stream'} body, not shown>`
}

function impliedType(body: RequestInit['body']): string | undefined {
  if (body instanceof URLSearchParams) return 'application/x-www-form-urlencoded;charset=UTF-8'
  if (typeof body === 'string') return 'text/plain;charset=UTF-8'
  return undefined
}
