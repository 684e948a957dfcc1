import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

describe('login and refresh help', () => {
  it('login --help lists the contract flags, says prompt=consent goes with offline_access, and shows examples', async () => {
    const r = await runCli(['login', '--help'])
    expect(r.code).toBe(0)
    for (const flag of ['--issuer', '--client-id', '--client-secret', '--scope', '--port', '--redirect-path', '--redirect-host', '--no-open', '--browser-command', '--claims', '--prompt', '--login-hint', '--acr-values', '--max-age', '--resource', '--audience', '--param', '--header', '--timeout', '--device', '--authorization-endpoint', '--token-endpoint', '--jwks-uri']) {
      expect(r.stdout).toContain(flag)
    }
    expect(r.stdout).toMatch(/offline_access\s+in\s+the\s+scope\s+and\s+no\s+--prompt,\s+prompt=consent\s+is\s+sent/)
    // a long example continues on an indented line after ` \` (wrapped to the width)
    expect(r.stdout).toMatch(/\nExamples:\n {2}\$ tokentool login --issuer .*\n( {6}.*\n)* {2}\$ tokentool login --profile work --device\n/)
  })
  it('refresh --help names the lock and the removal of a rejected refresh token', async () => {
    const r = await runCli(['refresh', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/--refresh-token/)
    expect(r.stdout).toMatch(/never\s+spend\s+one\s+refresh\s+token\s+twice/)
    expect(r.stdout).toMatch(/\nExamples:\n {2}\$ tokentool refresh\n/)
  })
  it('rejects a bad --port, --redirect-host and --timeout with exit 2', async () => {
    const port = await runCli(['login', '--issuer', 'http://127.0.0.1:1', '--client-id', 'x', '--port', 'abc'])
    expect(port.code).toBe(2)
    expect(port.stderr).toMatch(/--port must be a port number/)
    const host = await runCli(['login', '--redirect-host', 'example.com'])
    expect(host.code).toBe(2)
    expect(host.stderr).toMatch(/--redirect-host/)
    const timeout = await runCli(['login', '--issuer', 'http://127.0.0.1:1', '--client-id', 'x', '--timeout', 'soon'])
    expect(timeout.code).toBe(2)
    expect(timeout.stderr).toMatch(/--timeout/)
  })
})
