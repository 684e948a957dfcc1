// `npm run bench`: every benchmark, each figure a ratio taken in this one run.
import { benchStartup } from './startup.js'
import { benchVerifyBatch } from './verify-batch.js'
import { benchVerifySteady } from './verify-steady.js'
import { fmt, UNSET } from './lib.js'

const started = new Date().toISOString()
console.log(`tokentool benchmarks — node ${process.version}, ${started}`)
if (UNSET.length > 0) console.log(`(measured without ${UNSET.join(', ')} from this environment: see bench/lib.js)`)

const s = benchStartup()
console.log(`start-up       decode ${fmt(s.decodeMs, 1)} ms ÷ node -e 0 ${fmt(s.nodeMs, 1)} ms = ${fmt(s.ratio)}x   (target <= 1.2x; medians of ${s.rounds} rounds; load ${s.load})`)

const v = await benchVerifyBatch()
console.log(
  `verify --batch ${fmt(v.cliRate, 0)}/s ÷ floor ${fmt(v.floorRate, 0)}/s = ${fmt(v.ratio)}x   (target >= 0.8x; medians of ${v.rounds} rounds, one round ${fmt(v.roundRatios[0])}–${fmt(v.roundRatios[1])}x; raw jose loop ${fmt(v.rawRate, 0)}/s; ` +
    `÷ end-to-end floor ${fmt(v.endToEndRate, 0)}/s = ${fmt(v.endToEndRatio)}x); ` +
    `peak RSS ${Math.round(v.peakKiB / 1024)} MiB at ${v.n} tokens, ${Math.round(v.peakKiBx10 / 1024)} MiB at ${v.n * 10}`,
)

const w = await benchVerifySteady()
console.log(`  warm worker    tokentool's batch worker beside a floor worker, at the same time, both warm: ${fmt(w.oursRate, 0)}/s ÷ ${fmt(w.floorRate, 0)}/s = ${fmt(w.ratio)}x (median of ${w.ratios.map((x) => fmt(x)).join(', ')}; what a run pays besides is start-up, warm-up and I/O)`)

for (const extra of ['./simulate.js', './token-cache.js']) {
  try {
    const mod = await import(extra)
    if (typeof mod.bench === 'function') console.log(await mod.bench())
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e
  }
}
