/**
 * The one HTTP client of tokentool: undici's fetch with connect and total timeouts, proxies
 * from the environment, failures turned into one-line NetworkErrors naming the host, and the
 * `-v` trace. Everything that goes on the network (discovery, JWKS, token endpoints) is given
 * this function, never the global fetch.
 * @module
 */
import { performance } from 'node:perf_hooks'
import { Agent, EnvHttpProxyAgent, Response as UndiciResponse, fetch as undiciFetch, type Dispatcher } from 'undici'
import { networkFailure } from './net-errors.js'
import { Tracer } from './trace.js'

export interface FetchOptions {
  /** Where `-v` traces go; no tracing when absent. */
  trace?: NodeJS.WritableStream
  /** Whole exchange, headers and body (default 30 s). */
  timeoutMs?: number
  /** TCP and TLS connect (default 10 s). */
  connectTimeoutMs?: number
  /** The environment to read proxy variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv
}

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

type Fetch = typeof globalThis.fetch

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

function dispatcherFor(connectTimeoutMs: number, timeoutMs: number, env: NodeJS.ProcessEnv): Dispatcher {
  const opts = { connect: { timeout: connectTimeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }
  const proxied = env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY
  if (!proxied) return new Agent(opts)
  // a local test provider must never be sent through a corporate proxy
  const noProxy = [env.no_proxy ?? env.NO_PROXY, 'localhost', '127.0.0.1', '[::1]'].filter(Boolean).join(',')
  return new EnvHttpProxyAgent({ ...opts, noProxy })
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
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const dispatcher = dispatcherFor(connectTimeoutMs, timeoutMs, opts.env ?? process.env)
  const tracer = opts.trace ? new Tracer(opts.trace) : undefined
  let seq = 0

  const tokentoolFetch = async (input: Parameters<Fetch>[0], givenInit: RequestInit = {}): Promise<Response> => {
    const id = ++seq
    let init = givenInit
    if (typeof input !== 'string' && !(input instanceof URL)) {
      // a Request (possibly from another undici copy): carry its parts over explicitly
      init = { method: input.method, headers: input.headers, ...(input.body ? { body: await input.arrayBuffer() } : {}), ...givenInit }
      input = input.url
    }
    const url = new URL(input)
    const method = (init.method ?? 'GET').toUpperCase()
    const deadline = AbortSignal.timeout(timeoutMs)
    const callerSignal = init.signal ?? undefined
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline
    const fail = (err: unknown): unknown => {
      if (callerSignal?.aborted) return err
      return networkFailure(deadline.aborted ? timeoutError() : err, { url, timeoutMs, connectTimeoutMs })
    }

    const started = performance.now()
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

    if (tracer) {
      // buffer the body to show it; JSON responses of an authorization server are small
      let buf: ArrayBuffer
      try {
        buf = await res.arrayBuffer()
      } catch (err) {
        const e = fail(err)
        tracer.failure(id, url.href, e instanceof Error ? e.message : String(e), performance.now() - started)
        throw e
      }
      const body = new TextDecoder().decode(buf)
      tracer.response({ id, method, status: res.status, statusText: res.statusText, url: res.url || url.href, headers: res.headers, body, elapsedMs: performance.now() - started })
      return rebuild(res, NULL_BODY_STATUS.has(res.status) ? null : buf)
    }
    return res.body && !NULL_BODY_STATUS.has(res.status) ? rebuild(res, mapStreamErrors(res.body, fail)) : res
  }
  return tokentoolFetch as Fetch
}

function timeoutError(): Error {
  const e = new Error('timeout')
  e.name = 'TimeoutError'
  return e
}

/** A response with the same status, headers and URL and a different body source. */
function rebuild(res: Response, body: ArrayBuffer | ReadableStream<Uint8Array> | null): Response {
  const copy = new UndiciResponse(body as never, { status: res.status, statusText: res.statusText, headers: res.headers as never }) as unknown as Response
  // `url` and `redirected` are read-only getters on the prototype; callers (oauth4webapi) read them
  Object.defineProperty(copy, 'url', { value: res.url })
  Object.defineProperty(copy, 'redirected', { value: res.redirected })
  return copy
}

/** The body stream, with a timeout or reset while reading turned into a NetworkError too. */
function mapStreamErrors(body: ReadableStream<Uint8Array>, fail: (err: unknown) => unknown): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
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

