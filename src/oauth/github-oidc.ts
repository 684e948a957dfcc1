/**
 * The GitHub Actions OIDC token, fetched as `@actions/core`'s `getIDToken` does: GET
 * `$ACTIONS_ID_TOKEN_REQUEST_URL` (which already carries `?api-version=2.0`) with `audience`
 * added when one is asked for, `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the
 * answer is JSON `{"value": "<JWT>"}`. Both variables exist only in a job with
 * `permissions: id-token: write`. Fetched on the network path only, on every run that needs
 * it: the assertion lives a few minutes and is never stored.
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#updating-your-actions-for-oidc
 * @module
 */
import type { Deps } from '../deps.js'
import { printable } from '../core/printable.js'
import { registerSecret } from '../core/secret-values.js'
import { NetworkError, UsageError } from '../errors.js'
import { isSecureOrLoopback } from '../http/loopback.js'
import { networkFailure } from '../http/net-errors.js'
import { readBodyLimited } from '../http/read-limited.js'

export const GITHUB_URL_VAR = 'ACTIONS_ID_TOKEN_REQUEST_URL'
export const GITHUB_TOKEN_VAR = 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
/** A JSON object holding one JWT: anything bigger is not GitHub's answer. */
const MAX_BYTES = 64 * 1024

export async function githubIdToken(audience: string | undefined, deps: Pick<Deps, 'fetch' | 'env'>): Promise<string> {
  const urlText = deps.env[GITHUB_URL_VAR]
  const requestToken = deps.env[GITHUB_TOKEN_VAR]
  const missing = [urlText ? undefined : GITHUB_URL_VAR, requestToken ? undefined : GITHUB_TOKEN_VAR].filter(Boolean)
  if (missing.length) {
    throw new UsageError(`--client-assertion github needs ${missing.join(' and ')}, which GitHub Actions sets only in a job with "permissions: id-token: write"`, {
      hint: 'add "permissions: { id-token: write }" to the workflow or job; outside GitHub Actions use --client-assertion file:PATH or env:VAR',
    })
  }
  let url: URL
  try {
    url = new URL(urlText!)
  } catch {
    throw new UsageError(`${GITHUB_URL_VAR} is not a URL`)
  }
  if (!isSecureOrLoopback(url)) throw new UsageError(`${GITHUB_URL_VAR} must use https (plain http only for loopback): ${printable(url.origin)}`)
  if (audience !== undefined) url.searchParams.set('audience', audience)
  // redacted by value wherever it turns up (a trace, an error line quoting GitHub's answer)
  registerSecret(requestToken)

  const fetch = await deps.fetch()
  const where = `the GitHub Actions OIDC token endpoint (${url.origin})`
  let res: Response
  try {
    res = await fetch(url.href, { headers: { authorization: `bearer ${requestToken}`, accept: 'application/json; api-version=2.0' } })
  } catch (e) {
    const ne = networkFailure(e, { url: url.href })
    throw new NetworkError(`cannot fetch the GitHub Actions OIDC token from ${url.origin}: ${ne.message}`, { cause: ne, ...(ne.hint ? { hint: ne.hint } : {}) })
  }
  let text: string
  try {
    text = Buffer.from(await readBodyLimited(res.body, MAX_BYTES, () => new NetworkError(`${where} answered more than ${MAX_BYTES} bytes`))).toString('utf8')
  } catch (e) {
    if (e instanceof NetworkError) throw e
    throw new NetworkError(`reading the answer of ${where}: ${(e as Error).message}`)
  }
  if (!res.ok) {
    const detail = messageOf(text)
    const hint = res.status === 401 || res.status === 403 ? `${GITHUB_TOKEN_VAR} was refused: it is valid only in the job that got it, and the job needs "permissions: id-token: write"` : undefined
    throw new NetworkError(`${where} answered HTTP ${res.status}${detail ? `: ${printable(detail).slice(0, 300)}` : ''}`, hint ? { hint } : {})
  }
  let value: unknown
  try {
    value = (JSON.parse(text) as { value?: unknown }).value
  } catch {
    throw new NetworkError(`${where} did not answer JSON`)
  }
  if (typeof value !== 'string' || !value) throw new NetworkError(`${where} answered without a "value" (the token)`)
  registerSecret(value)
  return value
}

/** GitHub's error bodies are JSON `{"message": ...}` or text. */
function messageOf(text: string): string | undefined {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message
    if (typeof m === 'string') return m
  } catch {
    // text
  }
  return text.trim() || undefined
}
