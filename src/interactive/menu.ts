/**
 * The interactive debugger: `tokentool` with no arguments in a terminal. A main menu of every
 * flow; each flow asks only for what it needs and runs the subcommand's own logic. Esc goes back a level
 * (so does an empty answer where no default is shown; Enter takes a shown default); Ctrl-C
 * anywhere leaves with exit 130 (cli/main).
 * @module
 */
import type { Deps } from '../deps.js'
import { validateProfileName } from '../store/paths.js'
import { caeFlow } from './cae.js'
import { inspectFlow } from './inspect.js'
import { callFlow, loginFlow, refreshFlow } from './login.js'
import { profilesFlow } from './profiles.js'
import { BACK, createPrompter, type Prompter } from './prompter.js'
import { Session, type CommandRunner, type KnownToken } from './session.js'
import { simulateFlow } from './simulate.js'
import { verifyFlow } from './verify.js'
import { tokenFlow } from './token.js'
import { exchangeFlow } from './exchange.js'
import { introspectFlow } from './introspect.js'
import { explainFlow } from './explain.js'
import { statusFlow } from './status.js'
import { userinfoFlow } from './userinfo.js'

export interface MenuOptions {
  profile: string
  run: CommandRunner
  /** Global options to pass to every command run (`--no-color`, `-v`). */
  globals?: string[]
  /** The names of the commands the program has (the menu shows an entry only when its command exists). */
  commands: readonly string[]
  prompter?: Prompter
}

type Entry = { name: string; value: string; when?: (s: Session) => boolean; flow: (s: Session) => Promise<void> }

const ENTRIES: Entry[] = [
  { name: 'Inspect a token', value: 'inspect', flow: (s) => inspectFlow(s) },
  { name: 'Verify a token', value: 'verify', flow: verifyFlow },
  { name: 'Log in', value: 'login', flow: loginFlow },
  { name: 'Refresh the tokens', value: 'refresh', flow: (s) => refreshFlow(s) },
  { name: 'Get a token (client credentials)', value: 'token', when: (s) => s.has('token'), flow: tokenFlow },
  { name: 'Exchange a token (RFC 8693)', value: 'exchange', when: (s) => s.has('exchange'), flow: (s) => exchangeFlow(s) },
  { name: 'Introspect or revoke a token', value: 'introspect', when: (s) => s.has('introspect') || s.has('revoke'), flow: (s) => introspectFlow(s) },
  { name: 'Call an API with the access token', value: 'call', when: (s) => s.has('call'), flow: callFlow },
  { name: 'Explain why the API said no (401/403)', value: 'explain', when: (s) => s.has('explain'), flow: explainFlow },
  { name: 'Decode a CAE challenge (WWW-Authenticate)', value: 'cae', flow: caeFlow },
  { name: 'Simulate an expiry policy', value: 'simulate', flow: simulateFlow },
  { name: 'Show who is signed in (userinfo)', value: 'userinfo', when: (s) => s.has('userinfo'), flow: userinfoFlow },
  { name: 'Show the token status (status)', value: 'status', when: (s) => s.has('status'), flow: statusFlow },
  { name: 'Manage profiles', value: 'profiles', flow: profilesFlow },
]

/** Runs the main menu until Quit (resolves) or Ctrl-C (rejects with ExitPromptError). */
export async function runMenu(deps: Deps, opts: MenuOptions): Promise<void> {
  validateProfileName(opts.profile) // a bad --profile is a usage error before any prompt, as for a command
  const s = new Session(deps, opts.prompter ?? createPrompter(deps.io), opts.profile, opts.run, opts.globals, opts.commands)
  s.prose([{ text: 'tokentool', style: s.style.bold }, { text: ' — interactive token debugger. Esc goes back, Enter accepts a (default), Ctrl-C leaves.', style: s.style.dim }])
  const entries = ENTRIES.filter((e) => !e.when || e.when(s))
  let last: string | undefined
  for (;;) {
    const pick = await s.prompt.select(
      `Main menu (profile ${s.profile}): what do you want to do?`,
      entries.map((e) => ({ name: e.name, value: e.value })),
      { back: 'Quit', ...(last ? { default: last } : {}) },
    )
    if (pick === BACK) return
    last = pick
    await entries.find((e) => e.value === pick)!.flow(s)
  }
}

/** `tokentool inspect [token]`: straight into the walk of one token; Back leaves. */
export async function runInspect(deps: Deps, opts: MenuOptions, token: KnownToken | undefined): Promise<void> {
  const s = new Session(deps, opts.prompter ?? createPrompter(deps.io), opts.profile, opts.run, opts.globals, opts.commands)
  await inspectFlow(s, token)
}
