/**
 * `tokentool login` in a real terminal (node-pty): the spinner with the time left while
 * waiting, the paste prompt, and a redirect URL typed into the terminal finishing the flow.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { spawn } from 'node-pty'
import { browserlessLogin } from './browserless-login.js'
import { startProvider, type TestProvider } from './provider.js'
import { BIN, tempHome } from '../helpers/run-cli.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(async () => {
  await provider?.stop()
})

const terms: { kill(): void }[] = []
afterEach(() => {
  for (const t of terms.splice(0)) {
    try {
      t.kill()
    } catch {
      // already gone
    }
  }
})

function runInPty(args: string[]) {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, TOKENTOOL_HOME: tempHome(), NO_COLOR: '1', FORCE_COLOR: undefined })) if (v !== undefined) env[k] = v
  const term = spawn(process.execPath, [BIN, ...args], { cols: 200, rows: 30, env })
  let output = ''
  terms.push(term)
  term.onData((d) => (output += d))
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)))
  const waitFor = async (re: RegExp, ms = 45_000) => {
    for (let t = 0; t < ms; t += 50) {
      const m = output.match(re)
      if (m) return m
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no ${re} in terminal output:\n${output}`)
  }
  return { term, output: () => output, exited, waitFor }
}

it('shows a spinner with the time left and the paste prompt, then times out', { timeout: 60_000 }, async () => {
  const t = runInPty(['login', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--no-open', '--timeout', '2s'])
  expect(await t.exited).toBe(3)
  const out = t.output()
  expect(out).toMatch(/Open: http:\/\/127\.0\.0\.1/)
  expect(out).toMatch(/paste the URL it ends on here/)
  expect(out).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the sign-in to come back to http:\/\/127\.0\.0\.1:\d+\/callback \ds left, Ctrl-C to cancel/)
  expect(out).toMatch(/timed out after 2s/)
})

it('finishes with a redirect URL typed into the terminal', { timeout: 60_000 }, async () => {
  const t = runInPty(['login', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--no-open'])
  const url = (await t.waitFor(/Open: (\S+)/))[1]!
  const walked = await browserlessLogin(url) // the browser ends on a page the listener never saw
  t.term.write(`${walked.url}\r`)
  expect(await t.exited).toBe(0)
  expect(t.output()).toMatch(/Signed in at http:\/\/127\.0\.0\.1:\d+ \(profile default\)/)
})

it('Ctrl-C while waiting leaves a clean line, cursor shown: "interrupted", exit 130', { timeout: 60_000 }, async () => {
  const t = runInPty(['login', '--issuer', provider.issuer, '--client-id', provider.clients.native.client_id, '--no-open', '--timeout', '30s'])
  await t.waitFor(/Waiting for the sign-in/)
  t.term.write('\x03')
  expect(await t.exited).toBe(130)
  expect(t.output()).toMatch(/\r\x1b\[2K\x1b\[\?25htokentool: interrupted\r?\n/)
})
