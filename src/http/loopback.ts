/** Loopback hosts (RFC 8252 §8.3): the only places plain http is acceptable. @module */

/**
 * True for `localhost`, any 127.0.0.0/8 address and `::1` (as `URL.hostname` spells it, with
 * or without brackets).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h)
  return m !== null && m.slice(1).every((o) => Number(o) <= 255)
}

/** True for an `https:` URL, or an `http:` URL on a loopback host. */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}
