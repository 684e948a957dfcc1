/**
 * `verify --batch` on every core: a pool of worker_threads (one per core), each with the same
 * key source and verifier as the single-token path (verify-worker.ts), node:crypto doing the
 * signatures synchronously there. Only for key sources read from files (--key, --jwks FILE):
 * a remote JWKS, with its refetch on an unknown kid, stays on the main thread. The caller keeps
 * the input order and the backpressure; the pool only answers each line's promise.
 * @module
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { VerifyOptions } from '../../core/jwt/verify.js'
import type { KeySourceFlags } from '../keys.js'

/** Lines per message to a worker; the caller's window should hold several batches per worker. */
export const POOL_BATCH = 64

export interface VerifyPool {
  verify(lineNo: number, text: string): Promise<{ line: string; failed: boolean }>
  close(): Promise<void>
}

/** A pool, or undefined where one would not help: one core, a remote key source, no built worker (in-process tests). */
export function createVerifyPool(flags: KeySourceFlags, options: VerifyOptions, cwd: string, fixedNow: Date | undefined): VerifyPool | undefined {
  const cores = availableParallelism()
  const fileSource = flags.key !== undefined || (flags.jwks !== undefined && !/^https?:\/\//i.test(flags.jwks))
  const script = new URL('./verify-worker.js', import.meta.url)
  if (cores < 2 || !fileSource || flags.secret !== undefined || !existsSync(fileURLToPath(script))) return undefined
  const pending = new Map<number, { resolve: (r: { line: string; failed: boolean }) => void; reject: (e: Error) => void }>()
  let nextId = 0
  const workers = Array.from({ length: cores }, () => {
    // a small young generation: collected often, so memory stays flat however many tokens pass
    const w = new Worker(script, { workerData: { flags: { key: flags.key, jwks: flags.jwks }, options, cwd, fixedNow }, resourceLimits: { maxYoungGenerationSizeMb: 4 } })
    w.on('message', (results: { id: number; line?: string; failed?: boolean; error?: string }[]) => {
      for (const m of results) {
        const p = pending.get(m.id)
        pending.delete(m.id)
        if (m.error !== undefined) p?.reject(new Error(m.error))
        else p?.resolve({ line: m.line!, failed: m.failed! })
      }
    })
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e)
      pending.clear()
    })
    return w
  })
  // lines go out in batches (a message per line would cost the main thread more than the
  // verification saves), to the workers in turn
  let batch: { id: number; lineNo: number; text: string }[] = []
  let scheduled = false
  let turn = 0
  const flush = (): void => {
    scheduled = false
    if (batch.length === 0) return
    workers[turn++ % workers.length]!.postMessage(batch)
    batch = []
  }
  return {
    verify(lineNo, text) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        batch.push({ id, lineNo, text })
        if (batch.length >= POOL_BATCH) flush()
        else if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
