// Shared helpers for the benchmarks: wall-clock timing of whole processes, run side by side.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../bin/tokentool.cjs', import.meta.url))

/**
 * Variables of the caller's environment the measured processes run without (every benchmark
 * imports this file, and its child processes inherit process.env). NODE_EXTRA_CA_CERTS makes
 * every Node.js process read and parse that file as it starts, before any code: on the
 * project's machine, which points it at the system's CA bundle, `node -e 0` goes from 78 M to
 * 500 M instructions (30–40 ms to 100–140 ms). Added to both sides of a start-up ratio, it hides
 * what tokentool adds (decode ÷ node -e 0: 1.09× with it, 1.45× without, at 48957cc, stdout a pipe); and it
 * weighs on the CLI's side of batch verify only, where the floor is timed inside a running
 * process. No benchmark reaches a TLS server.
 */
export const UNSET = ['NODE_EXTRA_CA_CERTS'].filter((name) => process.env[name] !== undefined)
for (const name of UNSET) delete process.env[name]

/** Wall time of one process run, in milliseconds. Throws when the command fails. */
export function timeRun(cmd, args, { input, env } = {}) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { input, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs each named command `rounds` times, interleaved (a, b, a, b, ...) so that machine load
 * affects all alike, after `warmup` untimed rounds. Returns the median wall time of each.
 *
 * START_ROUNDS is what the start-up figures use. One start on this 2-core VM takes 23–47 ms
 * (10th to 90th percentile, `node -e 0`), so the median of 30 moved by ±0.05 from one run to the
 * next: 1.12×, 1.17×, 1.22× for the same build, minutes apart. Of 100, by about half that, for
 * 7 s of a run (decode and node -e 0) and 14 s (the four cache commands).
 */
export const START_ROUNDS = 100
export function sideBySide(commands, { rounds = START_ROUNDS, warmup = 3 } = {}) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
  for (let i = 0; i < warmup + rounds; i++) {
    for (const [name, run] of Object.entries(commands)) {
      const ms = run()
      if (i >= warmup) times[name].push(ms)
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
}

export const fmt = (n, digits = 2) => n.toFixed(digits)
