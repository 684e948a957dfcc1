/**
 * Whether a process id is alive on this machine, and what Linux's /proc says about it: when it
 * started (to tell a lock's holder from a later process that got the same pid) and whether it is
 * stopped (SIGSTOP, Ctrl-Z). Elsewhere only `kill(pid, 0)` is known.
 * @module
 */
import { readFileSync } from 'node:fs'

/** `kill(pid, 0)`: ESRCH means no such process; EPERM means it exists but is not ours. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

let bootTime: number | null | undefined
/** The kernel's boot time in epoch ms (`btime` in /proc/stat); null off Linux. */
function bootTimeMs(): number | null {
  if (bootTime === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
      bootTime = m ? Number(m[1]) * 1000 : null
    } catch {
      bootTime = null
    }
  }
  return bootTime
}

let bootIdValue: string | null | undefined
/** This boot's random id (Linux); a lock taken before a reboot has another one. */
export function bootId(): string | undefined {
  if (bootIdValue === undefined) {
    try {
      bootIdValue = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
    } catch {
      bootIdValue = null
    }
  }
  return bootIdValue ?? undefined
}

export interface ProcessState {
  alive: boolean
  /** Epoch ms the process started, to within a second or so (Linux only). */
  startedAtMs?: number
  /** State `T`/`t`: stopped by a signal or a debugger. */
  stopped?: boolean
}

/** What is known about `pid` on this host. */
export function processState(pid: number): ProcessState {
  if (!Number.isInteger(pid) || pid <= 0) return { alive: false }
  if (!pidAlive(pid)) return { alive: false }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const state = fields[0] ?? ''
    // field 22 of the line is starttime, in clock ticks (USER_HZ, 100 on Linux) since boot
    const ticks = Number(fields[19])
    const boot = bootTimeMs()
    const out: ProcessState = { alive: state !== 'Z' && state !== 'X' }
    if (state === 'T' || state === 't') out.stopped = true
    if (boot !== null && Number.isFinite(ticks)) out.startedAtMs = boot + ticks * 10
    return out
  } catch {
    return { alive: true }
  }
}
