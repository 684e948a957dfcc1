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

// text that is safe as it is and one column a character: printable ASCII, Latin-1 and Latin
// Extended, general punctuation (the views' ·, …, –), arrows, box drawing and dingbats (→, ─, ✓).
// Most of what a view shows (claim names, URLs, dates, numbers, tokentool's own notes) is such
// text, and one test of it costs less than the replacements or a walk over the code points (a
// decode's start-up, bench/startup.js). None of these is in UNSAFE, nor wide or zero-width for
// render/wrap's charWidth: test/unit/printable.test.ts checks both.
const PLAIN = /^[\x20-\x7e\xa0-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u257f\u2700-\u27bf]*$/

/** Whether `text` is plain: shown as it is (nothing to escape), as many columns wide as it is long. */
export function isPlainText(text: string): boolean {
  return PLAIN.test(text)
}

/** Every unsafe character as a `\uXXXX` escape, newlines included: one line of text. */
export function printable(text: string): string {
  return PLAIN.test(text) ? text : text.replace(UNSAFE, escape)
}

/** The same, for text shown over several lines: newlines stay (CRLF becomes LF), a tab is two spaces. */
export function printableLines(text: string): string {
  if (PLAIN.test(text)) return text
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
