// Benchmark of `tokentool simulate` (run after `npm run build`): the engine steps event to
// event, so a year of simulated time costs one step per refresh, never one per minute.
// Times the engine in-process on long horizons and the whole CLI as a user runs it, and prints
// one figure line. Exit 1 when the CLI takes a second or more on `--horizon 1y --sliding 1m`,
// the budget the issue sets ("well under a second").
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { simulate } from '../dist/core/simulate/simulate.js'

const BIN = fileURLToPath(new URL('../bin/tokentool.cjs', import.meta.url))
const BUDGET_MS = 1000

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Median milliseconds of `fn` over `runs` runs, after one warm-up. */
function time(fn, runs) {
  fn()
  const ms = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn()
    ms.push(performance.now() - t0)
  }
  return median(ms)
}

const engineCases = [
  { name: '1y/sliding 1m', flags: { horizon: '1y', sliding: '1m' }, runs: 200 },
  { name: '1y/sliding 2h', flags: { horizon: '1y', sliding: '2h' }, runs: 20 },
  { name: '1y/sliding 2h, 5m tokens', flags: { horizon: '1y', sliding: '2h', accessTtl: '5m' }, runs: 5 },
]
const engine = engineCases.map((c) => {
  const events = simulate(c.flags).session.events.length
  return { ...c, events, ms: time(() => simulate(c.flags), c.runs) }
})

function cli(args, runs) {
  const ms = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } })
    ms.push(performance.now() - t0)
    if (r.status !== 0) throw new Error(`tokentool ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  return median(ms)
}
const cliShort = cli(['simulate', '--horizon', '1y', '--sliding', '1m'], 7)
const cliJson = cli(['simulate', '--horizon', '1y', '--sliding', '2h', '--json'], 5)

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)}µs` : `${ms.toFixed(1)}ms`)
console.log(
  `simulate: engine ${engine.map((e) => `${e.name} ${fmt(e.ms)} (${e.events} events)`).join(', ')}; ` +
    `CLI --horizon 1y --sliding 1m ${fmt(cliShort)}, 1y/sliding 2h --json ${fmt(cliJson)} (budget ${BUDGET_MS}ms)`,
)
if (cliShort >= BUDGET_MS) {
  console.error(`simulate: over budget: ${fmt(cliShort)} >= ${BUDGET_MS}ms`)
  process.exitCode = 1
}
