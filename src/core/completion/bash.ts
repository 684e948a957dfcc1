/**
 * The bash completion script (`tokentool completion bash`): commands, subcommands, flags per
 * command, flag values (profiles, presets, choices, files) and profile names as arguments.
 * Profile names come from `tokentool completion --list-profiles` at completion time. Pure.
 * @module
 */
import { LIST_PROFILES_ARGS, spellings, valueCases, type CommandSpec, type CompletionSpec, type ValueKind } from './spec.js'

export function bashScript(spec: CompletionSpec): string {
  const p = spec.program
  const fn = `_${p.replace(/[^A-Za-z0-9_]/g, '_')}`
  const globalFlags = spec.globals.flatMap(spellings)
  const globalValueFlags = spec.globals.filter((f) => f.value).flatMap(spellings)

  const lines: string[] = []
  lines.push(`# ${p} completion for bash. Load it with:  source <(${p} completion bash)`)
  lines.push(`${fn}_profiles() {`, `  command ${p} ${LIST_PROFILES_ARGS.join(' ')} 2>/dev/null`, `}`, '')
  lines.push(`${fn}() {`)
  lines.push(`  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" sub="" i w`)
  lines.push(`  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"`)
  // find the command and subcommand typed so far, skipping flags and their values
  lines.push(`  for (( i = 1; i < COMP_CWORD; i++ )); do`)
  lines.push(`    w="\${COMP_WORDS[i]}"`)
  lines.push(`    if ${fn}_takes_value "$cmd" "$w"; then (( i++ )); continue; fi`)
  lines.push(`    case "$w" in -*) continue ;; esac`)
  lines.push(`    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi`)
  lines.push(`  done`)
  lines.push(`  COMPREPLY=()`)
  // the value of the flag just typed
  lines.push(`  if ${fn}_takes_value "$cmd" "$prev"; then`)
  lines.push(`    case "$cmd:$prev" in`)
  for (const [pattern, value] of valueCases(spec)) lines.push(`      ${pattern}) ${reply(value, fn)} ;;`)
  lines.push(`    esac`, `    return 0`, `  fi`)
  // flags, or words (commands, subcommands, positional values)
  lines.push(`  case "$cmd" in`)
  lines.push(`    "") ${wordsAndFlags(spec.commands.map((c) => c.name), [], globalFlags)} ;;`)
  for (const c of spec.commands) lines.push(`    ${[c.name, ...c.aliases].join('|')}) ${commandCase(c, fn, globalFlags)} ;;`)
  lines.push(`  esac`)
  lines.push(`}`, '')
  // which flags take a value, per command (globals everywhere)
  lines.push(`${fn}_takes_value() {`)
  lines.push(`  case "$2" in ${globalValueFlags.join('|') || '__none__'}) return 0 ;; esac`)
  lines.push(`  case "$1" in`)
  for (const c of spec.commands) {
    const vf = [...c.flags, ...c.subcommands.flatMap((s) => s.flags)].filter((f) => f.value).flatMap(spellings)
    if (vf.length) lines.push(`    ${[c.name, ...c.aliases].join('|')}) case "$2" in ${[...new Set(vf)].join('|')}) return 0 ;; esac ;;`)
  }
  lines.push(`  esac`, `  return 1`, `}`, '')
  lines.push(`complete -o default -F ${fn} ${p}`, '')
  return lines.join('\n')
}

function commandCase(c: CommandSpec, fn: string, globalFlags: string[]): string {
  const flags = c.flags.flatMap(spellings)
  if (c.subcommands.length === 0) return positional(c.positional, flags, globalFlags, fn)
  const subs = c.subcommands.flatMap((s) => [s.name, ...s.aliases])
  const inner = c.subcommands
    .map((s) => `${[s.name, ...s.aliases].join('|')}) ${positional(s.positional, [...flags, ...s.flags.flatMap(spellings)], globalFlags, fn)} ;;`)
    .join(' ')
  return `case "$sub" in "") ${wordsAndFlags(subs, flags, globalFlags)} ;; ${inner} esac`
}

function positional(v: ValueKind | undefined, flags: string[], globalFlags: string[], fn: string): string {
  const flagReply = `COMPREPLY=( $(compgen -W "${[...flags, ...globalFlags].join(' ')}" -- "$cur") )`
  const words = v ? reply(v, fn) : ':'
  return `if [[ "$cur" == -* ]]; then ${flagReply}; else ${words}; fi`
}

function wordsAndFlags(words: string[], flags: string[], globalFlags: string[]): string {
  return `if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "${[...flags, ...globalFlags].join(' ')}" -- "$cur") ); else COMPREPLY=( $(compgen -W "${words.join(' ')}" -- "$cur") ); fi`
}

function reply(v: ValueKind, fn: string): string {
  switch (v.kind) {
    case 'profile':
      return `COMPREPLY=( $(compgen -W "$(${fn}_profiles)" -- "$cur") )`
    case 'choices':
      return `COMPREPLY=( $(compgen -W "${v.values.join(' ')}" -- "$cur") )`
    case 'file':
      return `COMPREPLY=( $(compgen -f -- "$cur") )`
    case 'free':
      return ':'
  }
}
