/**
 * Text from a token, a server or a paste made safe for a terminal: control characters (ESC above
 * all), DEL, C1 controls, and the invisible direction marks and overrides that can reorder what is
 * shown (Trojan Source, CVE-2021-42574) become `\uXXXX`. Pure.
 * @module
 */
const DIRECTION = '\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069'
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${DIRECTION}]`, 'g')
const UNSAFE_KEEP_NEWLINES = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f${DIRECTION}]`, 'g')
// what JSON.stringify leaves raw (it escapes the C0 controls itself)
const UNSAFE_FOR_JSON = new RegExp(`[\\u007f-\\u009f${DIRECTION}]`, 'g')

const escape = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

/** Every unsafe character as a `\uXXXX` escape, newlines included: one line of text. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape)
}

/** The same, for text shown over several lines: newlines stay (CRLF becomes LF), a tab is two spaces. */
export function printableLines(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE_KEEP_NEWLINES, (c) => (c === '\t' ? '  ' : escape(c)))
}

/** JSON.stringify, with the characters it leaves raw (DEL, C1, direction marks) escaped too: the same JSON value. */
export function safeJson(value: unknown, indent?: number): string {
  return escapeJsonText(JSON.stringify(value, null, indent))
}

/** JSON text (JSON.stringify's) with the characters it leaves raw escaped: the same JSON value. */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE_FOR_JSON, escape)
}
