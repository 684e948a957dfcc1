import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { extractHeaderValues, parsePastedChallenges } from '../../src/core/cae/paste.js'
import { InputError } from '../../src/errors.js'

const CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0='
const VALUE = `Bearer realm="", error="insufficient_claims", claims="${CLAIMS}"`
const values = (raw: string) => extractHeaderValues(raw).map((v) => v.text)
const summary = (raw: string) => parsePastedChallenges(raw).map((c) => [c.scheme, ...c.params.map((p) => `${p.name}=${p.value}`)])

describe('extractHeaderValues: what people paste', () => {
  it('a bare value, with surrounding whitespace', () => {
    expect(values(`  ${VALUE}\n`)).toEqual([VALUE])
  })

  it('a whole header line, any case, also Proxy-Authenticate', () => {
    expect(values(`WWW-Authenticate: ${VALUE}`)).toEqual([VALUE])
    expect(values(`www-authenticate:${VALUE}`)).toEqual([VALUE])
    expect(values(`Proxy-Authenticate: Basic realm="p"`)).toEqual(['Basic realm="p"'])
  })

  it('the form libraries log: HTTP 401; Unauthorized WWW-Authenticate=Bearer ...', () => {
    expect(values(`HTTP 401; Unauthorized WWW-Authenticate=Bearer authorization_uri="", error="insufficient_claims", claims="${CLAIMS}"`)).toEqual([
      `Bearer authorization_uri="", error="insufficient_claims", claims="${CLAIMS}"`,
    ])
  })

  it('a response head: status line and other headers are left out, several WWW-Authenticate lines kept', () => {
    const head = [
      'HTTP/1.1 401 Unauthorized',
      'Content-Type: application/json; charset=utf-8',
      'WWW-Authenticate: Basic realm="legacy"',
      `WWW-Authenticate: ${VALUE}`,
      'Date: Mon, 02 Nov 2020 10:00:00 GMT',
      '',
    ].join('\r\n')
    expect(values(head)).toEqual(['Basic realm="legacy"', VALUE])
  })

  it('curl -i output: the body after the blank line is left out, up to the next response', () => {
    const out = [
      'HTTP/1.1 100 Continue',
      '',
      'HTTP/2 401',
      'content-type: application/json',
      `www-authenticate: ${VALUE}`,
      '',
      '{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge"}}',
      'Basic not="a header"',
    ].join('\r\n')
    expect(values(out)).toEqual([VALUE])
    expect(values('WWW-Authenticate: Basic realm="a"\n\nWWW-Authenticate: Basic realm="b"\n')).toEqual(['Basic realm="a"', 'Basic realm="b"'])
  })

  it('curl -v output: "<" response lines kept, ">" request and "*" info lines left out', () => {
    const curl = ['* Connected to graph.microsoft.com', '> GET /v1.0/me HTTP/2', '> authorization: Bearer eyJ0eXAi', '< HTTP/2 401', `< www-authenticate: ${VALUE}`].join('\n')
    expect(values(curl)).toEqual([VALUE])
  })

  it('HTTP/2 status line prefix on the same line', () => {
    expect(values(`HTTP/2 401 WWW-Authenticate: ${VALUE}`)).toEqual([VALUE])
  })

  it('several bare value lines are several values', () => {
    expect(summary('Basic realm="a"\nBearer error="invalid_token"')).toEqual([
      ['Basic', 'realm=a'],
      ['Bearer', 'error=invalid_token'],
    ])
  })

  it('typographic quotes and no-break spaces from documents', () => {
    expect(summary('Bearer\u00a0realm=\u201c\u201d, error=\u201cinsufficient_claims\u201d')).toEqual([['Bearer', 'realm=', 'error=insufficient_claims']])
  })

  it('a value in JSON string quotes (from a JSON log) or in single quotes', () => {
    expect(values(JSON.stringify(VALUE))).toEqual([VALUE])
    expect(values(`"WWW-Authenticate": ${JSON.stringify(VALUE)}`)).toEqual([VALUE])
    expect(values(`'${VALUE}'`)).toEqual([VALUE])
    expect(values(`{\n  "Content-Type": "text/plain",\n  "WWW-Authenticate": ${JSON.stringify(VALUE)},\n}`)).toEqual([VALUE])
  })

  it('a quoted string a terminal wrapped over two lines is joined; an indented line continues the header', () => {
    expect(values(`Bearer error="insufficient_claims", claims="${CLAIMS.slice(0, 30)}\n${CLAIMS.slice(30)}"`)).toEqual([
      `Bearer error="insufficient_claims", claims="${CLAIMS}"`,
    ])
    expect(values('WWW-Authenticate: Bearer realm="a",\n   error="invalid_token"')).toEqual(['Bearer realm="a", error="invalid_token"'])
  })

  it('an empty input, and a paste with no WWW-Authenticate among other headers, are InputErrors', () => {
    expect(() => values('  \n\n')).toThrow(InputError)
    expect(() => values('  \n\n')).toThrow('no WWW-Authenticate value given')
    expect(() => values('HTTP/1.1 401 Unauthorized\nContent-Length: 0')).toThrow('no WWW-Authenticate header among the pasted lines')
    expect(() => values('WWW-Authenticate:   ')).toThrow('has an empty value')
  })
})

