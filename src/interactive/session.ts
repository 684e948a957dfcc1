/**
 * What every flow of the interactive mode shares: the prompter, the profile in use, what the
 * session already knows (the issuer last used, the token just obtained or inspected), and
 * `run`, which runs a subcommand in this process exactly as if it had been typed — so the menu
 * shows the same views and never re-implements a command.
 * @module
 */
import type { Deps, IOStreams } from '../deps.js'
import { latestAccessToken } from '../store/tokens.js'
import { openStore } from '../store/store.js'
import { styleFor } from '../render/style.js'
import { wrapCommand, wrapText, type Span, type WrapOptions } from '../render/wrap.js'
import { looksLikeCompactJwt } from '../core/jwt/nested.js'
import type { Prompter } from './prompter.js'

/** Runs `tokentool <argv>` in-process (global options are added by Session.run) → exit code. */
export type CommandRunner = (argv: string[], io?: Partial<Pick<IOStreams, 'out' | 'err'>>) => Promise<number>

export interface KnownToken {
  text: string
  /** Where it came from: "pasted", "access token of profile ci", "claim act.token". */
  label: string
}

export class Session {
  lastIssuer: string | undefined
  /** The client id last typed, offered again (it need not be saved in the profile). */
  lastClientId: string | undefined
  lastToken: KnownToken | undefined

  constructor(
    readonly deps: Deps,
    readonly prompt: Prompter,
    public profile: string,
    private readonly runner: CommandRunner,
    /** Global options to pass on (`--no-color`, `-v`). */
    private readonly globals: string[] = [],
    /** The commands this tokentool has: a menu entry is offered only when its command exists. */
    private readonly commands: readonly string[] = [],
  ) {}

  /** Whether the command line has `name`, so the menu never offers what it cannot do. */
  has(name: string): boolean {
    return this.commands.includes(name)
  }

  get style() {
    return styleFor(this.deps.io)
  }

  say(text: string): void {
    this.deps.io.out.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /**
   * Prose for the user, wrapped to the terminal's width at spaces (render/wrap: never mid-word,
   * its text through the terminal-safety escape). `first`/`rest` as for wrapText.
   */
  prose(text: string | readonly Span[], opts: WrapOptions = {}): void {
    this.say(wrapText(text, this.deps.io.columns, opts).join('\n'))
  }

  /**
   * Runs a subcommand as typed, after showing the command line (tokens abbreviated, secrets
   * hidden: `secretArgs` are tokens, `hiddenArgs` client secrets) so
   * the user learns the flags for next time. Returns its exit code; its errors are already on
   * stderr as one line, like on the command line.
   */
  async run(args: string[], opts: { secretArgs?: readonly string[]; hiddenArgs?: readonly string[] } = {}): Promise<number> {
    const shown = args.map((a) => (opts.hiddenArgs?.includes(a) ? '****' : opts.secretArgs?.includes(a) ? shortToken(a) : /\s/.test(a) ? `'${a}'` : a))
    const profileArgs = this.profile === 'default' ? [] : ['--profile', this.profile]
    this.echo(`tokentool ${[...profileArgs, ...shown].join(' ')}`)
    const code = await this.runner([...this.globals, '--profile', this.profile, ...args])
    this.deps.io.out.write('\n')
    return code
  }

  /** Shows a command line dimmed, wrapped to the terminal between arguments (` \` continued). */
  echo(command: string): void {
    this.say(wrapCommand(command, this.deps.io.columns, { first: '$ ', rest: '    ' }).map((l) => this.style.dim(l)).join('\n'))
  }

  /** Runs a subcommand with its output going elsewhere (to read its --json), showing nothing. */
  async runQuiet(args: string[], io: Pick<IOStreams, 'out' | 'err'>): Promise<number> {
    return this.runner([...this.globals, '--profile', this.profile, ...args], io)
  }

  /** The profile's settings (issuer, client) or undefined. */
  async settings() {
    return openStore(this.deps).getSettings(this.profile)
  }

  async profileNames(): Promise<string[]> {
    return openStore(this.deps).listProfiles()
  }

  /** The issuer to offer: the one last used, else the profile's. */
  async knownIssuer(): Promise<string | undefined> {
    return this.lastIssuer ?? (await this.settings())?.issuer
  }

  /** Tokens stored in the profile, newest access token first, for "which token?" prompts. */
  async storedTokens(): Promise<KnownToken[]> {
    const tokens = await openStore(this.deps).getTokens(this.profile)
    const out: KnownToken[] = []
    const at = latestAccessToken(tokens)
    if (at) out.push({ text: at.accessToken, label: `access token of profile ${this.profile}` })
    if (tokens?.idToken) out.push({ text: tokens.idToken.value, label: `ID token of profile ${this.profile}` })
    return out
  }
}

/**
 * Enough to recognise a token, not enough to use it: a JWT keeps the start of its (public)
 * header and the last 4 characters (`eyJhbGciOiJS…Q3dA (1234 chars)`); anything else — an
 * opaque token is a whole credential however short — only its first 6 (`2YotnF… (22 chars)`).
 */
export function shortToken(text: string): string {
  if (looksLikeCompactJwt(text)) return `${text.slice(0, 12)}…${text.slice(-4)} (${text.length} chars)`
  return `${text.slice(0, 6)}… (${text.length} chars)`
}
