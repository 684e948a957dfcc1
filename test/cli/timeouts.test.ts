/** Timeout values that timers cannot hold are refused up front, not turned into "time out at once". */
import { expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

it('login --timeout longer than a week and a global --timeout longer than a day are usage errors (exit 2)', async () => {
  const login = await runCli(['login', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--no-open', '--timeout', '1000d'])
  expect(login.code).toBe(2)
  expect(login.stderr).toBe('tokentool: --timeout 1000d is longer than a week: a sign-in does not wait that long\n')
  const http = await runCli(['verify', '--timeout', '30d', '--jwks', 'http://127.0.0.1:9/jwks', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'])
  expect(http.code).toBe(2)
  expect(http.stderr).toBe('tokentool: --timeout 30d is longer than a day\n')
})
