/**
 * Keeps a copy of the last response body an openid-client call received, for the views that
 * show what the server actually sent (the signed JWT of an RFC 9701 introspection response,
 * a JWT userinfo response), and lets a call set the `Accept` it needs. openid-client hands
 * back only the claims it validated.
 * @module
 */
import * as client from 'openid-client'

export interface CapturedResponse {
  status: number
  /** Media type without parameters, lower-case: `application/token-introspection+jwt`. */
  contentType: string | undefined
  body: string
}

/** Body sizes above this are not kept (a response that large is not a token). */
const MAX_CAPTURE = 1024 * 1024

/**
 * Runs `fn` with the configuration's fetch wrapped: requests to `url` get `accept` (when
 * given) and their response is captured. The configuration is restored afterwards.
 */
export async function withCapturedResponse<T>(
  config: client.Configuration,
  url: string | undefined,
  fn: () => Promise<T>,
  opts: { accept?: string } = {},
): Promise<{ result: T; response: CapturedResponse | undefined }> {
  const inner = config[client.customFetch]
  let captured: CapturedResponse | undefined
  const wrapped: client.CustomFetch = async (input, init) => {
    const target = String(input)
    const mine = url !== undefined && sameEndpoint(target, url)
    const headers = mine && opts.accept ? { ...init.headers, accept: opts.accept } : init.headers
    const res = await (inner ?? fetch)(input, { ...init, headers } as never)
    if (mine) {
      const copy = res.clone()
      const text = await copy.text()
      captured = {
        status: res.status,
        contentType: res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase(),
        body: text.length <= MAX_CAPTURE ? text : '',
      }
    }
    return res
  }
  config[client.customFetch] = wrapped
  try {
    return { result: await fn(), response: captured }
  } finally {
    if (inner) config[client.customFetch] = inner
    else delete config[client.customFetch]
  }
}

function sameEndpoint(a: string, b: string): boolean {
  try {
    const x = new URL(a)
    const y = new URL(b)
    return x.origin === y.origin && x.pathname === y.pathname
  } catch {
    return false
  }
}
