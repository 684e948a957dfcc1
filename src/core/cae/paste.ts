/**
 * Turns what people paste into `WWW-Authenticate` field values: a bare value, a whole header
 * line, several header lines or a response head (`HTTP/1.1 401` status line, other headers,
 * curl -v `<` prefixes), the form libraries log (`HTTP 401; Unauthorized
 * WWW-Authenticate=Bearer ...`), values in JSON string quotes, typographic quotes from
 * documents and values a terminal wrapped over lines. Each value keeps where every character
 * came from, so errors point at the line and column the user pasted. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { WwwAuthenticateSyntaxError, parseWwwAuthenticateTolerant, type Challenge, type TolerantParse } from './www-authenticate.js'

/** A field value and, for each of its characters, its 0-based line and column in the input. */
export interface PastedValue {
  text: string
  origins: { line: number; col: number }[]
}

/** Characters documents and chat tools put in place of ASCII ones; replaced one for one. */
const LOOKALIKES: Record<string, string> = {
  '\u201c': '"', // “
  '\u201d': '"', // ”
  '\u201e': '"', // „
  '\u201f': '"', // ‟
  '\u2033': '"', // ″
  '\uff02': '"', // ＂
  '\u00a0': ' ', // no-break space
  '\u2007': ' ',
  '\u202f': ' ',
  '\ufeff': ' ', // byte order mark
}

// A header name with its separator; `=` is the logged form (`WWW-Authenticate=Bearer ...`),
// `"WWW-Authenticate": "..."` a JSON log.
const MARKER = /\b(?:www|proxy)-authenticate"?\s*[:=]\s*/gi
// another header, also as a JSON member (`"Content-Type": "text/plain",`)
const OTHER_HEADER = /^"?[!#$%&'*+\-.^_`|~0-9A-Za-z]+"?\s*:(\s|$)/
// the braces and brackets around a JSON dump of headers
const PUNCTUATION = /^[{}[\],\s]*$/
const STATUS_LINE = /^HTTP(?:\/\d(?:\.\d)?)?\s+\d{3}\b/i

class Chars {
  text = ''
  origins: { line: number; col: number }[] = []
  static of(line: string, lineNo: number, from = 0, to = line.length): Chars {
    const c = new Chars()
    c.text = line.slice(from, to)
    for (let i = from; i < to; i++) c.origins.push({ line: lineNo, col: i })
    return c
  }
  append(other: Chars): this {
    this.text += other.text
    this.origins.push(...other.origins)
    return this
  }
  slice(from: number, to = this.text.length): Chars {
    const c = new Chars()
    c.text = this.text.slice(from, to)
    c.origins = this.origins.slice(from, to)
    return c
  }
  trim(): Chars {
    const start = this.text.length - this.text.trimStart().length
    const end = this.text.trimEnd().length
    return start >= end ? this.slice(0, 0) : this.slice(start, end)
  }
}

/**
 * Whether an indented line continues the WWW-Authenticate header above (obs-fold), rather
 * than being an indented line of its own (a header in a JSON dump or a code block).
 */
function isFoldedValue(prev: string, line: string): boolean {
  const t = line.trim()
  return t !== '' && findMarker(prev) !== undefined && !OTHER_HEADER.test(t) && !PUNCTUATION.test(t) && !findMarker(t)
}

/** Whether `text` leaves a quoted string open (counting `\"` inside quotes as escaped). */
function opensQuote(text: string): boolean {
  let inside = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inside && c === '\\') i++
    else if (c === '"') inside = !inside
  }
  return inside
}

/**
 * The `WWW-Authenticate` values in pasted text. Throws InputError when there is none.
 * Lines that are other headers, status lines or curl's request/info lines are left out.
 */
export function extractHeaderValues(raw: string): PastedValue[] {
  const lines = [...raw.replace(/\r\n?/g, '\n')].map((c) => LOOKALIKES[c] ?? c).join('').split('\n')
  const lineCount = countLines(raw)

  // 1. logical lines: obs-fold continuations and terminal-wrapped quoted strings are joined
  const logical: Chars[] = []
  // after a response head, a blank line starts the body (curl -i): skipped up to the next status line
  let inHead = false
  let inBody = false
  lines.forEach((line, lineNo) => {
    let from = 0
    const curl = /^[<>*] ?/.exec(line)
    if (curl) {
      if (line[0] !== '<') return // curl -v: "> " request headers, "* " info lines
      from = curl[0].length
    }
    const piece = Chars.of(line, lineNo, from)
    const bare = piece.text.trim()
    // a status line, or a WWW-Authenticate line pasted after a blank one, is a head again
    if (STATUS_LINE.test(bare) || findMarker(bare)) [inHead, inBody] = [true, false]
    if (inBody) return
    if (bare === '') {
      if (inHead && !opensQuote(logical[logical.length - 1]?.text ?? '')) inBody = true
      return
    }
    if (findMarker(bare) || OTHER_HEADER.test(bare)) inHead = true
    const prev = logical[logical.length - 1]
    if (prev && opensQuote(prev.text)) prev.append(piece)
    else if (prev && /^[ \t]/.test(piece.text) && isFoldedValue(prev.text, piece.text)) {
      const rest = piece.trim() // obs-fold: the line break and indent stand for one space
      prev.append(Object.assign(new Chars(), { text: ' ', origins: [{ ...rest.origins[0]!, col: rest.origins[0]!.col - 1 }] })).append(rest)
    }
    else logical.push(piece)
  })

  // 2. the value in each logical line
  const values: PastedValue[] = []
  let skipped = 0
  for (const l of logical) {
    const line = l.trim()
    if (line.text === '') continue
    const marker = findMarker(line.text)
    let value: Chars
    if (marker) {
      value = line.slice(marker.index + marker[0].length).trim()
    } else if (STATUS_LINE.test(line.text) || OTHER_HEADER.test(line.text) || PUNCTUATION.test(line.text)) {
      skipped++
      continue
    } else {
      value = line
    }
    value = unwrapQuotes(value)
    if (value.text === '') {
      if (marker) throw new InputError(`the WWW-Authenticate header at ${where(line.origins[0], lineCount)} has an empty value`)
      continue
    }
    values.push({ text: value.text, origins: value.origins })
  }
  if (values.length === 0) {
    throw new InputError(
      skipped > 0
        ? 'no WWW-Authenticate header among the pasted lines'
        : 'no WWW-Authenticate value given (the input is empty)',
    )
  }
  return values
}

