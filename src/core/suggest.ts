/**
 * "Did you mean …?": the closest of a few known words to what the user typed, by
 * Damerau–Levenshtein distance (a swap of two neighbours counts as one edit, the commonest
 * typo). Pure.
 * @module
 */

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo of it (at most a third
 * of the word's letters wrong, or a prefix of it), else undefined.
 * @example suggest('lst', ['list', 'show', 'remove']) // 'list'
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestD = Infinity
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase())
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  if (best === undefined || bestD === 0) return best
  const limit = Math.max(1, Math.floor(Math.max(w.length, 3) / 3))
  if (bestD <= limit) return best
  const prefix = candidates.filter((c) => w.length >= 3 && c.toLowerCase().startsWith(w))
  return prefix.length === 1 ? prefix[0] : undefined
}
