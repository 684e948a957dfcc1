import { describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { bindAddresses, judgeCallback, listenForCallback, redirectUriFor, renderPage } from '../../src/oauth/loopback.js'

const redirect = new URL('http://127.0.0.1:5555/callback')

describe('judgeCallback', () => {
  it('accepts the callback whose state matches and carries a code', () => {
    const j = judgeCallback('GET', '/callback?code=abc&state=S1', redirect, 'S1')
    expect(j.accept && j.callback.kind).toBe('code')
  })
  it('refuses a wrong state with 400 and does not accept it', () => {
    const j = judgeCallback('GET', '/callback?code=abc&state=other', redirect, 'S1')
    expect(j).toMatchObject({ accept: false, status: 400 })
  })
  it('refuses a missing state with 400', () => {
    expect(judgeCallback('GET', '/callback?code=abc', redirect, 'S1')).toMatchObject({ accept: false, status: 400 })
  })
  it('passes a provider error on (it ends the flow)', () => {
    const j = judgeCallback('GET', '/callback?error=access_denied&error_description=no&state=S1', redirect, 'S1')
    expect(j.accept && j.callback).toMatchObject({ kind: 'error', error: 'access_denied', description: 'no' })
  })
  it('calls a matching callback with neither code nor error malformed', () => {
    const j = judgeCallback('GET', '/callback?state=S1', redirect, 'S1')
    expect(j.accept && j.callback.kind).toBe('malformed')
  })
  it('answers other paths with 404 and other methods with 405', () => {
    expect(judgeCallback('GET', '/favicon.ico', redirect, 'S1')).toMatchObject({ accept: false, status: 404 })
    expect(judgeCallback('POST', '/callback?code=a&state=S1', redirect, 'S1')).toMatchObject({ accept: false, status: 405 })
  })
})

describe('pages and addresses', () => {
  it('escapes what it shows', () => {
    const html = renderPage({ title: '<b>', message: 'a "quote" & <script>', ok: false })
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
  })
  it('binds only the redirect host loopback address, both for localhost', () => {
    expect(bindAddresses('127.0.0.1')).toEqual(['127.0.0.1'])
    expect(bindAddresses('[::1]')).toEqual(['::1'])
    expect(bindAddresses('localhost')).toEqual(['127.0.0.1', '::1'])
    expect(redirectUriFor('[::1]', 8080, 'cb').href).toBe('http://[::1]:8080/cb')
  })
})

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject).end()
  })
}

describe('listenForCallback', () => {
  it('keeps waiting after a wrong state, accepts the right one, and serves the final page', async () => {
    const refused: number[] = []
    const l = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback', state: 'good', onRejected: (s) => refused.push(s) })
    try {
      expect(l.redirectUri.port).not.toBe('0')
      const bad = await get(`${l.redirectUri.href}?code=x&state=evil`)
      expect(bad.status).toBe(400)
      expect(refused).toEqual([400])
      const answer = get(`${l.redirectUri.href}?code=x&state=good`)
      const pending = await l.next
      expect(pending.callback.kind).toBe('code')
      pending.reply({ title: 'Signed in', message: 'done', ok: true })
      const ok = await answer
      expect(ok.status).toBe(200)
      expect(ok.body).toContain('Signed in')
      const late = await get(`${l.redirectUri.href}?code=y&state=good`)
      expect(late.status).toBe(409)
    } finally {
      await l.close()
    }
  })
  it('accepts a pasted redirect URL with the right state only', async () => {
    const l = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback', state: 'good' })
    try {
      expect(l.offer(new URL('http://127.0.0.1:1/callback?code=x&state=bad')).accept).toBe(false)
      expect(l.offer(new URL('http://127.0.0.1:1/callback?code=x&state=good')).accept).toBe(true)
      const p = await l.next
      expect(p.callback.url.searchParams.get('code')).toBe('x')
    } finally {
      await l.close()
    }
  })
  it('binds 127.0.0.1 only, not other interfaces', async () => {
    const l = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback', state: 's' })
    try {
      // ::1 on the same port must not answer (connection refused or no IPv6 at all)
      await expect(get(`http://[::1]:${l.redirectUri.port}/callback`)).rejects.toThrow()
    } finally {
      await l.close()
    }
  })
  it('names the port when it is taken', async () => {
    const a = await listenForCallback({ host: '127.0.0.1', port: 0, path: '/callback', state: 's' })
    try {
      await expect(listenForCallback({ host: '127.0.0.1', port: Number(a.redirectUri.port), path: '/callback', state: 's' })).rejects.toThrow(/in use/)
    } finally {
      await a.close()
    }
  })
})

describe('judgeCallback properties', async () => {
  const fc = (await import('fast-check')).default
  it('never throws, and accepts only a GET to the redirect path carrying the exact state', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('GET', 'POST', 'HEAD'), fc.string({ minLength: 1 }), (target, method, state) => {
        const j = judgeCallback(method, target, redirect, state)
        if (j.accept) {
          expect(method).toBe('GET')
          expect(j.callback.url.pathname).toBe('/callback')
          expect(j.callback.url.searchParams.get('state')).toBe(state)
        } else {
          expect([400, 404, 405]).toContain(j.status)
        }
      }),
    )
  })
  it('accepts any code with the right state and refuses any other state', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (code, state, other) => {
        const q = (s: string) => `/callback?${new URLSearchParams({ code, state: s })}`
        const ok = judgeCallback('GET', q(state), redirect, state)
        expect(ok.accept && ok.callback.kind).toBe('code')
        if (other !== state) expect(judgeCallback('GET', q(other), redirect, state)).toMatchObject({ accept: false, status: 400 })
      }),
    )
  })
})
