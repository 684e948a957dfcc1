/**
 * `git-credential get` reads git's request from the descriptor (src/cli/start.ts). A Ctrl-C
 * while the request is still coming is acted on before anything is answered: exit 130 and one
 * line, as everywhere else, whether stdin is a pipe (what git gives) or a socket (what a Node.js
 * parent's stdio 'pipe' gives), and whatever the rest of the request says once it comes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { gitAnsweringHome } from '../helpers/git-home.js'
import { BIN } from '../helpers/run-cli.js'

const REQUEST = 'protocol=https\nhost=git.example.com\n\n'

/** A home whose profile answers for git.example.com from its cache: the request, once read, would be answered. */
const answeringHome = async (): Promise<string> => (await gitAnsweringHome()).home

/** read(2)'s number in /proc/PID/task/TID/syscall (Linux). */
const READ_SYSCALL: number | undefined = ({ x64: 0, arm64: 63 } as Record<string, number>)[process.arch]

/** Waits until one of the process's threads is blocked in read(2) on descriptor 0. */
async function blockedReadingStdin(pid: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    let tasks: string[] = []
    try {
      tasks = readdirSync(`/proc/${pid}/task`)
    } catch {
      // not started yet, or gone
    }
    for (const t of tasks) {
      let line = ''
      try {
        line = readFileSync(`/proc/${pid}/task/${t}/syscall`, 'utf8')
      } catch {
        continue
      }
      if (line.startsWith(`${READ_SYSCALL} 0x0 `)) return // read, its first argument descriptor 0
    }
    await sleep(10)
  }
  throw new Error('the run never waited in a read of its stdin')
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

const env = (home: string) => ({ ...process.env, NO_COLOR: '1', TOKENTOOL_NO_ARGV_WARNING: '1', TOKENTOOL_HOME: home })

// the wait for the blocked read needs Linux's /proc (where CI runs)
describe.runIf(process.platform === 'linux' && READ_SYSCALL !== undefined)('git-credential get interrupted while its request is coming', () => {
  it('stdin a pipe (as git gives it): exit 130, one line, no answer', async () => {
    const home = await answeringHome()
    const fifo = join(mkdtempSync(join(tmpdir(), 'tokentool-fifo-')), 'request')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    // the writer's end first (read-write: it does not wait for a reader), then a blocking read end for the run
    const writer = openSync(fifo, constants.O_RDWR)
    const reader = openSync(fifo, constants.O_RDONLY)
    const child = spawn(process.execPath, [BIN, 'git-credential', 'get'], { env: env(home), stdio: [reader, 'pipe', 'pipe'] })
    closeSync(reader)
    const done = finished(child)
    await blockedReadingStdin(child.pid!)
    child.kill('SIGINT')
    await sleep(100)
    // the request arrives whole after the interrupt: it must not be answered
    writeSync(writer, REQUEST)
    closeSync(writer)
    expect(await done).toEqual({ code: 130, stdout: '', stderr: 'tokentool: interrupted\n' })
  })

  it("stdin a socket (a Node.js parent's stdio 'pipe'): the same", async () => {
    const home = await answeringHome()
    const child = spawn(process.execPath, [BIN, 'git-credential', 'get'], { env: env(home), stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin!.on('error', () => {})
    const done = finished(child)
    await blockedReadingStdin(child.pid!)
    child.kill('SIGINT')
    await sleep(100)
    child.stdin!.end(REQUEST)
    expect(await done).toEqual({ code: 130, stdout: '', stderr: 'tokentool: interrupted\n' })
  })
})
