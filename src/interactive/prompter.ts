/**
 * The prompts of the interactive mode: @inquirer/prompts on the injected streams, with one
 * rule everywhere — Esc, the "Back" entry or an empty answer where no default is given returns
 * BACK (one level up); Enter on a prompt with a default takes the default;
 * Ctrl-C rejects with inquirer's ExitPromptError, which cli/main turns into exit 130.
 * @module
 */
import { emitKeypressEvents } from 'node:readline'
import { confirm, input, password, select, Separator } from '@inquirer/prompts'
import type { IOStreams } from '../deps.js'
import { styleFor } from '../render/style.js'

/** The answer of a prompt left with Esc, an empty answer or "Back". */
export const BACK: unique symbol = Symbol('back')
export type Back = typeof BACK

export interface Choice<T> {
  name: string
  value: T
  description?: string
}

export interface Prompter {
  select<T>(message: string, choices: readonly (Choice<T> | 'separator')[], opts?: { default?: T; back?: string | false }): Promise<T | Back>
  /** Free text; `validate` returns an error message or true. Empty → BACK unless a default is given. */
  input(message: string, opts?: { default?: string; validate?: (v: string) => string | true }): Promise<string | Back>
  /** Text not echoed (long tokens, secrets); the value is validated on Enter. */
  secret(message: string, opts?: { validate?: (v: string) => string | true }): Promise<string | Back>
  confirm(message: string, def?: boolean): Promise<boolean | Back>
}

/** The prompter on `io` (a terminal: raw mode and keypress events on `io.in`). */
export function createPrompter(io: IOStreams): Prompter {
  const context = { input: io.in, output: io.out }
  emitKeypressEvents(io.in as NodeJS.ReadStream)

  /**
   * Runs one prompt; Esc aborts it and the abort becomes BACK. An abandoned prompt is erased
   * (inquirer reads `clearPromptOnDone` when it settles, so it is set only on Esc): left on
   * screen, its ❯ and key hints would look live. An answered prompt keeps its ✔ line.
   */
  async function withEscape<T>(run: (ctx: typeof context & { signal: AbortSignal; clearPromptOnDone: boolean }) => Promise<T>): Promise<T | Back> {
    const ac = new AbortController()
    const ctx = { ...context, signal: ac.signal, clearPromptOnDone: false }
    const onKey = (_s: unknown, key: { name?: string } | undefined) => {
      if (key?.name !== 'escape') return
      ctx.clearPromptOnDone = true
      ac.abort()
    }
    io.in.on('keypress', onKey)
    try {
      return await run(ctx)
    } catch (e) {
      if (ac.signal.aborted && e instanceof Error && e.name === 'AbortPromptError') return BACK
      throw e
    } finally {
      io.in.removeListener('keypress', onKey)
    }
  }

  const style = styleFor(io)
  const live = (v: string, isFinal: boolean, check: (v: string) => string | true): string => {
    if (isFinal || v.trim() === '') return v
    return check(v.trim()) === true ? style.green(v) : style.red(v)
  }

  return {
    async select<T>(message: string, choices: readonly (Choice<T> | 'separator')[], opts: { default?: T; back?: string | false } = {}) {
      const list: (Choice<T | Back> | Separator)[] = choices.map((c) => (c === 'separator' ? new Separator() : c))
      if (opts.back !== false) list.push(new Separator(), { name: opts.back ?? '← Back', value: BACK })
      // the whole list when the terminal has room (the main menu's Quit is last), else a page that fits
      const rows = (io.out as { rows?: number }).rows
      const pageSize = Math.max(7, Math.min(list.length, rows !== undefined && rows > 10 ? rows - 4 : 20))
      return withEscape((ctx) => select<T | Back>({ message, choices: list, pageSize, loop: false, ...(opts.default !== undefined ? { default: opts.default } : {}) }, ctx))
    },
    async input(message, opts = {}) {
      const answer = await withEscape((ctx) =>
        input(
          {
            message,
            ...(opts.default !== undefined ? { default: opts.default } : {}),
            // feedback as it is typed: the answer turns green once it parses, red while it does not
            // (colour only; the reason is shown on Enter, and the text length stays what was typed)
            ...(opts.validate ? { transformer: (v: string, { isFinal }: { isFinal: boolean }) => live(v, isFinal, opts.validate!) } : {}),
            // empty is always accepted: it means "back"
            validate: (v: string) => (v.trim() === '' || !opts.validate ? true : opts.validate(v.trim())),
          },
          ctx,
        ),
      )
      if (answer === BACK || answer.trim() === '') return BACK
      return answer.trim()
    },
    async secret(message, opts = {}) {
      const answer = await withEscape((ctx) =>
        password(
          { message, validate: (v: string) => (v.trim() === '' || !opts.validate ? true : opts.validate(v.trim())) },
          ctx,
        ),
      )
      if (answer === BACK || answer.trim() === '') return BACK
      return answer.trim()
    },
    async confirm(message, def = true) {
      return withEscape((ctx) => confirm({ message, default: def }, ctx))
    },
  }
}
