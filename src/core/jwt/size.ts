/**
 * A token's size against the header budgets it usually has to fit: 4 KiB (one cookie, many
 * gateways and load balancers) and 8 KiB (the default request-header limit of nginx, Apache,
 * IIS and most proxies). Pure.
 * @module
 */

export interface SizeBudget {
  name: string
  limit: number
  /** Whether `Authorization: Bearer <token>` fits in it. */
  fits: boolean
}

export interface SizeResult {
  /** The token's length in bytes. */
  bytes: number
  /** Bytes of the header line `Authorization: Bearer <token>` that carries it. */
  headerBytes: number
  budgets: SizeBudget[]
}

export const BUDGETS = [
  { name: '4 KiB', limit: 4096, where: 'it will not fit in a cookie, and some gateways and load balancers reject it' },
  { name: '8 KiB', limit: 8192, where: 'nginx, Apache, IIS and most proxies reject request headers this large by default' },
] as const

const HEADER_PREFIX = 'Authorization: Bearer '

/**
 * Input longer than this is refused before it is decoded (exit 2). The largest real tokens
 * (Entra ID with group claims, SAML-wrapped assertions) stay well under 32 KiB; this is 8 times
 * that, and keeps a hostile input from costing seconds of base64 and JSON work.
 */
export const MAX_TOKEN_BYTES = 256 * 1024

/** The refusal for input over MAX_TOKEN_BYTES, or undefined when it fits. */
export function oversizeMessage(text: string, what = 'token'): string | undefined {
  // length is a lower bound of the UTF-8 size: only measure when it could matter
  if (text.length * 3 <= MAX_TOKEN_BYTES) return undefined
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes <= MAX_TOKEN_BYTES) return undefined
  return `the ${what} is ${bytes} bytes, over the ${MAX_TOKEN_BYTES / 1024} KiB limit: no real token is this large`
}

export function measureSize(token: string): SizeResult {
  const bytes = Buffer.byteLength(token, 'utf8')
  const headerBytes = bytes + HEADER_PREFIX.length
  return { bytes, headerBytes, budgets: BUDGETS.map((b) => ({ name: b.name, limit: b.limit, fits: headerBytes <= b.limit })) }
}

/** One warning line per budget the token breaks: only the largest one broken is worth saying. */
export function sizeWarning(size: SizeResult): string | undefined {
  const broken = [...BUDGETS].reverse().find((b) => size.headerBytes > b.limit)
  if (!broken) return undefined
  return `the Authorization header is ${size.headerBytes} bytes, over ${broken.name}: ${broken.where}`
}
