/**
 * Which proxy, if any, a request goes through: the same reading of HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY as undici's EnvHttpProxyAgent (which does the proxying), so that a failure can name
 * the proxy rather than blame the server behind it. Pure.
 * @module
 */

import { UsageError } from '../errors.js'
import { printable } from '../core/printable.js'

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** Loopback is never proxied unless NO_PROXY is set: then NO_PROXY is taken exactly as given. */
export function noProxyFor(env: NodeJS.ProcessEnv): string {
  const given = env.no_proxy ?? env.NO_PROXY
  if (given !== undefined) return given
  // a local test provider must never be sent through a corporate proxy
  return 'localhost,127.0.0.1,[::1]'
}

export interface ProxySettings {
  httpProxy?: string | undefined
  httpsProxy?: string | undefined
  noProxy: string
}

/**
 * The proxies the environment names, each as a URL undici takes. A value without a scheme
 * (`HTTPS_PROXY=proxy.corp:3128`, common, and what curl reads as http://) gets `http://`;
 * one that is still not an http(s) URL is the user's to fix (UsageError, exit 2), named with its
 * variable and without its credentials: undici's "Invalid URL" was exit 70, for every request.
 */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const httpsProxy = fromEnv(env, 'https_proxy', 'HTTPS_PROXY')
  const httpProxy = fromEnv(env, 'http_proxy', 'HTTP_PROXY')
  // HTTPS_PROXY alone covers https only, as curl does; HTTP_PROXY alone covers both (undici)
  return { httpProxy, httpsProxy: httpsProxy ?? httpProxy, noProxy: noProxyFor(env) }
}

function fromEnv(env: NodeJS.ProcessEnv, lower: string, upper: string): string | undefined {
  const name = env[lower] ? lower : env[upper] ? upper : undefined
  if (name === undefined) return undefined
  const given = env[name]!.trim()
  const value = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    // reported below
  }
  // undici proxies through http and https proxies (socks5 too, experimental in undici 7)
  if (!url || !['http:', 'https:', 'socks5:'].includes(url.protocol) || url.hostname === '') {
    throw new UsageError(`${name} is not a proxy URL: "${printable(withoutCredentials(given))}"`, { hint: `give it as http://host:port, or unset ${name}` })
  }
  return value
}

/** The value with whatever stands before an "@" (user and password) replaced. */
function withoutCredentials(value: string): string {
  const at = value.lastIndexOf('@')
  if (at < 0) return value
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? ''
  return `${scheme}***${value.slice(at)}`
}

/** The proxy URL `url` goes through, or undefined when it goes direct. */
export function proxyFor(url: URL, s: ProxySettings): URL | undefined {
  const proxy = url.protocol === 'https:' ? s.httpsProxy : s.httpProxy
  if (!proxy) return undefined
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase()
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0
  const value = s.noProxy
  if (value === '*') return undefined
  for (const entry of value.split(/[,\s]/)) {
    if (!entry) continue
    const m = /^(.+):(\d+)$/.exec(entry)
    const host = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase()
    const entryPort = m ? Number.parseInt(m[2]!, 10) : 0
    if (entryPort && entryPort !== port) continue
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined
  }
  try {
    return new URL(proxy)
  } catch {
    return undefined
  }
}
