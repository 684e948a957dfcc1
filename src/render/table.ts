/**
 * A small aligned table for terminals: a key column, a value column that wraps (and is cut with
 * an ellipsis past a few lines), and an optional dimmed note column that is dropped when the
 * terminal is too narrow. Lighter than cli-table3, which `decode` must not load.
 * @module
 */
import { isPlainText, printableLines } from '../core/printable.js'
import { charWidth, visibleWidth, wrapText } from './wrap.js'

export interface Cell {
  text: string
  /** Applied to each laid-out line of the cell (colour); must not change its visible width. */
  style?: (s: string) => string
}

export interface TableOptions {
  /** Terminal width; the table never goes wider. */
  width: number
  /** Spaces before each row. */
  indent?: number
  /** Widest the key column may get; longer keys are cut with an ellipsis. */
  maxKeyWidth?: number
  /** Lines a value may wrap to before it is cut with an ellipsis. */
  maxValueLines?: number
  /** Narrowest the value column may get before the note column is dropped. */
  minValueWidth?: number
  /** Values up to this wide count as typical and get room before the notes do. */
  typicalValueWidth?: number
  /** Widest the note column may get. */
  maxNoteWidth?: number
}

export type Row = [key: Cell, value: Cell, note?: Cell]

const ELLIPSIS = '…'
const GAP = '  '

export { visibleWidth }

/** Cuts `s` to at most `width` columns, ending with an ellipsis when it was cut. */
export function truncate(s: string, width: number): string {
  if (visibleWidth(s) <= width) return s
  if (width <= 0) return ''
  return cutTo(s, width - 1) + ELLIPSIS
}

/** The longest prefix of `s` at most `width` columns wide. */
function cutTo(s: string, width: number): string {
  let out = ''
  let w = 0
  for (const ch of s) {
    const cw = charWidth(ch)
    if (w + cw > width) break
    out += ch
    w += cw
  }
  return out
}

/** Pads `s` with spaces to `width` columns. */
export function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleWidth(s)))
}

/**
 * A cell's text to lines of `width` columns (the one wrapper, render/wrap): at spaces, and a word
 * wider than the cell (a token, a certificate) cut across lines rather than pushing the table
 * past the terminal. At most `maxLines` lines; the last is cut with an ellipsis when text
 * remains. Control characters are shown escaped, so a claim cannot move the cursor.
 */
export function wrap(text: string, width: number, maxLines = Infinity): string[] {
  const w = Math.max(1, width)
  const lines = wrapPlain(text, w) ?? wrapText(text, w, { long: 'break' })
  if (lines.length > maxLines) {
    const kept = lines.slice(0, Math.max(1, maxLines))
    const last = kept[kept.length - 1]!
    kept[kept.length - 1] = cutTo(last, w - 1) + ELLIPSIS
    return kept
  }
  return lines
}

/**
 * The lines wrapText gives, for the common value: plain text (isPlainText) of words one space
 * apart, each no wider than the cell. Filled greedily, as wrapText fills them, without the
 * spans, words and pieces it builds for the general case (a decode's start-up:
 * bench/README.md). Undefined for any other text.
 */
function wrapPlain(text: string, width: number): string[] | undefined {
  if (!isPlainText(text) || text.startsWith(' ') || text.endsWith(' ') || text.includes('  ')) return undefined
  if (text.length <= width) return [text]
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (word.length > width) return undefined
    if (line === '') line = word
    else if (line.length + 1 + word.length <= width) line += ' ' + word
    else {
      lines.push(line)
      line = word
    }
  }
  lines.push(line)
  return lines
}

/** Control characters (other than newline) and direction overrides as visible `\uXXXX` escapes. */
export const sanitize = printableLines

/** Lays the rows out to fit `opts.width` and returns the text (each line ends with a newline). */
export function renderTable(rows: readonly Row[], opts: TableOptions): string {
  if (rows.length === 0) return ''
  const indent = ' '.repeat(opts.indent ?? 0)
  const width = Math.max(20, opts.width)
  const maxKey = opts.maxKeyWidth ?? 24
  const keyWidth = Math.min(maxKey, Math.max(...rows.map((r) => visibleWidth(sanitize(r[0].text)))))
  const room = width - indent.length - keyWidth - GAP.length
  const noteNatural = Math.max(0, ...rows.map((r) => (r[2] ? visibleWidth(r[2].text) : 0)))
  const valueWidths = rows.map((r) => Math.max(...sanitize(r[1].text).split('\n').map(visibleWidth)))
  const valueNatural = Math.max(...valueWidths)
  let noteWidth = Math.min(opts.maxNoteWidth ?? 44, noteNatural)
  let valueWidth = room
  if (noteWidth > 0) {
    // Values first: wide enough for every value that is not an outlier (those wrap anyway);
    // the notes take what is left, or go when too little is.
    const typical = Math.max(0, ...valueWidths.filter((w) => w <= (opts.typicalValueWidth ?? 56)))
    const minValue = opts.minValueWidth ?? 30
    valueWidth = Math.max(minValue, Math.min(Math.max(typical, room - noteWidth - GAP.length), room - 16))
    noteWidth = Math.min(noteWidth, room - valueWidth - GAP.length)
    // Notes cut short everywhere help no one: show them only when most fit whole.
    const notes = rows.flatMap((r) => (r[2] ? [visibleWidth(r[2].text)] : []))
    if (noteWidth < 12 || notes.filter((w) => w <= noteWidth).length < 0.8 * notes.length) {
      noteWidth = 0
      valueWidth = room
    }
  }
  valueWidth = Math.max(8, valueWidth)
  const valueCol = Math.min(valueWidth, Math.max(1, valueNatural))
  let out = ''
  for (const [key, value, note] of rows) {
    const k = truncate(sanitize(key.text), keyWidth)
    const vLines = wrap(value.text, valueWidth, opts.maxValueLines ?? 6)
    const n = note && noteWidth > 0 ? truncate(sanitize(note.text), noteWidth) : ''
    vLines.forEach((line, i) => {
      const keyPart = i === 0 ? style(key, pad(k, keyWidth)) : ' '.repeat(keyWidth)
      let text = indent + keyPart + GAP + style(value, line)
      if (i === 0 && n) text += ' '.repeat(Math.max(0, valueCol - visibleWidth(line))) + GAP + style(note!, n)
      out += text.trimEnd() + '\n'
    })
  }
  return out
}

function style(cell: Cell, s: string): string {
  return cell.style && s.trim() !== '' ? cell.style(s) : s
}
