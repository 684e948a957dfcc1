// The floor of batch verification in Node.js: node:crypto.verify (OpenSSL, synchronous) in
// worker_threads on every core, with the work any verifier must do per token: split, base64url
// and JSON-parse header and payload, the signature, and the exp/iss/aud checks. No output, no
// policy, no reasons: what `verify --batch` is measured against (bench/verify-batch.js).
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

/**
 * The floor's work for one token `t` (a string), as source text put inline into each floor
 * worker's loop (here and in bench/verify-steady.js): leaves `ok` true for a valid token. Needs
 * `key` (a KeyObject), `verify` (node:crypto), `now` (unix seconds), `iss` and `aud` in scope.
 */
export const FLOOR_TOKEN = `
  const a = t.indexOf('.'), b = t.indexOf('.', a + 1)
  const header = JSON.parse(Buffer.from(t.slice(0, a), 'base64url').toString('utf8'))
  const claims = JSON.parse(Buffer.from(t.slice(a + 1, b), 'base64url').toString('utf8'))
  const ok = header.alg === 'ES256' &&
    verify('sha256', Buffer.from(t.slice(0, b)), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(t.slice(b + 1), 'base64url')) &&
    typeof claims.exp === 'number' && claims.exp > now && claims.iss === iss && (claims.aud === aud || (Array.isArray(claims.aud) && claims.aud.includes(aud)))
`

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const { tokens, jwk, iss, aud, now } = workerData
const key = createPublicKey({ key: jwk, format: 'jwk' })
let valid = 0
for (const t of tokens) {${FLOOR_TOKEN}  if (ok) valid++
}
parentPort.postMessage(valid)
`

/** Tokens per second of the floor over `tokens` (all valid ES256 for `jwk`), workers included. */
export async function floorRate(tokens, jwk, { iss = 'https://issuer.bench', aud = 'api' } = {}) {
  const n = availableParallelism()
  const now = Math.floor(Date.now() / 1000)
  const t0 = process.hrtime.bigint()
  const per = Math.ceil(tokens.length / n)
  const counts = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise((resolve, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { tokens: tokens.slice(i * per, (i + 1) * per), jwk, iss, aud, now } })
        w.once('message', resolve)
        w.once('error', reject)
      }),
    ),
  )
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const valid = counts.reduce((a, b) => a + b, 0)
  if (valid !== tokens.length) throw new Error(`floor: ${valid} of ${tokens.length} tokens valid`)
  return tokens.length / s
}
