/**
 * Runs the built binary as a long-lived process a test talks to while it runs: wait for a
 * line on stderr (the `Open:` URL), write to its stdin (a pasted URL), then await the end.
 * Like runCli: fresh TOKENTOOL_HOME unless given, NO_COLOR.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { BIN, tempHome, type CliResult } from './run-cli.js'

export interface LiveCli {
  child: ChildProcessWithoutNullStreams
  home: string
  stdout(): string
  stderr(): string
  /** Resolves with the first match of `re` in stderr (waits for it to appear). */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves when the process ends. */
  done: Promise<CliResult>
}

// a test that fails half-way must not leave a login waiting for minutes after its worker ended
const live = new Set<ChildProcessWithoutNullStreams>()
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

export function spawnCli(args: string[], opts: { env?: Record<string, string | undefined>; home?: string; killAfterMs?: number } = {}): LiveCli {
  const home = opts.home ?? tempHome()
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, TOKENTOOL_NO_ARGV_WARNING: '1', TOKENTOOL_HOME: home, ...opts.env })) {
    if (v !== undefined) env[k] = v
  }
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters: (() => void)[] = []
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    waiters.splice(0).forEach((w) => w())
  })
  child.stdin.on('error', () => {})
  live.add(child)
  child.once('exit', () => live.delete(child))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      waiters.splice(0).forEach((w) => w())
      resolve({ code, stdout, stderr })
    })
  })
  let exited = false
  void done.then(() => (exited = true))
  return {
    child,
    home,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitForStderr(re, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} on stderr within ${timeoutMs} ms; stderr so far:\n${stderr}`)), timeoutMs)
        const check = () => {
          const m = stderr.match(re)
          if (m) {
            clearTimeout(t)
            return resolve(m)
          }
          if (exited) {
            clearTimeout(t)
            return reject(new Error(`process ended without ${re} on stderr:\n${stderr}`))
          }
          waiters.push(check)
        }
        check()
      })
    },
  }
}

/** The URL on the `Open: ` line of a running login. */
export async function openUrl(cli: LiveCli): Promise<string> {
  return (await cli.waitForStderr(/^Open: (\S+)$/m))[1]!
}
