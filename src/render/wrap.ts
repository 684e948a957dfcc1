/**
 * The one line-wrapper of tokentool's human views and of `--help`: text to lines of at most
 * `width` terminal columns, broken only between words — never inside a word, a token or a URL.
 * A word wider than the line stays whole on a line of its own (it overflows rather than being
 * cut); only a table cell, whose value is cut with an ellipsis after a few lines anyway, may ask
 * for such a word to be broken (`long: 'break'`).
 *
 * Text goes through the terminal-safety escape (core/printable) first and is measured as
 * escaped, in display columns (wide characters count two); colour is applied after measuring,
 * so it takes no width. Prefixes (`first`, `rest`) are the caller's own text: they may carry
 * colour, which is not counted either.
 * @module
 */
import { isPlainText, printableLines } from '../core/printable.js'

export type Style = (s: string) => string

/** A run of text with the colour its words get. */
export interface Span {
  text: string
  style?: Style
}

export interface WrapOptions {
  /** Put before the first line (may hold colour). Default: nothing. */
  first?: string
  /** Put before every other line. Default: spaces as wide as `first` (a hanging indent). */
  rest?: string
  /** Put after every line but the last (help's ` \` continuation); its width is kept free. */
  lineEnd?: string
  /** A word wider than the line: kept whole (default), or cut across lines (table cells). */
  long?: 'keep' | 'break'
  /** wrapUnits only: what joins two units on a line (default one space). */
  separator?: string
}

/** An unbreakable unit: its pieces (one per span it touches) and the space before it. */
interface Word {
  pieces: { text: string; style?: Style }[]
  gap: string
  width: number
}

// SGR colour codes in the caller's prefixes take no columns
const SGR = /\u001b\[[0-9;]*m/g

/** Display width in terminal columns: code points, wide (CJK, emoji) ones as two, marks as none. */
export function visibleWidth(s: string): number {
  if (isPlainText(s)) return s.length
  let w = 0
  for (const ch of s) w += charWidth(ch)
  return w
}

/** The width of the caller's own text, which may hold colour codes. */
export function styledWidth(s: string): number {
  // no ESC, no colour code: the common case (no colour, or a plain prefix) needs no regular expression
  return visibleWidth(s.includes('\u001b') ? s.replace(SGR, '') : s)
}

export function charWidth(ch: string): number {
  const c = ch.codePointAt(0)!
  if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x300 && c < 0x370) || c === 0x200b) return 0
  if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd)) return 2
  return 1
}

/**
 * Wraps `text` (a string, or spans of differently coloured text) to `width` columns at its
 * spaces. A newline in the text starts a new line; leading spaces of a line of the text are kept
 * as its indent.
 * @example wrapText(detail, 80, { first: 'FAIL  aud  ', rest: '           ' })
 */
export function wrapText(text: string | readonly Span[], width: number, opts: WrapOptions = {}): string[] {
  const spans = typeof text === 'string' ? [{ text }] : text
  const lines: string[] = []
  let prefix = opts.first ?? ''
  const rest = opts.rest ?? ' '.repeat(styledWidth(prefix))
  for (const para of paragraphs(spans)) {
    lines.push(...wrapWords(para, width, { ...opts, first: prefix, rest }))
    prefix = rest
  }
  return lines
}

/**
 * Wraps words the caller has already cut (help's example lines break only outside quotes):
 * each string is one unbreakable unit, joined to the one before by `separator` (a space).
 */
export function wrapUnits(units: readonly string[], width: number, opts: WrapOptions = {}): string[] {
  const words = units.map((u, i) => ({ pieces: [{ text: printableLines(u) }], gap: i === 0 ? '' : (opts.separator ?? ' '), width: visibleWidth(printableLines(u)) }))
  return wrapWords(words, width, { ...opts, rest: opts.rest ?? ' '.repeat(styledWidth(opts.first ?? '')) })
}

/**
 * A shell command line, broken only between its arguments and outside quotes, a flag kept with
 * its value and `$` with the command, each broken line ending in ` \` so that it still pastes
 * into a shell.
 */
export function wrapCommand(cmd: string, width: number, opts: Pick<WrapOptions, 'first' | 'rest'> = {}): string[] {
  return wrapUnits(commandUnits(cmd), width, { ...opts, lineEnd: ' \\' })
}

/**
 * The pieces a command line may be broken between: at single spaces outside quotes (a run of
 * spaces is alignment, not a break), never after `$` or after a flag whose value follows. The
 * leading indent stays with the first piece. Joined by single spaces they give the line back.
 */
export function commandUnits(cmd: string): string[] {
  const units: string[] = []
  const indent = /^ */.exec(cmd)![0]
  let cur = indent
  let word = ''
  let quote: string | undefined
  let escaped = false
  for (let i = indent.length; i < cmd.length; i++) {
    const ch = cmd[i]!
    // a quote inside quotes is written '\'': the backslash outside quotes escapes it
    if (escaped) escaped = false
    else if (ch === '\\' && quote !== "'") escaped = true
    else if (ch === "'" || ch === '"') quote = quote === ch ? undefined : (quote ?? ch)
    const breakable = ch === ' ' && quote === undefined && !escaped && cmd[i - 1] !== ' ' && cmd[i + 1] !== ' ' && cmd[i + 1] !== undefined
    if (breakable && word !== '$' && !(word.startsWith('-') && cmd[i + 1] !== '-')) {
      units.push(cur)
      cur = ''
      word = ''
      continue
    }
    cur += ch
    word = ch === ' ' ? '' : word + ch
  }
  units.push(cur)
  return units
}

