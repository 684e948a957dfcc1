/**
 * Which proxy, if any, a request goes through: the same reading of HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY as undici's EnvHttpProxyAgent (which does the proxying), so that a failure can name
 * the proxy rather than blame the server behind it. Pure.
 * @module
 */

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

export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const httpsProxy = env.https_proxy || env.HTTPS_PROXY || undefined
  const httpProxy = env.http_proxy || env.HTTP_PROXY || undefined
  // HTTPS_PROXY alone covers https only, as curl does; HTTP_PROXY alone covers both (undici)
  return { httpProxy, httpsProxy: httpsProxy ?? httpProxy, noProxy: noProxyFor(env) }
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
