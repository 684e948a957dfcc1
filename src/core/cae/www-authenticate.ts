/**
 * A `WWW-Authenticate` field value parser to RFC 9110 §11.6.1 / §11.2: several challenges in
 * one value, token68 or auth-params, quoted strings with escapes, commas inside quotes. Pure.
 * @module
 */
import { InputError } from '../../errors.js'
import { safeJson } from '../printable.js'

/** One `name=value` of a challenge. `name` is as written; compare it case-insensitively. */
export interface AuthParam {
  name: string
  /** The value with quoted-string escapes resolved. */
  value: string
  /** Whether the value was sent as a quoted-string (it means the same either way). */
  quoted: boolean
  /** Index of the name in the parsed text. */
  index: number
}

export interface Challenge {
  /** The auth-scheme as written (`Bearer`, `basic`, ...); compare it case-insensitively. */
  scheme: string
  /** The token68 form (`Negotiate YIIB...`), when the challenge has one instead of params. */
  token68?: string
  params: AuthParam[]
  /** Index of the scheme in the parsed text. */
  index: number
}

/** Why and where a value could not be parsed; `index` is 0-based into the parsed text. */
export class WwwAuthenticateSyntaxError extends InputError {
  constructor(
    readonly index: number,
    readonly reason: string,
    /** How to name the place in the message; the paste layer passes "line 2, column 5". */
    where = `column ${index + 1}`,
  ) {
    super(`cannot parse WWW-Authenticate at ${where}: ${reason}`)
  }
}

// RFC 9110 §5.6.2 tchar
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
// RFC 9110 §11.2 token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y
const isWs = (c: string | undefined) => c === ' ' || c === '\t'

/** The value of the first param called `name` (case-insensitive), or undefined. */
export function paramValue(challenge: Pick<Challenge, 'params'>, name: string): string | undefined {
  const n = name.toLowerCase()
  return challenge.params.find((p) => p.name.toLowerCase() === n)?.value
}

