/**
 * kubectl's exec credential plugin protocol (client-go `ExecCredential`), without I/O: what
 * kubectl says in `KUBERNETES_EXEC_INFO`, and the document tokentool answers with. kubectl
 * runs the plugin on every invocation that needs a credential (it caches only in memory), so
 * the answer must be cheap: tokentool's own cache does the work.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
 * @module
 */
import { UsageError } from '../errors.js'

export const EXEC_API_GROUP = 'client.authentication.k8s.io'
/** v1 (kubectl ≥ 1.22) and v1beta1 (kubectl ≥ 1.11; still what kubectl 1.20 in Debian 12 speaks). */
export const EXEC_API_VERSIONS = [`${EXEC_API_GROUP}/v1`, `${EXEC_API_GROUP}/v1beta1`] as const
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number]

export interface ExecInfo {
  apiVersion: ExecApiVersion
  /** false when kubectl said it has no terminal for the plugin (`interactiveMode: Never`, or stdin in use). */
  interactive: boolean
}

/**
 * Reads `KUBERNETES_EXEC_INFO` (absent when run by hand: v1, interactive). An apiVersion
 * tokentool does not speak is a usage error naming the ones it does, since kubectl would
 * reject any other answer with a less helpful message.
 */
export function parseExecInfo(raw: string | undefined): ExecInfo {
  if (raw === undefined || raw.trim() === '') return { apiVersion: EXEC_API_VERSIONS[0], interactive: true }
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch {
    throw new UsageError('KUBERNETES_EXEC_INFO is not JSON', { hint: 'kubectl sets it; unset it to run tokentool by hand' })
  }
  const o = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : EXEC_API_VERSIONS[0]
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new UsageError(`KUBERNETES_EXEC_INFO asks for ExecCredential ${JSON.stringify(apiVersion).slice(0, 100)}; tokentool answers ${EXEC_API_VERSIONS.join(' or ')}`, {
      hint: `set apiVersion: ${EXEC_API_VERSIONS[0]} in the kubeconfig's exec entry`,
    })
  }
  const spec = o.spec !== null && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {}
  return { apiVersion: apiVersion as ExecApiVersion, interactive: spec.interactive !== false }
}

/** RFC 3339 in UTC to the second, as client-go writes metav1.Time. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * The ExecCredential for a token. Without an expiry, `expirationTimestamp` is left out: client-go
 * then keeps the token for the life of the kubectl process and asks again on a 401.
 */
export function execCredential(apiVersion: ExecApiVersion, token: string, expiresAt: number | undefined): Record<string, unknown> {
  return {
    apiVersion,
    kind: 'ExecCredential',
    status: { token, ...(expiresAt !== undefined ? { expirationTimestamp: rfc3339(expiresAt) } : {}) },
  }
}
