import { describe, expect, it } from 'vitest'
import { redirectUriNotice } from '../../src/cli/commands/login.js'

describe("login's note on the redirect URI it sent", () => {
  it('names the URI, and --port when the port was chosen at random', () => {
    const n = redirectUriNotice(new URL('http://127.0.0.1:41877/callback'), false)
    expect(n).toMatch(/^note: the redirect URI sent was http:\/\/127\.0\.0\.1:41877\/callback; /)
    expect(n).toMatch(/or give --port \(and --redirect-host\) to match a registered one$/)
  })
  it('with --port given, points at host and path instead', () => {
    expect(redirectUriNotice(new URL('http://localhost:8400/cb'), true)).toMatch(/sent was http:\/\/localhost:8400\/cb; .*or change --redirect-host\/--redirect-path to match a registered one$/)
  })
})
