/**
 * Member names that appear twice in one JSON object (`{"alg":"HS256","alg":"none"}`). JSON.parse
 * keeps the last; other parsers keep the first or refuse, so a token with duplicates may mean one
 * thing to tokentool and another to the service that accepts it. RFC 7515 §5.2 lets a JWS parser
 * either refuse such headers or keep the last; tokentool says so instead of choosing silently.
 * Pure; reads text that JSON.parse has already accepted.
 * @module
 */

/** Duplicated member names, as `sub` or `cnf.jkt` (dotted path of the object), in order found. */
export function duplicateMembers(json: string): string[] {
  const found: string[] = []
  // one frame per open object (its names so far) or array (names null), with its path
  const stack: { names: Set<string> | null; path: string }[] = []
  let pendingKey: string | undefined
  let i = 0
  const n = json.length
  while (i < n) {
    const ch = json[i]!
    if (ch === '"') {
      let j = i + 1
      while (j < n && json[j] !== '"') j += json[j] === '\\' ? 2 : 1
      const literal = json.slice(i, j + 1)
      i = j + 1
      while (i < n && /\s/.test(json[i]!)) i++
      const top = stack[stack.length - 1]
      if (json[i] === ':' && top?.names) {
        const name = JSON.parse(literal) as string
        if (top.names.has(name)) found.push(top.path ? `${top.path}.${name}` : name)
        top.names.add(name)
        pendingKey = name
      }
      continue
    }
    if (ch === '{' || ch === '[') {
      const parent = stack[stack.length - 1]
      const path = !parent ? '' : parent.names === null ? `${parent.path}[]` : pendingKey === undefined ? parent.path : parent.path ? `${parent.path}.${pendingKey}` : pendingKey
      stack.push({ names: ch === '{' ? new Set() : null, path })
      pendingKey = undefined
    } else if (ch === '}' || ch === ']') {
      stack.pop()
    }
    i++
  }
  return found
}
