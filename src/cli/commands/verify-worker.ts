/**
 * A worker of `verify --batch`'s pool (verify-pool.ts). It builds the key source once, from what
 * the main thread hands it (the key file's text, the --secret's bytes, or a remote set's keys:
 * keys imported once here and reused), and verifies whole batches of input: bytes holding
 * complete lines, split, verified and rendered here, with the same line function as the main
 * thread (verify-line.ts), and sent back as one buffer of NDJSON (transferred, not copied).
 * A remote set's unknown kid is asked of the main thread, whose resolver refetches (once, with
 * its cooldown) for every worker.
 * @module
 */
import { parentPort } from 'node:worker_threads'
import type { JSONWebKeySet, JWK } from 'jose'
import { NetworkError } from '../../errors.js'
import { createVerifier, type KeySource, type Verifier, type VerifyOptions } from '../../core/jwt/verify.js'
import type { KidLookup } from '../../oauth/jwks.js'
import { keySourceFromText, keysSource, remoteSource, secretKey, type KidResolver } from '../keys.js'
import { verifyBatchLine, verifyBatchLineAtHand } from './verify-line.js'
import { createVerifyLane, laneLine } from './verify-lane.js'
import type { BatchDone, FromWorker, ToWorker, WorkerData, WorkerKeys } from './verify-pool-messages.js'

const port = parentPort!
// set by the keys message: the worker may start before the command line is parsed (bin/tokentool.cjs)
let fixedNow: WorkerData['fixedNow']

/** The main thread's JwksResolver as seen from here: its keys, and its refetch for an unknown kid. */
class SharedResolver implements KidResolver {
  private asked = 0
  private readonly answers = new Map<number, { resolve: (r: KidLookup) => void; reject: (e: Error) => void }>()
  // the keys of each kid in the set held now, found once: the same array for the same kid
  private byKid = new Map<string, JWK[]>()
  constructor(
    readonly url: string,
    private held: JSONWebKeySet,
  ) {}

  get jwks(): JSONWebKeySet {
    return this.held
  }
  set jwks(jwks: JSONWebKeySet) {
    this.held = jwks
    this.byKid = new Map()
  }

  private keysOf(kid: string): JWK[] {
    let found = this.byKid.get(kid)
    if (found === undefined) {
      found = this.held.keys.filter((k) => k.kid === kid)
      // only kids the set holds are remembered: made-up kids cannot grow it
      if (found.length > 0) this.byKid.set(kid, found)
    }
    return found
  }

  // the same answers as JwksResolver.lookup: the set it holds, refetched there for an unknown kid
  lookupAtHand(kid: string | undefined): KidLookup | undefined {
    if (kid === undefined) return { keys: this.held.keys, refetched: false, cooledDown: false }
    const found = this.keysOf(kid)
    return found.length > 0 ? { keys: found, refetched: false, cooledDown: false } : undefined
  }

  async lookup(kid: string | undefined): Promise<KidLookup> {
    const known = this.lookupAtHand(kid)
    if (known !== undefined) return known
    const id = this.asked++
    const r = await new Promise<KidLookup>((resolve, reject) => {
      this.answers.set(id, { resolve, reject })
      port.postMessage({ type: 'lookup', id, kid: kid! } satisfies FromWorker)
    })
    // this thread's own JWK objects, so that each key is imported once here
    return { ...r, keys: r.keys.length > 0 ? this.keysOf(kid!) : [] }
  }

  answer(m: Extract<ToWorker, { type: 'lookup' }>): void {
    const a = this.answers.get(m.id)
    this.answers.delete(m.id)
    if (m.error !== undefined) return a?.reject(new NetworkError(m.error.message, m.error.hint !== undefined ? { hint: m.error.hint } : {}))
    this.jwks = m.jwks!
    a?.resolve(m.result!)
  }
}

let resolver: SharedResolver | undefined
let verifier: Verifier | undefined
let lane: ReturnType<typeof createVerifyLane> | undefined

function sourceOf(keys: WorkerKeys): KeySource {
  switch (keys.kind) {
    case 'text':
      return keySourceFromText(keys.text, keys.what, keys.from).source
    case 'secret':
      return keysSource([secretKey(keys.bytes)])
    case 'remote':
      resolver = new SharedResolver(keys.url, keys.jwks)
      return remoteSource(resolver)
  }
}

/**
 * The batch's NDJSON, written as bytes line by line: no line outlives its token (memory stays
 * flat). One buffer per worker, reused batch after batch (batches run one at a time); each
 * batch's bytes are copied out of it into an ArrayBuffer of their own, to transfer.
 */
