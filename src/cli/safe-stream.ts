/**
 * The last line of terminal defence, for output that is not a terminal's (a pipe, a file, a CI
 * log that a browser or `cat` will later render): every write passes the terminal-safety
 * escape, so that no control character, ESC, C1 or direction mark from outside data reaches
 * the log even where a view forgot to escape it. tokentool's own colour (SGR `ESC[…m`, only
 * with FORCE_COLOR off a terminal) is kept. On a terminal the views escape what they show
 * themselves (prompts and spinners there need the cursor).
 * @module
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const SGR = /\u001b\[[0-9;]*m/g
const esc = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

/** `text` with every unsafe character escaped; SGR colour sequences kept when `keepSgr`. */
export function terminalSafe(text: string, keepSgr: boolean): string {
  if (!keepSgr) return text.replace(UNSAFE, esc)
  let out = ''
  let last = 0
  for (const m of text.matchAll(SGR)) {
    out += text.slice(last, m.index).replace(UNSAFE, esc) + m[0]
    last = m.index + m[0].length
  }
  return out + text.slice(last).replace(UNSAFE, esc)
}

/** The same stream, its `write` filtered through `terminalSafe`; `keepSgr` asked at each write (colour is decided after start-up). */
export function guardStream<T extends NodeJS.WritableStream>(stream: T, keepSgr: () => boolean): T {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  const guarded = (chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? terminalSafe(chunk, keepSgr()) : chunk, ...rest)
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return guarded
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
}
