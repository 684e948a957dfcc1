/** Whether a process id is alive on this machine. @module */

/** `kill(pid, 0)`: ESRCH means no such process; EPERM means it exists but is not ours. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
