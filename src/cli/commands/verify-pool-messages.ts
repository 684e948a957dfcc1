/**
 * The messages between `verify --batch`'s main thread (verify-pool.ts) and its workers
 * (verify-worker.ts). Types only.
 * @module
 */
import type { JSONWebKeySet } from 'jose'
import type { VerifyOptions } from '../../core/jwt/verify.js'
import type { KidLookup } from '../../oauth/jwks.js'

/** What every batch is verified with: the checks asked for, and --now. */
export interface WorkerData {
  options: VerifyOptions
  fixedNow: Date | undefined
}

/** Where bin/tokentool.cjs leaves the workers it starts for a `verify --batch` line (verify-pool.ts takes them). */
export const PRESTARTED = Symbol.for('tokentool.verifyWorkers')

/** The key source as a worker receives it. */
export type WorkerKeys =
  | { kind: 'text'; text: string; what: string; from: string }
  | { kind: 'secret'; bytes: Uint8Array }
  | { kind: 'remote'; url: string; jwks: JSONWebKeySet }

export interface BatchDone {
  type: 'done'
  seq: number
  /** The NDJSON lines of the batch, UTF-8 (transferred). */
  bytes: ArrayBuffer
  failed: number
  total: number
  /** Why the batch stopped early (a remote set's refetch failed): the run ends with it. */
  error?: { message: string; hint: string | undefined; network: boolean }
}

export type ToWorker =
  | { type: 'keys'; keys: WorkerKeys; data: WorkerData }
  /** Complete lines of input, numbered from `firstLine` (transferred). */
  | { type: 'batch'; seq: number; firstLine: number; bytes: ArrayBuffer }
  | { type: 'lookup'; id: number; result?: KidLookup; jwks?: JSONWebKeySet; error?: { message: string; hint: string | undefined } }
  /** The remote set was refetched for another worker: the keys it holds now. */
  | { type: 'jwks'; jwks: JSONWebKeySet }

export type FromWorker = BatchDone | { type: 'lookup'; id: number; kid: string }
