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
    const w = new Worker(script, { workerData: { flags: { key: flags.key, jwks: flags.jwks }, options, cwd, fixedNow } })
    w.on('message', (m: { id: number; line?: string; failed?: boolean; error?: string }) => {
      const p = pending.get(m.id)
      pending.delete(m.id)
      if (m.error !== undefined) p?.reject(new Error(m.error))
      else p?.resolve({ line: m.line!, failed: m.failed! })
    })
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e)
      pending.clear()
    })
    return w
  })
  return {
    verify(lineNo, text) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        workers[id % workers.length]!.postMessage({ id, lineNo, text })
      })
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
