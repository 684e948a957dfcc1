// An end-to-end floor for `verify --batch`, as a process of its own, for reference beside the
// floor of bench/verify-floor.js (which is timed inside a running process, before any output):
// Node.js starts, reads every token from stdin, verifies them with node:crypto in
// worker_threads on every core (the same work as that floor), and writes one short NDJSON line
// per token in input order. What any Node.js CLI pays for its start, stdin and stdout, without
// tokentool's checks, policy or reasons.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { readFileSync } from 'node:fs'

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const { tokens, jwk, first } = workerData
const key = createPublicKey({ key: jwk, format: 'jwk' })
const now = Math.floor(Date.now() / 1000)
let out = ''
for (let i = 0; i < tokens.length; i++) {
  const t = tokens[i]
  const a = t.indexOf('.'), b = t.indexOf('.', a + 1)
  const header = JSON.parse(Buffer.from(t.slice(0, a), 'base64url').toString('utf8'))
  const claims = JSON.parse(Buffer.from(t.slice(a + 1, b), 'base64url').toString('utf8'))
  const ok = header.alg === 'ES256' && verify('sha256', Buffer.from(t.slice(0, b)), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(t.slice(b + 1), 'base64url')) &&
    typeof claims.exp === 'number' && claims.exp > now
  out += '{"line":' + (first + i) + ',"valid":' + ok + '}\\n'
}
parentPort.postMessage(out)
`

const jwk = JSON.parse(readFileSync(process.argv[2], 'utf8')).keys[0]
const tokens = readFileSync(0, 'utf8').split('\n').filter((l) => l !== '')
const n = availableParallelism()
const per = Math.ceil(tokens.length / n)
const parts = await Promise.all(
  Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { tokens: tokens.slice(i * per, (i + 1) * per), jwk, first: i * per + 1 } })
    w.once('message', resolve)
    w.once('error', reject)
  })),
)
process.stdout.write(parts.join(''))
