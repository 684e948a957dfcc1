// Throughput: `tokentool verify --batch` over N ES256 tokens against a JWKS file, in tokens per
// second, ÷ the floor (bench/verify-floor.js: node:crypto.verify in worker_threads on every
// core, with the JSON parse and exp/iss/aud checks), measured side by side: floor, CLI, floor,
// CLI. Also a raw `jose.jwtVerify` loop for reference, and peak memory (max RSS) of the
// tokentool process at N and 10×N tokens, to show streaming keeps it flat.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { BIN, fmt, median } from './lib.js'
import { floorRate } from './verify-floor.js'

export async function makeTokens(n) {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }
  const exp = Math.floor(Date.now() / 1000) + 3600
  const tokens = []
  for (let i = 0; i < n; i++) {
    tokens.push(
      await new jose.SignJWT({ sub: `user-${i}`, scope: 'read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
        .setIssuer('https://issuer.bench')
        .setAudience('api')
        .setExpirationTime(exp)
        .sign(privateKey),
    )
  }
  return { tokens, jwks: { keys: [jwk] } }
}

async function rawJoseRate(tokens, jwks) {
  const key = await jose.importJWK(jwks.keys[0], 'ES256')
  const t0 = process.hrtime.bigint()
  for (const t of tokens) await jose.jwtVerify(t, key, { algorithms: ['ES256'] })
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  return tokens.length / s
}

/** bench/verify-floor-cli.js as a process, fed and read like the CLI: tokens/s. For reference only. */
function floorCliRate(input, count, jwksFile) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [new URL('./verify-floor-cli.js', import.meta.url).pathname, jwksFile], { input, maxBuffer: 1024 * 1024 * 1024 })
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const lines = r.stdout.toString().trimEnd().split('\n')
  if (r.status !== 0 || lines.length !== count || lines.some((l) => !l.endsWith('"valid":true}'))) throw new Error(`verify-floor-cli.js: ${r.status} ${lines.length} lines: ${r.stderr}`)
  return count / s
}

/** Runs the CLI under /usr/bin/time for max RSS; returns tokens/s and peak KiB. */
function cliRun(input, count, jwksFile) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'verify', '--batch', '--jwks', jwksFile], {
    input,
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  })
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const lines = r.stdout.toString().trimEnd().split('\n')
  const failed = lines.filter((l) => !l.includes('"valid":true')).length
  if (lines.length !== count || failed > 0) {
    throw new Error(`verify --batch: expected ${count} valid lines, got ${lines.length} (${failed} not valid): ${r.stderr}`)
  }
  const peakKiB = Number(r.stderr.toString().trim().split('\n').pop())
  return { rate: count / s, peakKiB }
}

// 9 rounds: one round's ratio moves by ±0.15 on this shared 2-core VM (its speed drifts within
// seconds), and a median of 5 still moved by ±0.05 from one run to the next
export async function benchVerifyBatch({ n = 20_000, rounds = 9 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-bench-'))
  const { tokens, jwks } = await makeTokens(n)
  const jwksFile = join(dir, 'jwks.json')
  writeFileSync(jwksFile, JSON.stringify(jwks))
  const input = tokens.join('\n') + '\n'
  // 10× the tokens (the same ones repeated): memory must not grow with the input
  const bigInput = input.repeat(10)

  const raw = await rawJoseRate(tokens, jwks)
  // interleaved, so that the load of the machine weighs on both alike
  const floors = []
  const clis = []
  const endToEnd = []
  for (let i = 0; i < rounds; i++) {
    floors.push(await floorRate(tokens, jwks.keys[0]))
    clis.push(cliRun(input, n, jwksFile))
    endToEnd.push(floorCliRate(input, n, jwksFile))
  }
  const big = cliRun(bigInput, n * 10, jwksFile)
  const floor = median(floors)
  const cliRate = median(clis.map((c) => c.rate))
  const endToEndRate = median(endToEnd)
  const perRound = clis.map((c, i) => c.rate / floors[i])
  return { n, floorRate: floor, rawRate: raw, cliRate, ratio: cliRate / floor, rounds, roundRatios: [Math.min(...perRound), Math.max(...perRound)], endToEndRate, endToEndRatio: cliRate / endToEndRate, peakKiB: Math.max(...clis.map((c) => c.peakKiB)), peakKiBx10: big.peakKiB }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchVerifyBatch()
  console.log(
    `verify --batch: ${fmt(r.cliRate, 0)} tokens/s ÷ floor ${fmt(r.floorRate, 0)} tokens/s = ${fmt(r.ratio)}x (target >= 0.8x; medians of ${r.rounds} rounds, one round ${fmt(r.roundRatios[0])}–${fmt(r.roundRatios[1])}x; raw jose loop ${fmt(r.rawRate, 0)}/s; ` +
      `for reference, ÷ the end-to-end floor ${fmt(r.endToEndRate, 0)}/s = ${fmt(r.endToEndRatio)}x); ` +
      `peak RSS ${Math.round(r.peakKiB / 1024)} MiB at ${r.n}, ${Math.round(r.peakKiBx10 / 1024)} MiB at ${r.n * 10}`,
  )
}