/** The header name, searched only outside quoted values (a leading JSON quote aside). */
function findMarker(text: string): RegExpExecArray | undefined {
  for (const m of text.matchAll(MARKER)) {
    if (!text.slice(1, m.index).includes('"')) return m as RegExpExecArray
  }
  return undefined
}

/** `"Bearer realm=\"x\""` (a JSON or log string) and `'Bearer ...'` become the bare value. */
function unwrapQuotes(v: Chars): Chars {
  if (/^".*",$/s.test(v.text)) v = v.slice(0, -1) // a member of a JSON object, comma and all
  const t = v.text
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return v.slice(1, -1).trim()
  // A field value never starts with a quote (a scheme is a token), so this cannot misread one.
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    const out = new Chars()
    for (let i = 1; i < t.length - 1; i++) {
      if (t[i] === '\\' && (t[i + 1] === '"' || t[i + 1] === '\\') && i + 1 < t.length - 1) i++
      out.append(v.slice(i, i + 1))
    }
    return out.trim()
  }
  return v
}

/** Lines of input, not counting the newline that ends the last one. */
function countLines(raw: string): number {
  return raw.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n').length
}

function where(origin: { line: number; col: number } | undefined, lineCount: number): string {
  if (!origin || origin.line < 0) return 'the end'
  return lineCount > 1 ? `line ${origin.line + 1}, column ${origin.col + 1}` : `column ${origin.col + 1}`
}

/** A challenge with the place it came from in the pasted text. */
export interface PastedChallenge extends Challenge {
  /** "column 1" or "line 2, column 1" in the pasted text. */
  at: string
  /** The same for each param, in order. */
  paramAt: string[]
  /** What was not conformant in it, each with its place: "column 17: expected ...". */
  warnings: string[]
}

/**
 * Every challenge in pasted text, in order, read tolerantly: what breaks RFC 9110 is a
 * warning on the challenge it belongs to (with the line and column of the input), never the
 * loss of the header. Throws WwwAuthenticateSyntaxError (exit 2) only when no challenge at all
 * can be read, and InputError when there is no WWW-Authenticate value.
 */
export function parsePastedChallenges(raw: string): PastedChallenge[] {
  const lineCount = countLines(raw)
  const out: PastedChallenge[] = []
  let firstError: WwwAuthenticateSyntaxError | undefined
  // warnings of a value none of whose challenges could be read go to the next challenge read
  let orphans: string[] = []
  for (const v of extractHeaderValues(raw)) {
    const locate = (i: number) => {
      // the end of the value is one column past its last character
      const o = v.origins[i] ?? (v.origins.length ? { ...v.origins[v.origins.length - 1]!, col: v.origins[v.origins.length - 1]!.col + 1 } : undefined)
      return where(o, lineCount)
    }
    let parsed: TolerantParse
    try {
      parsed = parseWwwAuthenticateTolerant(v.text)
    } catch (e) {
      if (!(e instanceof WwwAuthenticateSyntaxError)) throw e
      const located = new WwwAuthenticateSyntaxError(e.index, e.reason, locate(e.index))
      firstError ??= located
      orphans.push(`${locate(e.index)}: ${e.reason}`)
      continue
    }
    const start = out.length
    for (const c of parsed.challenges) out.push({ ...c, at: locate(c.index), paramAt: c.params.map((p) => locate(p.index)), warnings: [] })
    out[start]!.warnings.push(...orphans)
    orphans = []
    for (const w of parsed.warnings) {
      const target = out[start + Math.min(w.challenge ?? 0, parsed.challenges.length - 1)]!
      target.warnings.push(`${locate(w.index)}: ${w.reason}`)
    }
  }
  if (out.length === 0) throw firstError ?? new InputError('no WWW-Authenticate challenge could be read')
  if (orphans.length) out[out.length - 1]!.warnings.push(...orphans)
  return out
}