/** The greedy fill every entry point shares. */
function wrapWords(words: readonly Word[], width: number, opts: WrapOptions & { rest: string }): string[] {
  const first = opts.first ?? ''
  const end = opts.lineEnd ?? ''
  const endWidth = styledWidth(end)
  const restWidth = styledWidth(opts.rest)
  const out: string[] = []
  let line: Word[] = []
  let prefix = first
  let used = styledWidth(first)
  const flush = (last: boolean) => {
    out.push(prefix + render(line) + (last ? '' : end))
    line = []
    prefix = opts.rest
    used = restWidth
  }
  // total width of words[i..] laid on one line, to know whether the rest fits without lineEnd
  const tail: number[] = new Array(words.length + 1).fill(0)
  for (let i = words.length - 1; i >= 0; i--) tail[i] = tail[i + 1]! + words[i]!.width + (i === 0 ? 0 : words[i]!.gap.length)
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    const gap = line.length ? w.gap : ''
    const fits = used + gap.length + w.width <= width - endWidth || used + (line.length ? tail[i]! : tail[i]! - w.gap.length) <= width
    if (fits || (line.length === 0 && opts.long !== 'break')) {
      line.push(line.length ? w : { ...w, gap: '' })
      used += gap.length + w.width
      continue
    }
    if (opts.long === 'break' && (line.length === 0 || w.width > width - endWidth - restWidth)) {
      // too wide for any line: cut it, starting here when this line is still nearly empty
      const roomHere = width - endWidth - used - (line.length ? w.gap.length : 0)
      if (line.length && (roomHere < 1 || used - styledWidth(prefix) >= (width - styledWidth(prefix)) / 4)) flush(false)
      let rest = w
      let gapHere = line.length ? w.gap : ''
      for (;;) {
        const room = width - endWidth - used - gapHere.length
        // not even its first character fits here (a wide one): it starts the next line
        if (line.length && room < charWidth(firstChar(rest))) {
          flush(false)
          gapHere = ''
          continue
        }
        const [head, tailWord] = cut(rest, Math.max(1, room))
        line.push({ ...head, gap: gapHere })
        used += gapHere.length + head.width
        if (!tailWord) break
        flush(false)
        rest = tailWord
        gapHere = ''
      }
      continue
    }
    flush(false)
    line.push({ ...w, gap: '' })
    used += w.width
  }
  flush(true)
  return out
}

function firstChar(w: Word): string {
  for (const p of w.pieces) for (const ch of p.text) return ch
  return ''
}

function render(line: readonly Word[]): string {
  let s = ''
  for (const w of line) {
    s += w.gap
    for (const p of w.pieces) s += p.style && p.text ? p.style(p.text) : p.text
  }
  return s
}

/** The first `room` columns of a word (at least one character) and what is left, if anything. */
function cut(w: Word, room: number): [Word, Word | undefined] {
  const head: Word['pieces'] = []
  const tail: Word['pieces'] = []
  let used = 0
  for (const p of w.pieces) {
    let h = ''
    let t = ''
    for (const ch of p.text) {
      const cw = charWidth(ch)
      if (t === '' && (used + cw <= room || (used === 0 && h === ''))) {
        h += ch
        used += cw
      } else t += ch
    }
    if (h) head.push({ text: h, style: p.style })
    if (t) tail.push({ text: t, style: p.style })
  }
  const width = (ps: Word['pieces']) => ps.reduce((n, p) => n + visibleWidth(p.text), 0)
  return [{ pieces: head, gap: '', width: width(head) }, tail.length ? { pieces: tail, gap: '', width: width(tail) } : undefined]
}

/** The spans as lines of words: escaped, split at spaces; a word may run across spans. */
function paragraphs(spans: readonly Span[]): Word[][] {
  const paras: Word[][] = [[]]
  let gap = ''
  let open: Word | undefined // the word being read: a span that ends mid-word continues it
  let lineStart = true
  for (const span of spans) {
    for (const part of printableLines(span.text).split(/( +|\n)/)) {
      if (part === '') continue
      if (part === '\n') {
        paras.push([])
        open = undefined
        gap = ''
        lineStart = true
        continue
      }
      if (part[0] === ' ') {
        open = undefined
        gap = lineStart ? gap + part : part
        continue
      }
      if (open) {
        open.pieces.push({ text: part, style: span.style })
        open.width += visibleWidth(part)
        continue
      }
      const para = paras[paras.length - 1]!
      // a line's own indent is kept: it becomes part of its first word
      const indent = lineStart ? gap : ''
      open = { pieces: [{ text: indent + part, style: span.style }], gap: lineStart ? '' : gap, width: visibleWidth(indent + part) }
      if (lineStart && indent) open.pieces = [{ text: indent }, { text: part, style: span.style }]
      para.push(open)
      gap = ''
      lineStart = false
    }
  }
  return paras
}
