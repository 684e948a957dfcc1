/**
 * Runs the built binary as a user would: real process, real pipes, exit code.
 * Every run gets a fresh TOKENTOOL_HOME unless one is given, and no colour unless asked.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/tokentool.cjs', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string | Buffer
  env?: Record<string, string | undefined>
  cwd?: string
  timeoutMs?: number
  /** Another entry script instead of bin/tokentool.cjs (e.g. FULL_PROGRAM). */
  bin?: string
  /** A program that runs node, e.g. `['taskset', '-c', '0']` for a machine of one core. */
  prefix?: string[]
}

/** An entry that runs the full commander program with no start-up fast path: to compare both paths. */
export const FULL_PROGRAM = fileURLToPath(new URL('./full-program.mjs', import.meta.url))

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'tokentool-test-'))
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, TOKENTOOL_NO_ARGV_WARNING: '1', TOKENTOOL_HOME: tempHome(), ...opts.env })) {
      if (v !== undefined) env[k] = v
    }
    const argv = [process.execPath, opts.bin ?? BIN, ...args]
    const [command, ...rest] = [...(opts.prefix ?? []), ...argv]
    const child = spawn(command!, rest, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}
