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

/** What was not conformant in a value the tolerant parser read anyway. */
export interface ParseWarning {
  /** 0-based index into the parsed text. */
  index: number
  reason: string
  /** Which challenge (0-based, in the result) it belongs to, when one. */
  challenge?: number
}

export interface TolerantParse {
  challenges: Challenge[]
  warnings: ParseWarning[]
}

/**
 * Parses a `WWW-Authenticate` (or `Proxy-Authenticate`) field value into its challenges.
 * Throws {@link WwwAuthenticateSyntaxError} (an InputError, exit 2) naming the first thing
 * that could not be parsed. {@link parseWwwAuthenticateTolerant} reads the same text the way
 * real clients must, with warnings instead.
 *
 * The hard part is a comma: it either separates two params of one challenge or starts a new
 * challenge. As in curl and the browsers, what follows decides: `token BWS "="` is another
 * param, anything else starts a challenge (a scheme is never followed by "=").
 *
 * @example parseWwwAuthenticate('Basic realm="x", Bearer error="invalid_token"')
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function parseWwwAuthenticate(text: string): Challenge[] {
  return new Parser(text, false).parse().challenges
}

/**
 * Reads what servers really send, keeping every challenge and parameter it can: unquoted
 * URLs and paths (`authorization_uri=https://...`, `realm=C:\...`), a missing comma, token68
 * mixed with params, a parameter after an empty list element (`Scheme , realm="x"` belongs to
 * `Scheme`), an unterminated quoted string. Each departure from RFC 9110 is a warning. Throws
 * {@link WwwAuthenticateSyntaxError} only when the text holds no challenge at all.
 */
export function parseWwwAuthenticateTolerant(text: string): TolerantParse {
  return new Parser(text, true).parse()
}

// where an unquoted value that is not a token ends: a comma or whitespace (or the end)
const isValueEnd = (c: string | undefined) => c === undefined || c === ',' || isWs(c)

class Parser {
  private pos = 0
  private readonly warnings: ParseWarning[] = []
  private out: Challenge[] = []
  /** The index in `out` of the challenge being read, for warnings. */
  private current = 0
  constructor(
    private readonly s: string,
    private readonly tolerant: boolean,
  ) {}

  parse(): TolerantParse {
    for (;;) {
      this.skipSeparators() // #rule: empty list elements and extra whitespace are allowed
      if (this.atEnd()) break
      const at = this.pos
      this.current = this.out.length
      const c = this.challenge(this.out[this.out.length - 1])
      if (c) this.out.push(c)
      if (this.pos === at) this.pos++ // never loop in place, whatever the input
    }
    if (this.out.length === 0) {
      const w = this.warnings[0]
      throw new WwwAuthenticateSyntaxError(w?.index ?? this.pos, w ? `${w.reason} (and no challenge could be read)` : 'expected an authentication scheme, found only commas and spaces')
    }
    return { challenges: this.out, warnings: this.warnings }
  }

