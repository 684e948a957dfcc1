import { describe, expect, it } from 'vitest'
import { NetworkError } from '../../src/errors.js'
import { networkFailure } from '../../src/http/net-errors.js'

/** What undici throws: `TypeError: fetch failed` with the system or undici error as cause. */
function fetchFailed(code: string, message = code): TypeError {
  const cause = Object.assign(new Error(message), { code })
  return new TypeError('fetch failed', { cause })
}

const url = 'https://login.example.com:8443/token'

describe('networkFailure', () => {
  it.each([
    ['ECONNREFUSED', 'cannot connect to login.example.com:8443: connection refused'],
    ['ENOTFOUND', 'cannot resolve host login.example.com'],
    ['EAI_AGAIN', 'cannot resolve host login.example.com'],
    ['ECONNRESET', 'connection to login.example.com:8443 was closed unexpectedly'],
    ['UND_ERR_SOCKET', 'connection to login.example.com:8443 was closed unexpectedly'],
    ['EHOSTUNREACH', 'cannot reach login.example.com:8443: network unreachable'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timed out after 10s connecting to login.example.com:8443'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timed out after 30s talking to login.example.com:8443'],
    ['UND_ERR_BODY_TIMEOUT', 'timed out after 30s talking to login.example.com:8443'],
    ['CERT_HAS_EXPIRED', 'TLS error talking to login.example.com:8443: certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "TLS error talking to login.example.com:8443: Hostname/IP does not match certificate's altnames"],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS error talking to login.example.com:8443: self-signed certificate in certificate chain'],
  ])('%s → %s', (code, message) => {
    const messages: Record<string, string> = {
      CERT_HAS_EXPIRED: 'certificate has expired',
      ERR_TLS_CERT_ALTNAME_INVALID: "Hostname/IP does not match certificate's altnames",
      SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
    }
    const err = networkFailure(fetchFailed(code, messages[code]), { url })
    expect(err).toBeInstanceOf(NetworkError)
    expect(err.message).toBe(message)
    // the coded error is kept as the cause, so a caller reading `cause.code` still finds it
    expect((err.cause as { code?: string }).code).toBe(code)
  })

  it('uses the configured timeouts in the message', () => {
    expect(networkFailure(fetchFailed('UND_ERR_CONNECT_TIMEOUT'), { url, connectTimeoutMs: 2500 }).message).toBe('timed out after 2.5s connecting to login.example.com:8443')
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })
    expect(networkFailure(timeout, { url, timeoutMs: 5000 }).message).toBe('timed out after 5s talking to login.example.com:8443')
  })

  it('says something useful for an unknown failure and passes a NetworkError through', () => {
    expect(networkFailure(new TypeError('fetch failed', { cause: new Error('weird') }), { url }).message).toBe('cannot reach login.example.com:8443: weird')
    const own = new NetworkError('already clear')
    expect(networkFailure(own, { url })).toBe(own)
  })

  it('gives a hint for TLS and refused connections', () => {
    expect(networkFailure(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT'), { url }).hint).toContain('NODE_EXTRA_CA_CERTS')
    expect(networkFailure(fetchFailed('ECONNREFUSED'), { url }).hint).toBe('is the server running and the URL right?')
  })
})
