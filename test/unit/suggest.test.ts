import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { suggest } from '../../src/core/suggest.js'

describe('suggest', () => {
  it('names the word a typo most likely meant', () => {
    expect(suggest('lst', ['list', 'show', 'remove', 'rm'])).toBe('list')
    expect(suggest('decod', ['decode', 'verify', 'discover'])).toBe('decode')
    expect(suggest('zhs', ['bash', 'zsh', 'fish'])).toBe('zsh')
    expect(suggest('--isuer', ['--issuer', '--iss', '--aud'])).toBe('--issuer')
    expect(suggest('introspct', ['introspect', 'inspect'])).toBe('introspect')
  })

  it('says nothing when no candidate is close', () => {
    expect(suggest('powershell', ['bash', 'zsh', 'fish'])).toBeUndefined()
    expect(suggest('x', ['decode', 'verify'])).toBeUndefined()
    expect(suggest('anything', [])).toBeUndefined()
  })

  it('a candidate typed exactly is always its own suggestion; any input gives a candidate or nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 8 }), fc.string(), (cands, w) => {
        const r = suggest(w, cands)
        expect(r === undefined || cands.includes(r)).toBe(true)
        expect(suggest(cands[0]!, cands)?.toLowerCase()).toBe(cands[0]!.toLowerCase())
      }),
    )
  })
})
