/**
 * How `--help` is laid out: wrapped at spaces to the width every view uses (COLUMNS, the TTY, 80),
 * never left to the terminal's soft wrap, which cuts words ("(OpenID dis" / "covery)"). When
 * the flag column leaves too little room beside it, each description goes under its flag.
 * @module
 */
import { Help } from 'commander'
import { visibleWidth, wrapCommand, wrapText, wrapUnits } from '../render/wrap.js'

const NARROWEST_BESIDE = 30
const UNDER_INDENT = 6

export function helpLayout(columns: number): Partial<Help> {
  return {
    helpWidth: columns,
    minWidthToWrap: 20,
    formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
      const width = helper.helpWidth ?? columns
      if (!description || width - termWidth - 4 >= NARROWEST_BESIDE) return Help.prototype.formatItem.call(this, term, termWidth, description, helper)
      const pad = ' '.repeat(UNDER_INDENT)
      const body = helper.boxWrap(description, Math.max(20, width - UNDER_INDENT)).split('\n').map((l) => pad + l)
      return [`  ${term}`, ...body].join('\n')
    },
  }
}

/**
 * Commander's own help is already wrapped (helpLayout); the prose and examples each command adds
 * with addHelpText are not. Every line longer than `columns` is broken at spaces with its indent
 * kept; an example command line (`$ tokentool …`) is broken outside quotes and continued with
 * ` \` so that it still pastes into a shell. Commander writes only help and the version
 * through its output hooks, so this touches nothing else.
 */
export function wrapHelpText(text: string, columns: number): string {
  const lines = text.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; ) {
    // a paragraph of prose (same indent, no example, no aligned columns) that overflows is
    // reflowed as one text, not broken line by line into a ragged edge
    let j = i
    while (j < lines.length && isProse(lines[j]!) && indentOf(lines[j]!) === indentOf(lines[i]!)) j++
    const para = lines.slice(i, j)
    if (para.length > 1 && para.some((l) => visibleWidth(l) > columns)) {
      out.push(...wrapLine(indentOf(para[0]!) + para.map((l) => l.trim()).join(' '), columns))
      i = j
    } else {
      out.push(...wrapLine(lines[i]!, columns))
      i++
    }
  }
  return out.join('\n')
}

const indentOf = (line: string) => /^ */.exec(line)![0]
const isProse = (line: string) => line.trim() !== '' && !/^ *\$ /.test(line) && !/\S {2,}\S/.test(line) && !/^ *[-·*•]/.test(line)

function wrapLine(line: string, columns: number): string[] {
  if (visibleWidth(line) <= columns) return [line]
  const indent = /^ */.exec(line)![0]
  const example = /^ *\$ /.test(line)
  const hash = example ? commentStart(line) : -1
  if (hash > 0) {
    // the command wrapped on its own; its comment beside the last line when it fits there, else
    // on comment lines of its own below (a comment cannot be continued with a backslash)
    const code = wrapLine(line.slice(0, hash).trimEnd(), columns)
    const comment = line.slice(hash)
    const last = code[code.length - 1]!
    if (visibleWidth(last) + 2 + visibleWidth(comment) <= columns) return [...code.slice(0, -1), `${last}  ${comment}`]
    const pad = `${indent}    # `
    return [...code, ...wrapText(comment.replace(/^#\s*/, ''), columns, { first: pad, rest: pad })]
  }
  // an example is a command (render/wrap's rules: outside quotes, a flag with its value, ` \`)
  if (example) return wrapCommand(line, columns, { rest: indent + '    ' })
  // prose: at single spaces after the indent (a run of spaces aligns columns)
  const units: string[] = []
  let start = 0
  for (const b of breakPoints(line, indent.length)) {
    units.push(line.slice(start, b))
    start = b + 1
  }
  units.push(line.slice(start))
  return wrapUnits(units, columns, { rest: indent })
}

/** Where a shell comment begins in an example line (outside quotes, after a space), or -1. */
function commentStart(line: string): number {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === "'" || c === '"') quote = quote === c ? undefined : (quote ?? c)
    if (c === '#' && quote === undefined && line[i - 1] === ' ') return i
  }
  return -1
}

/** Indexes of the single spaces a prose line may break at, after its indent. */
function breakPoints(line: string, from: number): number[] {
  const points: number[] = []
  for (let i = from; i < line.length; i++) {
    if (line[i] === ' ' && line[i - 1] !== ' ' && line[i + 1] !== ' ') points.push(i)
  }
  return points
}
