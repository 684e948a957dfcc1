// Where `verify --batch` stands once started: tokentool's own batch worker
// (dist/bundle/verify-worker.cjs, as the pool runs it) and a floor worker (bench/verify-floor.js's
// per-token work) verify the same ES256 tokens AT THE SAME TIME, one thread each on the 2 cores,
// after both have warmed up: tokens/s of each in the same window, and their ratio. Run together,
// the machine's speed (which drifts by ±10–20% from one second to the next on the shared VM)
// weighs on both alike, so this ratio is steady where the whole-run ratio of bench/verify-batch.js
// is not. The difference between the two figures is what a run pays besides verifying: Node's
// start and exit, the workers' start, their warm-up (V8 compiling the hot code in each worker)
// and the main thread's stdin and stdout (bench/README.md, session 5).
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, SHARE_ENV } from 'node:worker_threads'
import { fmt } from './lib.js'
import { makeTokens } from './verify-batch.js'
import { FLOOR_TOKEN } from './verify-floor.js'

const OURS = fileURLToPath(new URL('../dist/bundle/verify-worker.cjs', import.meta.url))
const ISS = 'https://issuer.bench'
const AUD = 'api'

// the floor's loop, cycling through the tokens: warms up for `warmMs`, then counts for `ms`
const FLOOR = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const { tokens, jwk, iss, aud, now, warmMs, ms } = workerData
const key = createPublicKey({ key: jwk, format: 'jwk' })
let i = 0, n = 0, bad = 0, t0 = performance.now(), counting = false
for (;;) {
  for (let j = 0; j < 64; j++) {
    const t = tokens[i++ % tokens.length]${FLOOR_TOKEN}    if (!ok) bad++
    n++
  }
  const e = performance.now() - t0
  if (!counting && e >= warmMs) { counting = true; n = 0; t0 = performance.now() }
  else if (counting && e >= ms) break
}
parentPort.postMessage({ n, ms: performance.now() - t0, bad })
`

/** tokentool's worker fed batches of 256 lines, 3 in flight as in the pool; counts lines answered in the window. */
function runOurs(tokens, jwksFile, jwksText, warmMs, ms) {
  const w = new Worker(OURS, { resourceLimits: { maxYoungGenerationSizeMb: 8 }, env: SHARE_ENV, trackUnmanagedFds: false })
  w.postMessage({ type: 'keys', keys: { kind: 'text', text: jwksText, what: `JWKS ${jwksFile}`, from: jwksFile }, data: { options: {}, fixedNow: undefined } })
  const batches = []
  for (let i = 0; i < tokens.length; i += 256) batches.push({ first: i + 1, bytes: new TextEncoder().encode(tokens.slice(i, i + 256).join('\n') + '\n') })
  return new Promise((resolve, reject) => {
    let next = 0, seq = 0, inFlight = 0, n = 0, failed = 0, t0 = performance.now(), counting = false, done = false
    const send = () => {
      const b = batches[next++ % batches.length]
      const bytes = b.bytes.slice().buffer
      inFlight++
      w.postMessage({ type: 'batch', seq: seq++, firstLine: b.first, bytes }, [bytes])
    }
    w.on('error', reject)
    w.on('message', (m) => {
      inFlight--
      const e = performance.now() - t0
      if (!counting && e >= warmMs) {
        counting = true
        t0 = performance.now()
      } else if (counting) {
        n += m.total
        failed += m.failed
        if (e >= ms) done = true
      }
      if (!done) send()
      else if (inFlight === 0) {
        void w.terminate()
        resolve({ n, ms: performance.now() - t0, bad: failed })
      }
    })
    for (let i = 0; i < 3; i++) send()
  })
}

export async function benchVerifySteady({ n = 20_000, warmMs = 1500, ms = 3000, rounds = 5 } = {}) {
  const { tokens, jwks } = await makeTokens(n)
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-bench-'))
  const jwksFile = join(dir, 'jwks.json')
  const jwksText = JSON.stringify(jwks)
  writeFileSync(jwksFile, jwksText)
  const now = Math.floor(Date.now() / 1000)
  const ratios = []
  let last
  for (let r = 0; r < rounds; r++) {
    const floor = new Promise((resolve, reject) => {
      const w = new Worker(FLOOR, { eval: true, workerData: { tokens, jwk: jwks.keys[0], iss: ISS, aud: AUD, now, warmMs, ms } })
      w.once('message', resolve)
      w.once('error', reject)
    })
    const [f, o] = await Promise.all([floor, runOurs(tokens, jwksFile, jwksText, warmMs, ms)])
    if (f.bad > 0 || o.bad > 0) throw new Error(`verify-steady: ${f.bad} floor and ${o.bad} tokentool tokens not valid`)
    last = { floorRate: (f.n / f.ms) * 1000, oursRate: (o.n / o.ms) * 1000 }
    ratios.push(last.oursRate / last.floorRate)
  }
  ratios.sort((a, b) => a - b)
  return { ...last, ratios, ratio: ratios[ratios.length >> 1] }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchVerifySteady()
  console.log(`verify --batch worker, warm, beside the floor's: ${fmt(r.oursRate, 0)}/s ÷ ${fmt(r.floorRate, 0)}/s; median ratio ${fmt(r.ratio)}x of ${r.ratios.map((x) => fmt(x)).join(', ')}`)
}
