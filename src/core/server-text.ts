/**
 * Text a server wrote (an `error_description`, an `error` code, a challenge's message) as
 * tokentool quotes it: the run's known secrets replaced first (so none is cut in half and
 * left as a long prefix), then cut to 300 characters. A 3 MB description is the server's
 * problem, not the terminal's. The terminal-safety escape is applied where it is written.
 * @module
 */
import { redactKnown } from './secret-values.js'

export const SERVER_TEXT_LIMIT = 300

export function quoteServerText(text: string, limit = SERVER_TEXT_LIMIT): string {
  const t = redactKnown(text)
  if (t.length <= limit) return t
  const chars = Array.from(t)
  if (chars.length <= limit) return t
  return `${chars.slice(0, limit).join('')}… (${chars.length - limit} more characters)`
}
