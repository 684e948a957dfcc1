/**
 * What shell completion knows about tokentool: commands, their subcommands and flags, and
 * what each value is (a profile name, a preset, one of fixed choices, a file, free text).
 * Built from the commander definitions by cli/commands/completion.ts; the script writers
 * (bash.ts, zsh.ts, fish.ts) turn it into text. Pure.
 * @module
 */

/** How a flag's value or a positional argument completes. */
export type ValueKind = { kind: 'profile' } | { kind: 'choices'; values: string[] } | { kind: 'file' } | { kind: 'free' }

export interface FlagSpec {
  /** `--issuer` */
  long?: string
  /** `-f` */
  short?: string
  description: string
  /** Absent for a switch (no value, or an optional one). */
  value?: ValueKind
}

export interface CommandSpec {
  name: string
  aliases: string[]
  description: string
  flags: FlagSpec[]
  subcommands: CommandSpec[]
  /** How the first positional argument completes, when it is worth completing. */
  positional?: ValueKind
}

export interface CompletionSpec {
  /** The program name the script completes. */
  program: string
  globals: FlagSpec[]
  commands: CommandSpec[]
}

/** The command that prints profile names one per line, which the scripts call. */
export const LIST_PROFILES_ARGS = ['completion', '--list-profiles'] as const

/** Every flag spelling (`--file`, `-f`). */
export function spellings(f: FlagSpec): string[] {
  return [f.long, f.short].filter((x): x is string => x !== undefined)
}

/** Single-quoted for sh/zsh/fish (a `'` becomes `'\''`). */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** A description on one line, short enough for a completion menu. */
export function oneLine(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`
}

/** Commands and their subcommands as `[path, spec]`, e.g. `['profiles show', ...]`. */
export function walk(commands: readonly CommandSpec[], prefix = ''): [string, CommandSpec][] {
  const out: [string, CommandSpec][] = []
  for (const c of commands) {
    const path = prefix ? `${prefix} ${c.name}` : c.name
    out.push([path, c])
    out.push(...walk(c.subcommands, path))
  }
  return out
}

/** `case` patterns `cmd:--flag` → value kind; globals match any command (`*:--profile`). */
export function valueCases(spec: CompletionSpec): [string, ValueKind][] {
  const out: [string, ValueKind][] = []
  const add = (cmds: string[], f: FlagSpec) => {
    if (!f.value || f.value.kind === 'free') return
    out.push([cmds.flatMap((c) => spellings(f).map((s) => `${c}:${s}`)).join('|'), f.value])
  }
  for (const c of spec.commands) {
    const names = [c.name, ...c.aliases]
    for (const f of c.flags) add(names, f)
    for (const s of c.subcommands) for (const f of s.flags) add(names, f)
  }
  for (const f of spec.globals) add(['*'], f)
  return out
}
