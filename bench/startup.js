// Start-up: `tokentool decode <jwt>` wall time ÷ bare `node -e 0`, measured side by side in one run.
import { loadavg } from 'node:os'
import { BIN, sideBySide, START_ROUNDS, timeRun, fmt } from './lib.js'

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://issuer.example', sub: 'alice', aud: 'api', exp: 2000000000, iat: 1700000000 })}.${Buffer.alloc(64, 7).toString('base64url')}`

export function benchStartup({ rounds = START_ROUNDS } = {}) {
  const env = { NO_COLOR: '1' }
  const before = loadavg()[0]
  const m = sideBySide(
    {
      node: () => timeRun(process.execPath, ['-e', '0'], { env }),
      decode: () => timeRun(process.execPath, [BIN, 'decode', jwt], { env }),
    },
    { rounds },
  )
  return { rounds, nodeMs: m.node, decodeMs: m.decode, ratio: m.decode / m.node, load: `${fmt(before)}→${fmt(loadavg()[0])}` }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchStartup()
  console.log(`start-up: decode ${fmt(r.decodeMs, 1)} ms, node -e 0 ${fmt(r.nodeMs, 1)} ms, ratio ${fmt(r.ratio)}x (target <= 1.2x; medians of ${r.rounds} rounds; load average ${r.load})`)
}
