/**
 * Commander's error messages in tokentool's words: one line, the suggestion on that line, in
 * the notation the user typed (`tokentool cae decode`, `--issuer`). Pure: a message and the
 * argv in, a UsageError out.
 * @module
 */
import { UsageError } from '../errors.js'
import { COMMAND_NAMES } from './commands/list.js'
import { suggest } from '../core/suggest.js'

/**
 * An option-looking argument that is most likely a token (opaque tokens may begin with "-"):
 * long and not shaped like a flag (`--word-word`, optionally `=value`).
 */
export function looksLikeToken(arg: string): boolean {
  if (arg.length < 15) return false
  return !/^--?[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:=.*)?$/.test(arg)
}

function mask(value: string): string {
  return `${value.slice(0, 6)}…(${value.length} chars)`
}

/** `a, b, c` → `a, b or c`. */
function orList(items: string): string {
  const parts = items.split(/,\s*/).filter(Boolean)
  return parts.length < 2 ? items : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`
}

/**
 * The command the user typed before `word`, as a path: `cae decod` → ['cae']. Only a root
 * command name counts (tokentool's commands nest one level), so the value of a global option
 * (`--profile ci`) is never taken for one.
 */
function commandPath(argv: readonly string[], word: string): string[] {
  for (const a of argv) {
    if (a === word || a === '--') break
    if (COMMAND_NAMES.includes(a)) return [a]
  }
  return []
}

/**
 * The UsageError a commander error message stands for. `message` is commander's text
 * (`error: unknown option '--isuer'\n(Did you mean --issuer?)`).
 */
export function usageFromCommander(message: string, argv: readonly string[]): UsageError {
  const text = message.replace(/^error: /, '').trim()
  const [first = '', ...rest] = text.split('\n')
  const similar = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1]

  let m = /^unknown option '(.*)'$/.exec(first)
  if (m) {
    const flag = m[1]!
    if (looksLikeToken(flag)) {
      return new UsageError(`unknown option '${mask(flag)}'`, { hint: 'if that is a token, put -- before it: tokentool decode -- TOKEN' })
    }
    const eq = flag.indexOf('=')
    // `--flag=value`: the value may be a secret; show the flag, mask a long value
    const shown = eq > 0 && flag.length - eq > 7 ? `${flag.slice(0, eq)}=${mask(flag.slice(eq + 1))}` : flag
    const cmd = commandPath(argv, flag)
    return new UsageError(`unknown option '${shown}'`, { hint: similar ? `did you mean ${similar}?` : `see tokentool ${cmd.length ? cmd.join(' ') + ' ' : ''}--help` })
  }

  m = /^unknown command '(.*)'$/.exec(first)
  if (m) {
    const word = m[1]!
    const parent = commandPath(argv, word)
    const typed = [...parent, word].join(' ')
    const hint = similar ? `did you mean tokentool ${[...parent, similar].join(' ')}?` : `see tokentool ${parent.length ? parent.join(' ') + ' ' : ''}--help`
    return new UsageError(`unknown command '${typed}'`, { hint })
  }

  m = /^command-argument value '(.*)' is invalid for argument '(.*)'\. Allowed choices are (.*)\.$/.exec(first)
  if (m) return new UsageError(`unknown ${m[2]} '${m[1]}'`, { hint: `choose ${orList(m[3]!)}` })

  m = /^option '(.*?)(?: <.*>| \[.*\])?' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/.exec(first)
  if (m) return new UsageError(`${lastFlag(m[1]!)}: '${m[2]}' is not one of ${orList(m[3]!)}`)

  m = /^option '(.*?)(?: (<.*>|\[.*\]))?' argument missing$/.exec(first)
  if (m) return new UsageError(`${lastFlag(m[1]!)} needs a value${m[2] ? ` (${lastFlag(m[1]!)} ${m[2]})` : ''}`)

  m = /^missing required argument '(.*)'$/.exec(first)
  if (m) {
    const root = commandPath(argv, '')
    // `profiles remove`: the subcommand typed after the command
    const sub = root.length ? argv.slice(argv.indexOf(root[0]!) + 1).find((a) => !a.startsWith('-')) : undefined
    return new UsageError(`missing the ${m[1]} argument`, { hint: `see tokentool ${[...root, ...(sub ? [sub] : []), '--help'].join(' ')}` })
  }

  m = /^required option '(.*?)(?: <.*>| \[.*\])?' not specified$/.exec(first)
  if (m) return new UsageError(`${lastFlag(m[1]!)} is required`)

  m = /^too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(first)
  if (m) {
    const n = Number(m[2])
    return new UsageError(`too many arguments${m[1] ? ` for ${m[1]}` : ''}: it takes ${n === 0 ? 'none' : `at most ${n}`}, got ${m[3]}`, {
      hint: 'a value with spaces needs quotes',
    })
  }

  m = /^option '(.*)' cannot be used with (?:option|environment variable) '(.*)'$/.exec(first)
  if (m) return new UsageError(`${lastFlag(m[1]!)} and ${lastFlag(m[2]!)} cannot be used together`)

  return new UsageError([first, ...rest].join(' ').replace(/\s+/g, ' '))
}

/** `-f, --file <path>` → `--file`. */
function lastFlag(flags: string): string {
  const parts = flags.split(/[ ,|]+/).filter((p) => p.startsWith('-'))
  return parts[parts.length - 1] ?? flags
}

/** `tokentool profiles lst`: the one line for a subcommand that does not exist. */
export function unknownSubcommand(parent: string, word: string, names: readonly string[]): UsageError {
  const near = suggest(word, names)
  return new UsageError(`unknown command '${parent} ${word}'`, {
    hint: near ? `did you mean tokentool ${parent} ${near}?` : `${parent} has ${names.join(', ')}: see tokentool ${parent} --help`,
  })
}
