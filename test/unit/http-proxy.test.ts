/** Which proxy a request goes through (the same reading undici's EnvHttpProxyAgent makes), and failures that name it. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/errors.js'
import { networkFailure } from '../../src/http/net-errors.js'
import { noProxyFor, proxyFor, proxySettings } from '../../src/http/proxy.js'

const via = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), proxySettings(env))?.href

describe('proxyFor', () => {
  it('HTTPS_PROXY for https only; HTTP_PROXY for http, and for https when HTTPS_PROXY is unset', () => {
    expect(via('https://as.example/', { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '' })).toBe('http://p:3128/')
    expect(via('http://as.example/', { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '' })).toBeUndefined()
    expect(via('https://as.example/', { HTTP_PROXY: 'http://q:8080', NO_PROXY: '' })).toBe('http://q:8080/')
    expect(via('https://as.example/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2', NO_PROXY: '' })).toBe('http://lower:1/')
    expect(via('https://as.example/', {})).toBeUndefined()
  })

  it('NO_PROXY: exact hosts, domain suffixes (with or without a leading dot or *.), ports, and *', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'internal.example, .corp.example,*.lab.example,api.example:8443' }
    expect(via('https://internal.example/', env)).toBeUndefined()
    expect(via('https://a.internal.example/', env)).toBeUndefined()
    expect(via('https://x.corp.example/', env)).toBeUndefined()
    expect(via('https://corp.example/', env)).toBeUndefined()
    expect(via('https://x.lab.example/', env)).toBeUndefined()
    expect(via('https://api.example:8443/', env)).toBeUndefined()
    expect(via('https://api.example/', env)).toBe('http://p:3128/')
    expect(via('https://notinternal.example/', env)).toBe('http://p:3128/')
    expect(via('https://anything/', { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '*' })).toBeUndefined()
  })

  it('loopback goes direct while NO_PROXY is unset, and through the proxy when NO_PROXY says nothing about it', () => {
    expect(noProxyFor({})).toBe('localhost,127.0.0.1,[::1]')
    for (const u of ['https://127.0.0.1:8443/', 'https://localhost/', 'https://[::1]:9/']) {
      expect(via(u, { HTTPS_PROXY: 'http://p:1' })).toBeUndefined()
      expect(via(u, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '' })).toBe('http://p:1/')
    }
  })
})

describe('proxy variables as given', () => {
  it('a value without a scheme is http:// (curl reads it so); one with a scheme is kept', () => {
    expect(proxySettings({ HTTPS_PROXY: 'proxy.corp:3128' }).httpsProxy).toBe('http://proxy.corp:3128')
    expect(proxySettings({ HTTP_PROXY: ' 10.0.0.1:8080 ' }).httpProxy).toBe('http://10.0.0.1:8080')
    expect(proxySettings({ HTTPS_PROXY: 'https://p.example:443' }).httpsProxy).toBe('https://p.example:443')
    expect(via('https://as.example/', { HTTPS_PROXY: 'p:3128', NO_PROXY: '' })).toBe('http://p:3128/')
  })

  it('a value that is not an http(s) proxy URL is a UsageError naming the variable', () => {
    for (const [env, name] of [
      [{ HTTPS_PROXY: 'http://[::1' }, 'HTTPS_PROXY'],
      [{ https_proxy: 'ftp://p:21', HTTPS_PROXY: 'http://p:1' }, 'https_proxy'],
      [{ HTTP_PROXY: 'http://' }, 'HTTP_PROXY'],
      [{ http_proxy: 'http://:3128' }, 'http_proxy'],
    ] as const) {
      expect(() => proxySettings(env)).toThrow(UsageError)
      expect(() => proxySettings(env)).toThrow(new RegExp(`^${name} is not a proxy URL`))
    }
  })

  it('any value: a URL undici parses, or a UsageError that shows no credentials', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('', 'user:pw-5ecret@', 'pw-5ecret@'), fc.constantFrom('', 'http://', 'https://', 'ftp://', 'socks5://'), (rest, creds, scheme) => {
        const value = `${scheme}${creds}${rest}`
        try {
          const { httpsProxy } = proxySettings({ HTTPS_PROXY: value })
          if (value.trim() !== '') expect(() => new URL(httpsProxy!)).not.toThrow()
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError)
          if (!rest.includes('@')) expect((e as Error).message).not.toContain('5ecret')
        }
      }),
    )
  })
})

describe('failures through a proxy', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), { code: 'ECONNREFUSED' }) })
  const proxy = new URL('http://alice:s3cr3t-proxy-pass@10.0.0.1:3128')

  it('a proxy that cannot be reached is named, without its credentials', () => {
    const e = networkFailure(refused, { url: 'https://login.example.com/x', proxy })
    expect(e.message).toBe('cannot reach proxy 10.0.0.1:3128 on the way to login.example.com: connection refused')
    expect(`${e.message} ${e.hint}`).not.toContain('s3cr3t')
  })

  it("a proxy's refusal of the tunnel gives its status", () => {
    const tunnel = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), { code: 'UND_ERR_ABORTED' }) })
    expect(networkFailure(tunnel, { url: 'https://login.example.com/x', proxy }).message).toBe('proxy 10.0.0.1:3128 refused the connection to login.example.com: HTTP 407 (proxy authentication required)')
  })

  it('without a proxy the server is named as before', () => {
    expect(networkFailure(refused, { url: 'https://login.example.com/x' }).message).toBe('cannot connect to login.example.com: connection refused')
  })
})
