/**
 * The zsh completion script (`tokentool completion zsh`): commands and flags with their
 * descriptions, flag values (profiles, presets, choices, files) and profile names as
 * arguments. Works sourced (`source <(tokentool completion zsh)` after compinit) or saved as
 * `_tokentool` in a directory of $fpath. Pure.
 * @module
 */
import { LIST_PROFILES_ARGS, oneLine, shQuote, spellings, valueCases, type CommandSpec, type CompletionSpec, type FlagSpec, type ValueKind } from './spec.js'

export function zshScript(spec: CompletionSpec): string {
  const p = spec.program
  const fn = `_${p.replace(/[^A-Za-z0-9_]/g, '_')}`
  const L: string[] = []
  L.push(`#compdef ${p}`, `# ${p} completion for zsh. Load it with:  source <(${p} completion zsh)   (after compinit)`, '')
  L.push(`${fn}_profiles() {`, `  local -a names`, `  names=( \${(f)"$(command ${p} ${LIST_PROFILES_ARGS.join(' ')} 2>/dev/null)"} )`, `  compadd -a names`, `}`, '')
  L.push(`${fn}() {`)
  L.push(`  local cmd="" sub="" w prev cur`)
  L.push(`  local -i i`)
  L.push(`  cur="\${words[CURRENT]}"; prev="\${words[CURRENT-1]}"`)
  L.push(`  for (( i = 2; i < CURRENT; i++ )); do`)
  L.push(`    w="\${words[i]}"`)
  L.push(`    if ${fn}_takes_value "$cmd" "$w"; then (( i++ )); continue; fi`)
  L.push(`    [[ "$w" == -* ]] && continue`)
  L.push(`    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi`)
  L.push(`  done`)
  L.push(`  if ${fn}_takes_value "$cmd" "$prev"; then`)
  L.push(`    case "$cmd:$prev" in`)
  for (const [pattern, v] of valueCases(spec)) L.push(`      ${pattern}) ${complete(v, fn)} ;;`)
  L.push(`    esac`, `    return`, `  fi`)
  L.push(`  local -a items`)
  L.push(`  case "$cmd" in`)
  L.push(`    "") ${choose(spec.commands.map((c) => [c.name, c.description]), [], spec.globals, fn, 'command')} ;;`)
  for (const c of spec.commands) L.push(`    ${[c.name, ...c.aliases].join('|')}) ${commandCase(c, spec.globals, fn)} ;;`)
  L.push(`  esac`)
  L.push(`}`, '')
  L.push(`${fn}_takes_value() {`)
  const gv = spec.globals.filter((f) => f.value).flatMap(spellings)
  L.push(`  case "$2" in ${gv.join('|') || '__none__'}) return 0 ;; esac`)
  L.push(`  case "$1" in`)
  for (const c of spec.commands) {
    const vf = [...new Set([...c.flags, ...c.subcommands.flatMap((s) => s.flags)].filter((f) => f.value).flatMap(spellings))]
    if (vf.length) L.push(`    ${[c.name, ...c.aliases].join('|')}) case "$2" in ${vf.join('|')}) return 0 ;; esac ;;`)
  }
  L.push(`  esac`, `  return 1`, `}`, '')
  // autoloaded from $fpath the file is the function body's caller; sourced, it registers itself
  L.push(`if [[ "\${funcstack[1]}" == "${fn}" ]]; then`, `  ${fn} "$@"`, `else`, `  compdef ${fn} ${p}`, `fi`, '')
  return L.join('\n')
}

function commandCase(c: CommandSpec, globals: FlagSpec[], fn: string): string {
  if (c.subcommands.length === 0) return choose([], c.flags, globals, fn, 'argument', c.positional)
  const subs: [string, string][] = c.subcommands.map((s) => [s.name, s.description])
  const inner = c.subcommands.map((s) => `${[s.name, ...s.aliases].join('|')}) ${choose([], [...c.flags, ...s.flags], globals, fn, 'argument', s.positional)} ;;`).join(' ')
  return `case "$sub" in "") ${choose(subs, c.flags, globals, fn, 'subcommand')} ;; ${inner} esac`
}

/** Flags (with descriptions) when the word starts with "-", else the words or the positional value. */
function choose(words: [string, string][], flags: FlagSpec[], globals: FlagSpec[], fn: string, tag: string, positional?: ValueKind): string {
  const flagItems = [...flags, ...globals].flatMap((f) => spellings(f).map((s) => shQuote(`${s}:${oneLine(f.description)}`)))
  const flagPart = `items=( ${flagItems.join(' ')} ); _describe -t options option items`
  let wordPart = ':'
  if (words.length) wordPart = `items=( ${words.map(([w, d]) => shQuote(`${w}:${oneLine(d)}`)).join(' ')} ); _describe -t ${tag}s ${tag} items`
  else if (positional) wordPart = complete(positional, fn)
  return `if [[ "$cur" == -* ]]; then ${flagPart}; else ${wordPart}; fi`
}

function complete(v: ValueKind, fn: string): string {
  switch (v.kind) {
    case 'profile':
      return `${fn}_profiles`
    case 'choices':
      return `compadd -- ${v.values.map(shQuote).join(' ')}`
    case 'file':
      return `_files`
    case 'free':
      return ':'
  }
}
