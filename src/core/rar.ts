/**
 * RFC 9396 rich authorization requests: the `authorization_details` parameter is a JSON array
 * of objects, each with a string `type` (§2). Parsed once here so that a typo is a usage error
 * (exit 2) before any request, and sent as compact JSON. Pure.
 * @see https://www.rfc-editor.org/rfc/rfc9396#section-2
 * @module
 */
import { UsageError } from '../errors.js'

export type AuthorizationDetail = { type: string } & Record<string, unknown>

/** The details as sent: compact JSON of an array (a single object is taken as a one-element array). */
export function parseAuthorizationDetails(text: string, what = '--authorization-details'): string {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new UsageError(`${what} is not JSON: give a JSON array such as '[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"12.00"}}]'`)
  }
  const list = Array.isArray(v) ? v : [v]
  if (list.length === 0) throw new UsageError(`${what} is an empty array: give at least one authorization detail`)
  list.forEach((d, i) => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new UsageError(`${what}[${i}] is not a JSON object`)
    const type = (d as Record<string, unknown>).type
    if (typeof type !== 'string' || type === '') throw new UsageError(`${what}[${i}] has no "type" (RFC 9396 §2 requires one)`)
  })
  return JSON.stringify(list)
}

/** One line per detail for a human view: its type and its other members, shortly. */
export function describeAuthorizationDetails(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.map((d, i) => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) return `[${i}] not an object: ${JSON.stringify(d)}`
    const { type, ...rest } = d as Record<string, unknown>
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    return `[${i}] ${typeof type === 'string' ? type : '(no type)'}${fields.length ? `: ${fields.join(', ')}` : ''}`
  })
}
