/**
 * The one rule for the names of tokentool's own `--json` fields: snake_case, as the protocol
 * fields beside them (`expires_at`, `token_type`), with a point in time as unix seconds
 * (NumericDate, like `exp`) in a field ending `_at`. Protocol and claim objects (a JWT's header
 * and payload, a server's response, challenge parameters, user-given maps) keep their names as
 * sent. Until 0.3 each renamed field is also written under its old camelCase name with its old
 * value (an ISO time stays ISO there), so a script written for 0.1 keeps working; the README
 * lists them.
 * @module
 */

/** `accessTokenExpiresAt` → `access_token_expires_at`; a name that is not camelCase is kept as is. */
export function snakeName(name: string): string {
  if (!/^[a-z][A-Za-z0-9]*$/.test(name) || !/[A-Z]/.test(name)) return name
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

export interface FieldStyle {
  /**
   * Keys whose values are kept as they are, not walked: a JWT header or payload, a server's
   * response, challenge parameters, claim values, user-given maps (`--param`, `--header`).
   * The key itself is still renamed when it is camelCase (`disclosedPayload`).
   */
  verbatim?: readonly string[]
  /** Old keys whose value is an ISO 8601 time: the snake_case field holds it as unix seconds. */
  isoTimes?: readonly string[]
}

const seconds = (v: unknown): unknown => {
  if (typeof v !== 'string') return v
  const ms = Date.parse(v)
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : v
}

/**
 * The document with tokentool's own field names in snake_case, and after the new fields of each
 * object the deprecated camelCase aliases with the values they had (the subtree as before).
 * Undefined members are dropped, as JSON.stringify would.
 */
export function snakeFields(value: unknown, style: FieldStyle = {}): unknown {
  const verbatim = new Set(style.verbatim ?? [])
  const isoTimes = new Set(style.isoTimes ?? [])
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk)
    if (v === null || typeof v !== 'object') return v
    const out: Record<string, unknown> = {}
    const aliases: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue
      const name = snakeName(k)
      let shown = verbatim.has(k) ? x : walk(x)
      if (name !== k) {
        if (isoTimes.has(k)) shown = seconds(x)
        aliases[k] = x
      }
      out[name] = shown
    }
    return Object.assign(out, aliases)
  }
  return walk(value)
}
