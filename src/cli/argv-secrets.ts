/**
 * A secret typed on the command line is visible to every local user (`ps`, /proc/PID/cmdline)
 * and stays in shell history: one warning line on stderr naming the safer forms. Only the
 * real process's argv is looked at (the interactive menu hands commands its secrets
 * in-process, where no one else can see them). The value itself is never echoed.
 * @module
 */

/**
 * Flags whose value is a long-lived credential of an authorization server; a literal there is
 * worth a warning. (`--secret`, the HMAC key of verify/sign, is a test key far more often.)
 */
export const SECRET_FLAGS: readonly string[] = ['--client-secret', '--refresh-token']

/** Whether the value is one of the safer forms (a reference, or nothing to see). */
function isReference(value: string | undefined): boolean {
  return value === undefined || value === '' || value === '-' || value.startsWith('@') || value.startsWith('env:')
}

/** The flags in `argv` given a literal secret, in order, each once. */
export function literalSecretFlags(argv: readonly string[]): string[] {
  const found = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    const eq = a.indexOf('=')
    const name = eq > 0 ? a.slice(0, eq) : a
    if (!SECRET_FLAGS.includes(name)) continue
    const value = eq > 0 ? a.slice(eq + 1) : argv[i + 1]
    if (eq < 0) i++
    if (!isReference(value)) found.add(name)
  }
  return [...found]
}

/** `TOKENTOOL_NO_ARGV_WARNING=1` silences it (a single-user container, a test suite that means it). */
export function argvSecretWarning(argv: readonly string[], env: NodeJS.ProcessEnv = {}): string | undefined {
  if (env.TOKENTOOL_NO_ARGV_WARNING === '1') return undefined
  const flags = literalSecretFlags(argv)
  if (flags.length === 0) return undefined
  const first = flags[0]!
  return `tokentool: warning: a literal ${flags.join(' and ')} on the command line is visible to other local users (ps) and in shell history; use ${first} env:VAR, ${first} @FILE, or ${first} - to read it from stdin\n`
}
