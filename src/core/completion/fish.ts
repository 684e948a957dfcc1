/**
 * The fish completion script (`tokentool completion fish`): one `complete` line per command,
 * subcommand and flag, with descriptions; flag values (profiles, presets, choices, files) and
 * profile names as arguments. Pure.
 * @module
 */
import { LIST_PROFILES_ARGS, oneLine, shQuote, type CompletionSpec, type FlagSpec, type ValueKind } from './spec.js'

export function fishScript(spec: CompletionSpec): string {
  const p = spec.program
  const profiles = `(command ${p} ${LIST_PROFILES_ARGS.join(' ')} 2>/dev/null)`
  const L: string[] = [`# ${p} completion for fish. Load it with:  ${p} completion fish | source`, `complete -c ${p} -f`]
  const names = spec.commands.flatMap((c) => [c.name, ...c.aliases]).join(' ')
  for (const f of spec.globals) L.push(flagLine(p, '', f, profiles))
  for (const c of spec.commands) {
    L.push(`complete -c ${p} -n '__fish_use_subcommand' -a ${shQuote(c.name)} -d ${shQuote(oneLine(c.description))}`)
    const seen = `__fish_seen_subcommand_from ${[c.name, ...c.aliases].join(' ')}`
    for (const f of c.flags) L.push(flagLine(p, seen, f, profiles))
    if (c.subcommands.length) {
      const subNames = c.subcommands.flatMap((s) => [s.name, ...s.aliases]).join(' ')
      for (const s of c.subcommands) {
        L.push(`complete -c ${p} -n ${shQuote(`${seen}; and not __fish_seen_subcommand_from ${subNames}`)} -a ${shQuote(s.name)} -d ${shQuote(oneLine(s.description))}`)
        const inSub = `${seen}; and __fish_seen_subcommand_from ${[s.name, ...s.aliases].join(' ')}`
        for (const f of s.flags) L.push(flagLine(p, inSub, f, profiles))
        if (s.positional) L.push(positionalLine(p, inSub, s.positional, profiles))
      }
    } else if (c.positional) {
      L.push(positionalLine(p, seen, c.positional, profiles))
    }
  }
  void names
  return L.join('\n') + '\n'
}

function flagLine(p: string, condition: string, f: FlagSpec, profiles: string): string {
  const parts = [`complete -c ${p}`]
  if (condition) parts.push(`-n ${shQuote(condition)}`)
  if (f.long) parts.push(`-l ${f.long.replace(/^--/, '')}`)
  if (f.short) parts.push(`-s ${f.short.replace(/^-/, '')}`)
  if (f.value) parts.push(...valueArgs(f.value, profiles))
  parts.push(`-d ${shQuote(oneLine(f.description))}`)
  return parts.join(' ')
}

function positionalLine(p: string, condition: string, v: ValueKind, profiles: string): string {
  return [`complete -c ${p}`, `-n ${shQuote(condition)}`, ...valueArgs(v, profiles)].join(' ')
}

function valueArgs(v: ValueKind, profiles: string): string[] {
  switch (v.kind) {
    case 'profile':
      return ['-x', `-a ${shQuote(profiles)}`]
    case 'choices':
      return ['-x', `-a ${shQuote(v.values.join(' '))}`]
    case 'file':
      return ['-r', '-F']
    case 'free':
      return ['-x']
  }
}