/**
 * Parses a `WWW-Authenticate` (or `Proxy-Authenticate`) field value into its challenges.
 * Throws {@link WwwAuthenticateSyntaxError} (an InputError, exit 2) naming the first thing
 * that could not be parsed.
 *
 * The hard part is a comma: it either separates two params of one challenge or starts a new
 * challenge. As in curl and the browsers, what follows decides: `token BWS "="` is another
 * param, anything else starts a challenge (a scheme is never followed by "=").
 *
 * @example parseWwwAuthenticate('Basic realm="x", Bearer error="invalid_token"')
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function parseWwwAuthenticate(text: string): Challenge[] {
  return new Parser(text).parse()
}

class Parser {
  private pos = 0
  constructor(private readonly s: string) {}

  parse(): Challenge[] {
    const out: Challenge[] = []
    for (;;) {
      this.skipSeparators() // #rule: empty list elements and extra whitespace are allowed
      if (this.atEnd()) break
      out.push(this.challenge(out[out.length - 1]))
    }
    if (out.length === 0) this.fail(this.pos, 'expected an authentication scheme, found only commas and spaces')
    return out
  }

  private challenge(prev: Challenge | undefined): Challenge {
    const index = this.pos
    const scheme = this.token()
    if (scheme === '') this.fail(this.pos, `expected an authentication scheme (such as Bearer)${this.found()}`)
    const challenge: Challenge = { scheme, params: [], index }
    const afterScheme = this.pos
    this.skipWs()
    if (this.peek() === '=' && prev) {
      // `Bearer realm=, error="x"`: "realm=" was read as a token68, which no param may follow
      const why = prev.token68?.endsWith('=')
        ? ` because "${prev.token68}" of the ${prev.scheme} challenge reads as a token68 (write an empty value as "")`
        : ''
      this.fail(index, `parameter "${scheme}" cannot start a challenge${why}`)
    }
    if (this.peek() === '"' && prev && this.pos > afterScheme) {
      // `Bearer realm="", error "x"`: no challenge can go on with a quoted string
      this.fail(this.pos, `expected "=" after parameter name "${scheme}"${this.found()}`)
    }
    if (this.peek() === '=' && this.pos === afterScheme) {
      this.fail(index, `expected an authentication scheme (such as Bearer) before parameter "${scheme}"`)
    }
    if (this.atEnd() || this.peek() === ',') return challenge
    if (this.pos === afterScheme) this.fail(this.pos, `expected a space after the scheme "${scheme}"${this.found()}`)

    // token68 only when nothing but the end or a comma follows it; `realm=x` is a param.
    TOKEN68.lastIndex = this.pos
    const m = TOKEN68.exec(this.s)
    if (m) {
      const end = this.pos + m[0].length
      let after = end
      while (isWs(this.s[after])) after++
      if (after >= this.s.length || this.s[after] === ',') {
        challenge.token68 = m[0]
        this.pos = end
        return challenge
      }
    }
    this.params(challenge)
    return challenge
  }

  private params(challenge: Challenge): void {
    for (;;) {
      const nameAt = this.pos
      const name = this.token()
      if (name === '') this.fail(nameAt, `expected a parameter name of the ${challenge.scheme} challenge${this.found()}`)
      this.skipWs()
      if (this.peek() !== '=') this.fail(this.pos, `expected "=" after parameter name "${name}"${this.found()}`)
      this.pos++
      this.skipWs()
      let value: string
      let quoted = false
      if (this.peek() === '"') {
        value = this.quotedString()
        quoted = true
      } else {
        value = this.token()
        if (value === '') this.fail(this.pos, `expected a value (a token or a quoted string) for parameter "${name}"${this.found()}`)
      }
      challenge.params.push({ name, value, quoted, index: nameAt })

      this.skipWs()
      if (this.atEnd()) return
      if (this.peek() !== ',') this.fail(this.pos, `expected "," or the end after the value of parameter "${name}"${this.found()}`)
      // Look past the comma(s): `name =` continues this challenge, anything else starts the next.
      const save = this.pos
      this.skipSeparators()
      if (this.atEnd()) return
      const next = this.pos
      const word = this.token()
      this.skipWs()
      const isParam = word !== '' && this.peek() === '='
      this.pos = isParam ? next : save
      if (!isParam) return
    }
  }

  private quotedString(): string {
    const start = this.pos
    this.pos++ // opening DQUOTE
    let out = ''
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!
      if (c === '"') {
        this.pos++
        return out
      }
      if (c === '\\') {
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ): the next character stands for itself
        if (this.pos + 1 >= this.s.length) break
        out += this.s[this.pos + 1]
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    this.fail(start, 'the quoted string that starts here has no closing quote (")')
  }

  private token(): string {
    const start = this.pos
    while (this.pos < this.s.length && TCHAR.test(this.s[this.pos]!)) this.pos++
    return this.s.slice(start, this.pos)
  }

  private skipWs(): void {
    while (isWs(this.s[this.pos])) this.pos++
  }

  private skipSeparators(): void {
    while (isWs(this.s[this.pos]) || this.s[this.pos] === ',') this.pos++
  }

  private peek(): string | undefined {
    return this.s[this.pos]
  }

  private atEnd(): boolean {
    return this.pos >= this.s.length
  }

  private found(): string {
    const c = this.s[this.pos]
    if (c === undefined) return ', found the end'
    return `, found ${safeJson(c)}`
  }

  private fail(index: number, reason: string): never {
    throw new WwwAuthenticateSyntaxError(index, reason)
  }
}

/** True when `value` can be sent as a bare token. */
export function isToken(value: string): boolean {
  return value.length > 0 && [...value].every((c) => TCHAR.test(c))
}

/** A quoted-string for `value`: `"` and `\` escaped. */
export function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => '\\' + c)}"`
}

/** Serialises challenges back to a field value (quoted strings where needed). */
export function formatChallenges(challenges: readonly (Omit<Challenge, 'index' | 'params'> & { params: readonly Omit<AuthParam, 'index'>[] })[]): string {
  return challenges
    .map((c) => {
      if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`
      if (c.params.length === 0) return c.scheme
      const ps = c.params.map((p) => `${p.name}=${p.quoted || !isToken(p.value) ? quoteString(p.value) : p.value}`)
      return `${c.scheme} ${ps.join(', ')}`
    })
    .join(', ')
}
