/**
 * The built binary in a real pseudo-terminal (node-pty): type, press keys, read the screen
 * (ANSI stripped), wait for text with a polling deadline rather than sleeps.
 */
import { spawn, type IPty } from 'node-pty'
import { stripVTControlCharacters } from 'node:util'
import { BIN, tempHome } from './run-cli.js'

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', esc: '\x1b', ctrlC: '\x03' } as const

export interface PtySession {
  term: IPty
  home: string
  /** Everything written so far, as written (escape sequences included). */
  raw(): string
  /** Everything written so far, ANSI sequences removed. */
  screen(): string
  /** Output since the last `mark()`, ANSI removed. */
  sinceMark(): string
  mark(): void
  /** Waits until `re` matches the output since the last mark (default: all output). */
  waitFor(re: RegExp, opts?: { ms?: number; sinceMark?: boolean }): Promise<RegExpMatchArray>
  type(text: string): void
  /** Moves the select cursor to the first choice containing `label` (from the top) and presses Enter. */
  choose(label: string | RegExp): Promise<void>
  exited: Promise<number>
  kill(): void
}

export function startPty(args: string[], opts: { home?: string; env?: Record<string, string | undefined>; cols?: number } = {}): PtySession {
  const home = opts.home ?? tempHome()
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, TOKENTOOL_HOME: home, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env })) if (v !== undefined) env[k] = v
  const term = spawn(process.execPath, [BIN, ...args], { cols: opts.cols ?? 120, rows: 40, env, name: 'xterm-256color' })
  let raw = ''
  let markAt = 0
  term.onData((d) => (raw += d))
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)))
  const clean = (s: string) => stripVTControlCharacters(s).replace(/\r/g, '')
  const session: PtySession = {
    term,
    home,
    raw: () => raw,
    screen: () => clean(raw),
    sinceMark: () => clean(raw.slice(markAt)),
    mark: () => void (markAt = raw.length),
    async waitFor(re, o = {}) {
      const ms = o.ms ?? 30_000
      const deadline = Date.now() + ms
      for (;;) {
        const text = o.sinceMark === false ? session.screen() : session.sinceMark()
        const m = text.match(re)
        if (m) return m
        if (Date.now() > deadline) throw new Error(`no ${re} on the terminal within ${ms} ms; screen since mark:\n${text.slice(-4000)}`)
        await new Promise((r) => setTimeout(r, 40))
      }
    },
    type: (text) => term.write(text),
    async choose(label) {
      // the prompt's latest frame, complete (it ends with the key help), from its "? " line
      const frameNow = () => {
        // an erased line ends what was before it (a prompt left with Esc is erased and the next
        // one drawn in its place, with no newline between them in the byte stream)
        const screen = clean(raw.slice(markAt).replace(/\x1b\[2K/g, '\n'))
        const start = Math.max(screen.lastIndexOf('\n? '), screen.startsWith('? ') ? 0 : -1)
        const frame = screen.slice(start + 1)
        return start >= -1 && /navigate/.test(frame) ? frame : undefined
      }
      const deadline = Date.now() + 30_000
      let frame = frameNow()
      while (frame === undefined) {
        if (Date.now() > deadline) throw new Error(`no complete select prompt on the terminal:\n${session.sinceMark().slice(-3000)}`)
        await new Promise((r) => setTimeout(r, 40))
        frame = frameNow()
      }
      const lines = frame.split('\n').slice(1).filter((l) => /^(❯| ) \S/.test(l))
      const current = lines.findIndex((l) => l.startsWith('❯'))
      const target = lines.findIndex((l) => (typeof label === 'string' ? l.includes(label) : label.test(l)))
      if (target < 0) throw new Error(`no choice ${label} in:\n${frame}`)
      const steps = target - Math.max(0, current)
      session.mark()
      term.write((steps >= 0 ? KEY.down : KEY.up).repeat(Math.abs(steps)) + KEY.enter)
      // what follows is the answer's output: the prompt's re-renders while the cursor moved are behind the mark
      for (;;) {
        const done = raw.indexOf('✔', markAt)
        if (done >= 0) {
          markAt = done
          return
        }
        if (Date.now() > deadline) throw new Error(`the choice ${label} was not taken:\n${session.sinceMark().slice(-3000)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    exited,
    kill: () => term.kill(),
  }
  return session
}

/**
 * `startPty` for a test file whose sessions are all killed after its tests: returns the
 * starter; each session it starts is killed in `afterAll`.
 */
export function ptysKilledAfterAll(afterAll: (fn: () => void) => void): typeof startPty {
  const opened: PtySession[] = []
  afterAll(() => {
    for (const t of opened) t.kill()
  })
  return (args, opts) => {
    const t = startPty(args, opts)
    opened.push(t)
    return t
  }
}