describe('parsePastedChallenges: warnings point into the pasted text', () => {
  const warningsOf = (raw: string) => parsePastedChallenges(raw).flatMap((c) => c.warnings)

  it('a column counts from the start of the pasted line, not of the value', () => {
    const [c] = parsePastedChallenges('WWW-Authenticate: Bearer error "x"')
    expect(c!.params.map((p) => [p.name, p.value])).toEqual([['error', 'x']])
    expect(c!.warnings).toEqual(['column 32: expected "=" after parameter name "error", found "\\""'])
  })

  it('several lines name the line too', () => {
    const cs = parsePastedChallenges('HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm="a"\nWWW-Authenticate: Bearer realm="b" x=y\n')
    expect(cs.map((c) => c.params.map((p) => `${p.name}=${p.value}`))).toEqual([['realm=a'], ['realm=b', 'x=y']])
    expect(cs[1]!.warnings).toEqual(['line 3, column 36: expected "," or the end after the value of parameter "realm", found "x"'])
  })

  it('a warning at the end of the value is one column past its last character', () => {
    expect(warningsOf('Bearer realm=;')[0]).toMatch(/^column 14: /)
    expect(warningsOf('Bearer realm="x", scope=')).toEqual(['column 25: expected a value (a token or a quoted string) for parameter "scope", found the end'])
  })

  it('typographic quotes keep their columns', () => {
    expect(warningsOf('Bearer realm=\u201cx\u201d error=y')[0]).toMatch(/^column 18: /)
  })

  it('a header with no challenge at all is an error with its place; other headers still count', () => {
    expect(() => parsePastedChallenges('WWW-Authenticate: @@@')).toThrow(/^cannot parse WWW-Authenticate at column 19: /)
    const cs = parsePastedChallenges('WWW-Authenticate: @@@\nWWW-Authenticate: Bearer error="invalid_token"')
    expect(cs.map((c) => c.scheme)).toEqual(['Bearer'])
    expect(cs[0]!.warnings[0]).toMatch(/^line 1, column 19: expected an authentication scheme/)
  })

  it('reports where each challenge and param starts', () => {
    const [a, b] = parsePastedChallenges('WWW-Authenticate: Basic realm="a"\nWWW-Authenticate: Bearer realm="b", error=x')
    expect(a!.at).toBe('line 1, column 19')
    expect(b!.at).toBe('line 2, column 19')
    expect(b!.paramAt).toEqual(['line 2, column 26', 'line 2, column 37'])
  })

  it('any text ends in challenges or an InputError with a position', () => {
    const pasteish = fc.string({
      unit: fc.constantFrom(...'WW-Authenticate:HTTP/1.1 401;=Bearer realm"x",\\\n\r\t \u201c\u201d\u00a0<>*\''),
      maxLength: 80,
    })
    fc.assert(
      fc.property(fc.oneof(fc.string(), pasteish), (text) => {
        try {
          const cs = parsePastedChallenges(text)
          expect(cs.length).toBeGreaterThan(0)
          for (const c of cs) expect(c.at).toMatch(/^(line \d+, )?column \d+$/)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
          expect((e as Error).message).toMatch(/^(cannot parse WWW-Authenticate at (line \d+, )?column \d+: |no WWW-Authenticate|the WWW-Authenticate header at )/)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
