/**
 * `verify --batch` on every core: a pool of worker_threads (one per core, verify-worker.ts),
 * each verifying with the same key source and the same line function as the single-token path.
 * This thread only moves bytes: it cuts stdin at newlines into batches of whole lines (a pipe's
 * 64 KiB read is one batch, a few hundred tokens), numbers them, transfers them to the least
 * busy worker, and writes each batch's NDJSON answer, in input order, as it comes back. At most
 * a few batches per worker are in flight: while they are, stdin is not read, so memory stays
 * the same however long the input. A remote set (--jwks URL, --issuer) is fetched here once
 * and its keys handed to the workers; its refetch for an unknown kid stays here, shared by all.
 * @module
 */
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads'
import { NetworkError } from '../../errors.js'
import type { VerifyOptions } from '../../core/jwt/verify.js'
import { batchErrorLine } from '../../render/verify.js'
import type { SharedKeySource } from '../keys.js'
import { PRESTARTED, type BatchDone, type FromWorker, type ToWorker, type WorkerData, type WorkerKeys } from './verify-pool-messages.js'

/**
 * A small young generation: memory stays flat however many tokens pass. The environment is
 * shared, not copied (a worker reads none of it), and a worker opens no descriptors to track:
 * ~2 ms of each worker's start. bin/tokentool.cjs starts them alike.
 */
export const workerOptions: WorkerOptions = { resourceLimits: { maxYoungGenerationSizeMb: 8 }, env: SHARE_ENV, trackUnmanagedFds: false }

/** Batches in flight per worker: enough that none waits for this thread, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 3

export interface VerifyPool {
  /** Hands the pool its keys (once, before any batch). */
  keys(shared: SharedKeySource): Promise<void>
  /** Verifies a batch of complete lines numbered from `firstLine`. */
  run(firstLine: number, bytes: ArrayBuffer): Promise<BatchDone>
  readonly size: number
  close(): Promise<void>
}

/** A pool, or undefined where one would not help: one core, or no built worker (in-process tests of src/). */
export function createVerifyPool(data: WorkerData): VerifyPool | undefined {
  const cores = availableParallelism()
  // next to this chunk in dist/bundle/, or from the start-up fast path's dist/start/verify.cjs
  const script = ['./verify-worker.cjs', '../bundle/verify-worker.cjs'].map((p) => new URL(p, import.meta.url)).find((u) => existsSync(fileURLToPath(u)))
  if (cores < 2 || script === undefined) return undefined
  let seq = 0
  const waiting = new Map<number, { resolve: (d: BatchDone) => void; reject: (e: Error) => void }>()
  const load = new Map<Worker, number>()
  let resolver: Extract<SharedKeySource, { kind: 'remote' }>['resolver'] | undefined
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e)
    waiting.clear()
  }
  // started by bin/tokentool.cjs while this program loaded, when the line asked for --batch
  // (used only if every one is still running: one that failed to start is replaced by new ones)
  const prestarted = (globalThis as { [PRESTARTED]?: Worker[] })[PRESTARTED]
  delete (globalThis as { [PRESTARTED]?: Worker[] })[PRESTARTED]
  const usable = prestarted !== undefined && prestarted.length === cores && prestarted.every((w) => w.threadId !== -1)
  if (prestarted && !usable) for (const w of prestarted) void w.terminate()
  const workers = (usable ? prestarted : Array.from({ length: cores }, () => new Worker(script, workerOptions))).map((w) => {
    w.ref()
    load.set(w, 0)
    w.on('message', (m: FromWorker) => {
      if (m.type === 'done') {
        load.set(w, load.get(w)! - 1)
        const p = waiting.get(m.seq)
        waiting.delete(m.seq)
        p?.resolve(m)
      } else void answerLookup(w, m.id, m.kid)
    })
    w.on('error', failAll)
    w.on('exit', (code) => {
      if (waiting.size > 0) failAll(new Error(`a verify worker stopped (exit ${code})`))
    })
    return w
  })
  // an unknown kid in a worker: this thread's resolver refetches (once, with its cooldown), and
  // every worker gets the keys it then holds
  const answerLookup = async (from: Worker, id: number, kid: string): Promise<void> => {
    try {
      const result = await resolver!.lookup(kid)
      const { jwks } = await resolver!.get()
      from.postMessage({ type: 'lookup', id, result, jwks } satisfies ToWorker)
      if (result.refetched) for (const w of workers) if (w !== from) w.postMessage({ type: 'jwks', jwks } satisfies ToWorker)
    } catch (e) {
      const hint = e instanceof NetworkError ? e.hint : undefined
      from.postMessage({ type: 'lookup', id, error: { message: e instanceof Error ? e.message : String(e), hint } } satisfies ToWorker)
    }
  }
  return {
    size: workers.length,
    async keys(shared) {
      let keys: WorkerKeys
      if (shared.kind === 'remote') {
        resolver = shared.resolver
        keys = { kind: 'remote', url: resolver.url, jwks: (await resolver.get()).jwks }
      } else keys = shared
      for (const w of workers) w.postMessage({ type: 'keys', keys, data } satisfies ToWorker)
    },
    run(firstLine, bytes) {
      // the least busy worker: batches differ in cost (a remote lookup, jose's slower failures)
      let best = workers[0]!
      for (const w of workers) if (load.get(w)! < load.get(best)!) best = w
      load.set(best, load.get(best)! + 1)
      const id = seq++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        best.postMessage({ type: 'batch', seq: id, firstLine, bytes } satisfies ToWorker, [bytes])
      })
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}

