/**
 * The one-line wording of system errors (src/core/errno-words.ts), which the store, files named
 * on the command line and stdout failures share. The errors here are Node.js's own, made by
 * asking the file system for what cannot be (a link loop, a file as a directory, a name over
 * NAME_MAX), so the codes are the ones a user meets.
 */
import { mkdtempSync, openSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { explainErrno } from '../../src/core/errno-words.js'

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('did not throw')
}

describe('explainErrno', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-errno-'))
  symlinkSync(join(dir, 'b'), join(dir, 'a'))
  symlinkSync(join(dir, 'a'), join(dir, 'b'))

  it("gives the system's words after the code, for errors Node.js really throws", () => {
    expect(explainErrno(thrown(() => readFileSync(join(dir, 'a'))))).toBe('ELOOP (too many levels of symbolic links)')
    expect(explainErrno(thrown(() => readFileSync('/etc/passwd/x')))).toBe('ENOTDIR (a path component is not a directory)')
    expect(explainErrno(thrown(() => readFileSync(join(dir, 'x'.repeat(300)))))).toBe('ENAMETOOLONG (the name is too long)')
    expect(explainErrno(thrown(() => readFileSync(dir)))).toBe('EISDIR (is a directory)')
    expect(explainErrno(thrown(() => openSync(join(dir, 'none'), 'r')))).toBe('ENOENT (no such file or directory)')
  })

  it('gives a code it has no words for as it is, and the message of an error without a code', () => {
    expect(explainErrno(Object.assign(new Error('x'), { code: 'EWHATEVER' }))).toBe('EWHATEVER')
    expect(explainErrno(new Error('the disk went away'))).toBe('the disk went away')
    expect(explainErrno('plain text')).toBe('plain text')
    expect(explainErrno(undefined)).toBe('undefined')
  })

  it("finds no words under a name of Object.prototype's members", () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      expect(explainErrno(Object.assign(new Error('m'), { code: name }))).toBe(name)
    }
  })

  it('is one line that starts with the code, for any code', () => {
    fc.assert(
      fc.property(fc.string(), (code) => {
        const text = explainErrno(Object.assign(new Error('m'), { code }))
        expect(text.startsWith(code)).toBe(true)
        expect(text.slice(code.length)).toMatch(/^( \([a-z/ -]+\))?$/)
      }),
    )
  })
})
