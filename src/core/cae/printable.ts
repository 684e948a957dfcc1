/**
 * Text from a server or a paste made safe for a terminal: control characters (ESC above all),
 * DEL, C1 controls and bidi overrides become `\uXXXX`. Pure.
 * @module
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const UNSAFE_FOR_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const escape = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

/** Every unsafe character as a `\uXXXX` escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape)
}

/** JSON.stringify, with the characters it leaves raw (DEL, C1, bidi) escaped too: same JSON value. */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_FOR_JSON, escape)
}