  /** A challenge, or null when what was read joined the previous one (tolerant mode only). */
  private challenge(prev: Challenge | undefined): Challenge | null {
    const index = this.pos
    const scheme = this.token()
    if (scheme === '') {
      // junk after a challenge is told on that challenge (before any, on the next one)
      if (this.out.length > 0) this.current = this.out.length - 1
      this.problem(this.pos, `expected an authentication scheme (such as Bearer)${this.found()}`)
      this.skipJunk()
      return null
    }
    const challenge: Challenge = { scheme, params: [], index }
    const afterScheme = this.pos
    this.skipWs()
    if (this.peek() === '=' && prev) {
      // `Bearer realm=, error="x"`: "realm=" was read as a token68, which no param may follow
      const why = prev.token68?.endsWith('=')
        ? ` because "${prev.token68}" of the ${prev.scheme} challenge reads as a token68 (write an empty value as "")`
        : ''
      if (!this.tolerant) this.fail(index, `parameter "${scheme}" cannot start a challenge${why}`)
      // `Scheme , realm="x"`: an empty list element before the params is allowed (#rule);
      // after a token68 or params it is the "token68 mixed with params" of some servers
      this.current = this.out.length - 1
      if (prev.token68 !== undefined) this.warn(index, `parameter "${scheme}" follows the token68 of the ${prev.scheme} challenge; kept as a parameter of it`)
      this.pos = index
      this.params(prev)
      return null
    }
    if (this.peek() === '"' && prev && this.pos > afterScheme) {
      // `Bearer realm="", error "x"`: no challenge can go on with a quoted string
      this.current = this.out.length - 1
      this.problem(this.pos, `expected "=" after parameter name "${scheme}"${this.found()}`)
      prev.params.push({ name: scheme, value: this.quotedString(), quoted: true, index })
      if (this.afterValue(prev, scheme)) this.params(prev)
      return null
    }
    if (this.peek() === '=' && this.pos === afterScheme) {
      this.problem(index, `expected an authentication scheme (such as Bearer) before parameter "${scheme}"`)
      // kept under a challenge with no scheme, so that its error and claims can still be read
      const orphan: Challenge = { scheme: '', params: [], index }
      this.pos = index
      this.params(orphan)
      return orphan
    }
    if (this.atEnd() || this.peek() === ',') return challenge
    if (this.pos === afterScheme) this.problem(this.pos, `expected a space after the scheme "${scheme}"${this.found()}`)

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
      if (this.tolerant && isWs(this.s[end]) && this.looksLikeParam(after)) {
        // `Negotiate abc realm="x"`: a token68 then params, without the comma
        challenge.token68 = m[0]
        this.warn(this.pos, `token68 "${m[0]}" is followed by parameters; both kept`)
        this.pos = after
      } else if (this.tolerant && isWs(this.s[end]) && this.s[after] !== '"' && this.s[after] !== '=' && (!this.looksLikeParam(this.pos) || !TCHAR.test(this.s[after]!))) {
        // `Negotiate abc== ???`: the token68, and what follows read as what comes next
        challenge.token68 = m[0]
        this.pos = end
        this.warn(after, `expected "," or the end after the token68 of the ${scheme} challenge${this.found(after)}`)
        return challenge
      }
    }
    this.params(challenge)
    return challenge
  }

  /** Whether a param (`name BWS =`) starts at `at`. */
  private looksLikeParam(at: number): boolean {
    const save = this.pos
    this.pos = at
    const word = this.token()
    this.skipWs()
    const yes = word !== '' && this.peek() === '='
    this.pos = save
    return yes
  }

  private params(challenge: Challenge): void {
    for (;;) {
      const nameAt = this.pos
      const name = this.token()
      if (name === '') {
        this.problem(nameAt, `expected a parameter name of the ${challenge.scheme} challenge${this.found()}`)
        this.skipJunk()
        if (!this.continueParams()) return
        continue
      }
      this.skipWs()
      if (this.peek() !== '=') {
        this.problem(this.pos, `expected "=" after parameter name "${name}"${this.found()}`)
        if (this.peek() === '"') {
          challenge.params.push({ name, value: this.quotedString(), quoted: true, index: nameAt })
        } else {
          // a bare word: kept as a parameter without a value
          challenge.params.push({ name, value: '', quoted: false, index: nameAt })
        }
        if (!this.afterValue(challenge, name)) return
        continue
      }
      this.pos++
      this.skipWs()
      let value: string
      let quoted = false
      if (this.peek() === '"') {
        value = this.quotedString()
        quoted = true
      } else {
        const at = this.pos
        value = this.token()
        if (this.tolerant && !isValueEnd(this.peek())) {
          // Azure Storage `authorization_uri=https://...`, Azure Arc `realm=/var/opt/...`
          this.warn(this.pos, `the value of parameter "${name}" holds ${safeJson(this.peek())}, which needs quotes; read up to the next comma or space`)
          while (!isValueEnd(this.peek())) this.pos++
          value = this.s.slice(at, this.pos)
        } else if (value === '') {
          this.problem(this.pos, `expected a value (a token or a quoted string) for parameter "${name}"${this.found()}`)
        }
      }
      challenge.params.push({ name, value, quoted, index: nameAt })
      if (!this.afterValue(challenge, name)) return
    }
  }

  /** After a value: true when another param of this challenge follows (pos at its name). */
  private afterValue(_challenge: Challenge, name: string): boolean {
    this.skipWs()
    if (this.atEnd()) return false
    if (this.peek() !== ',') {
      this.problem(this.pos, `expected "," or the end after the value of parameter "${name}"${this.found()}`)
      // a missing comma: `name=` goes on with this challenge, a word then a space starts the next
      if (this.looksLikeParam(this.pos)) return true
      if (TCHAR.test(this.peek()!)) return false
      this.skipJunk()
      return this.continueParams()
    }
    return this.continueParams()
  }

  /** At a comma (or the end): look past the comma(s): `name =` continues this challenge, anything else starts the next. */
  private continueParams(): boolean {
    const save = this.pos
    this.skipSeparators()
    if (this.atEnd()) return false
    const isParam = this.looksLikeParam(this.pos)
    if (!isParam) this.pos = save
    return isParam
  }

  /** Tolerant recovery: skip what cannot be read up to the next comma or space. */
  private skipJunk(): void {
    const start = this.pos
    while (!this.atEnd() && this.peek() !== ',' && !isWs(this.peek())) {
      if (this.peek() === '"') this.quotedString(true)
      else this.pos++
    }
    if (this.pos === start && !this.atEnd()) this.pos++
  }

  private quotedString(quiet = false): string {
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
        if (this.pos + 1 >= this.s.length) {
          this.pos++
          break
        }
        out += this.s[this.pos + 1]
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    if (!quiet) this.problem(start, 'the quoted string that starts here has no closing quote (")')
    return out
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

  private found(at = this.pos): string {
    const c = this.s[at]
    if (c === undefined) return ', found the end'
    return `, found ${safeJson(c)}`
  }

  /** Strict: the error. Tolerant: a warning, and the caller recovers. */
  private problem(index: number, reason: string): void {
    if (!this.tolerant) this.fail(index, reason)
    this.warn(index, reason)
  }

  private warn(index: number, reason: string): void {
    this.warnings.push({ index, reason, challenge: this.current })
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