class Output {
  private buf = Buffer.allocUnsafeSlow(1 << 20)
  private length = 0
  write(text: string): void {
    // a UTF-16 unit is at most 3 bytes of UTF-8: room for the whole line, so it is never cut
    this.room(text.length * 3)
    this.length += this.buf.write(text, this.length, 'utf8')
  }
  /** `{"line":N` and then `tail`: a line whose rest is remembered as bytes (verify-lane.ts). */
  writeLine(lineNo: number, tail: Buffer): void {
    // the start and the number are ASCII, 30 bytes at most
    this.room(tail.length + 30)
    const buf = this.buf
    let at = this.length
    buf.set(LINE_START, at)
    at += LINE_START.length
    // the number's digits, written in place (a line number is a safe integer, at least 1):
    // typed-array stores, where Buffer's write and copy would each bring their own JS to compile
    let digits = 1
    for (let p = 10; p <= lineNo; p *= 10) digits++
    for (let i = digits - 1, n = lineNo; i >= 0; i--, n = Math.floor(n / 10)) buf[at + i] = 48 + (n % 10)
    at += digits
    buf.set(tail, at)
    this.length = at + tail.length
  }
  private room(bytes: number): void {
    if (this.buf.length - this.length >= bytes) return
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + bytes))
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }
  /** Exactly the bytes written since the last take. */
  take(): ArrayBuffer {
    const out = Buffer.allocUnsafeSlow(this.length)
    this.buf.copy(out, 0, 0, this.length)
    this.length = 0
    return out.buffer as ArrayBuffer
  }
}
const LINE_START = Buffer.from('{"line":', 'latin1')
const out = new Output()

/** Where a batch stands: its text, the next line's start, the last line's number, the counts. */
interface Cursor {
  input: string
  start: number
  lineNo: number
  failed: number
  total: number
}

/**
 * The batch's lines from the cursor on, as far as they are answered without waiting (the lane,
 * then the verifier's `atHand`): returns the first line that needs the verifier's whole path
 * (the cursor at it), or undefined at the end of the batch. A plain loop, apart from the async
 * runBatch: less for V8 to compile in each worker.
 */
function runAtHand(c: Cursor): string | undefined {
  const { input } = c
  let { start, lineNo, failed, total } = c
  let waiting: string | undefined
  // the counts are the cursor's even when a line throws (a network failure ends the batch)
  try {
    while (start < input.length) {
      let nl = input.indexOf('\n', start)
      if (nl === -1) nl = input.length
      // as the main thread's runBatch (verify.ts): CRLF input, blank lines skipped but counted
      const end = nl > start && input.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      const line = input.slice(start, end)
      start = nl + 1
      lineNo++
      if (line.trim() === '') continue
      total++
      const now = fixedNow ?? new Date()
      const tail = lane!(line, now)
      if (tail !== undefined) {
        if (tail.failed) failed++
        if (tail.bytes !== undefined) out.writeLine(lineNo, tail.bytes)
        else out.write(laneLine(lineNo, tail))
        continue
      }
      const r = verifyBatchLineAtHand(verifier!, lineNo, line, now)
      if (r === undefined) {
        waiting = line
        break
      }
      if (r.failed) failed++
      out.write(r.line)
    }
  } finally {
    c.start = start
    c.lineNo = lineNo
    c.failed = failed
    c.total = total
  }
  return waiting
}

/**
 * One batch: complete lines (the last may lack its newline at the end of input), numbered from
 * `firstLine`.
 */
async function runBatch(seq: number, firstLine: number, bytes: ArrayBuffer): Promise<BatchDone> {
  // decoded whole: a newline byte is never inside a UTF-8 character, so each line reads as if
  // decoded on its own (and as the main thread's streaming decoder reads it)
  const c: Cursor = { input: Buffer.from(bytes).toString('utf8'), start: 0, lineNo: firstLine - 1, failed: 0, total: 0 }
  let error: BatchDone['error']
  try {
    for (let line = runAtHand(c); line !== undefined; line = runAtHand(c)) {
      // the verifier's whole path, for what the lane and atHand leave
      const r = await verifyBatchLine(verifier!, c.lineNo, line, fixedNow ?? new Date())
      if (r.failed) c.failed++
      out.write(r.line)
    }
  } catch (e) {
    // a network failure (the remote set's refetch) ends the run: the lines before it still count
    error = { message: e instanceof Error ? e.message : String(e), hint: e instanceof NetworkError ? e.hint : undefined, network: e instanceof NetworkError }
  }
  // bytes skip the pipe guard's escape (safe-stream.ts escapes strings): these lines need none,
  // batchLine and batchErrorLine escape every character it would (test/unit/render-verify-batch)
  return { type: 'done', seq, bytes: out.take(), failed: c.failed, total: c.total, ...(error ? { error } : {}) }
}

// batches run one after another: a worker holds one batch's lines and output at a time
let queue: Promise<void> = Promise.resolve()
port.on('message', (m: ToWorker) => {
  if (m.type === 'keys') {
    fixedNow = m.data.fixedNow
    verifier = createVerifier(sourceOf(m.keys), m.data.options as VerifyOptions)
    lane = createVerifyLane(verifier)
  } else if (m.type === 'jwks') {
    if (resolver) resolver.jwks = m.jwks
  } else if (m.type === 'lookup') {
    resolver?.answer(m)
  } else if (m.type === 'batch') {
    queue = queue.then(async () => {
      const done = await runBatch(m.seq, m.firstLine, m.bytes)
      port.postMessage(done satisfies FromWorker, [done.bytes])
    })
  }
})
