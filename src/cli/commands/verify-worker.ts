/**
 * A worker of `verify --batch`'s pool (verify-pool.ts): the same key source, read from the same
 * files, and the same verifier as the main thread, a batch of lines at a time.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createVerifier, type VerifyOptions } from '../../core/jwt/verify.js'
import { resolveKeySource, type KeySourceFlags } from '../keys.js'
import { verifyBatchLine } from './verify-line.js'

interface Data {
  flags: KeySourceFlags
  options: VerifyOptions
  cwd: string
  fixedNow: Date | undefined
}

const { flags, options, cwd, fixedNow } = workerData as Data
const now = () => new Date()
const ready = resolveKeySource(flags, { cwd, env: process.env, now, fetch: () => Promise.reject(new Error('no network in a verify worker')) }, options.algorithms ?? []).then((keys) => createVerifier(keys.source, options))

parentPort!.on('message', (lines: { id: number; lineNo: number; text: string }[]) => {
  void (async () => {
    const out = []
    for (const m of lines) {
      try {
        out.push({ id: m.id, ...(await verifyBatchLine(await ready, m.lineNo, m.text, fixedNow ?? now())) })
      } catch (e) {
        out.push({ id: m.id, error: e instanceof Error ? e.message : String(e) })
      }
    }
    parentPort!.postMessage(out)
  })()
})