/**
 * The newlines in `bytes`. A function of its own: its loop is the only hot code of this thread,
 * and V8 then compiles only it, not the batch's submission around it.
 */
function newlines(bytes: Buffer): number {
  let n = 0
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++
  return n
}

/** A line longer than this is not a token; refusing it keeps `--batch` memory bounded. */
export const MAX_LINE = 1024 * 1024

/**
 * stdin → batches → the pool → stdout in input order. Returns how many tokens there were and
 * how many failed; a batch's network failure is thrown after the lines before it are written.
 */
export async function runPooledBatch(pool: VerifyPool, input: AsyncIterable<unknown>, out: NodeJS.WritableStream): Promise<{ failed: number; total: number }> {
  const window = pool.size * IN_FLIGHT_PER_WORKER
  const slots: Promise<BatchDone>[] = []
  let failed = 0
  let total = 0
  let ended = false
  let wakeWriter: (() => void) | undefined
  let wakeReader: (() => void) | undefined
  const push = (p: Promise<BatchDone>): void => {
    p.catch(() => {}) // observed by the writer; a worker crash must not also be an unhandled rejection
    slots.push(p)
    wakeWriter?.()
  }

  // the writer: each batch's answer as soon as it and every batch before it are back
  const writer = (async () => {
    for (;;) {
      if (slots.length === 0) {
        if (ended) return
        await new Promise<void>((r) => (wakeWriter = r))
        wakeWriter = undefined
        continue
      }
      const done = await slots[0]!
      slots.shift()
      wakeReader?.()
      failed += done.failed
      total += done.total
      if (done.bytes.byteLength > 0 && !out.write(Buffer.from(done.bytes))) await once(out, 'drain')
      if (done.error) throw done.error.network ? new NetworkError(done.error.message, done.error.hint !== undefined ? { hint: done.error.hint } : {}) : new Error(done.error.message)
    }
  })()
  let writerFailed = false
  writer.catch(() => (writerFailed = true))

  let lineNo = 0
  const submit = (bytes: Buffer): void => {
    // a copy in an ArrayBuffer of its own, transferred: a read chunk may share its memory
    const own = new ArrayBuffer(bytes.length)
    new Uint8Array(own).set(bytes)
    const first = lineNo + 1
    lineNo += newlines(bytes)
    push(pool.run(first, own))
  }

  let carry: Buffer | undefined
  let overlong = false
  for await (const chunk of input) {
    if (writerFailed) break // the run ends: the writer's error is thrown below
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer)
    if (carry !== undefined) {
      buf = Buffer.concat([carry, buf])
      carry = undefined
    }
    if (overlong) {
      // still inside a line too long to be a token: drop it up to its end
      const nl = buf.indexOf(10)
      if (nl === -1) continue
      buf = buf.subarray(nl + 1)
      overlong = false
    }
    const last = buf.lastIndexOf(10)
    if (last !== -1) submit(buf.subarray(0, last + 1))
    const rest = buf.subarray(last + 1)
    if (rest.length > MAX_LINE) {
      // not a token: reported in order and skipped, rather than buffered
      lineNo++
      push(Promise.resolve({ type: 'done', seq: -1, bytes: new TextEncoder().encode(batchErrorLine(lineNo, `line is longer than ${MAX_LINE} bytes: not a token`)).buffer as ArrayBuffer, failed: 1, total: 1 }))
      overlong = true
    } else if (rest.length > 0) carry = Buffer.from(rest) // a copy: the chunk itself is not kept
    // backpressure: stdin waits while the window is full
    while (slots.length >= window) await Promise.race([writer, new Promise<void>((r) => (wakeReader = r))])
  }
  // the last line, without its newline
  if (carry !== undefined && !writerFailed) submit(carry)
  ended = true
  wakeWriter?.()
  await writer
  return { failed, total }
}
