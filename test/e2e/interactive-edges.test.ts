/**
 * Edges of the interactive menu in a real terminal (node-pty, the built binary): a quoted paste
 * at the masked prompt, what the banner promises about Enter, and a menu left with Esc being
 * erased rather than left on screen looking live.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { KEY, startPty, type PtySession } from '../helpers/pty.js'
import { rawJws } from '../helpers/jwt-fixtures.js'

const token = rawJws({ alg: 'RS256', typ: 'JWT' }, { iss: 'https://login.example', sub: 'user-42', aud: 'api://orders' })

const opened: PtySession[] = []
function pty(args: string[]): PtySession {
  const t = startPty(args)
  opened.push(t)
  return t
}
afterAll(() => {
  for (const t of opened) t.kill()
})

describe('interactive edges', () => {
  for (const [name, q] of [['double', '"'], ['single', "'"]] as const) {
    it(`a token pasted in ${name} quotes at the masked prompt is read with the quotes dropped`, { timeout: 60_000 }, async () => {
      const t = pty(['inspect'])
      await t.waitFor(/Paste the token/)
      t.mark()
      t.type(`${q}${token}${q}` + KEY.enter)
      await t.waitFor(/what next\?/)
      const seen = t.sinceMark()
      expect(seen).not.toMatch(/remove the quotes/)
      expect(seen).toContain(`(${token.length} chars)`) // the length without the quotes
      expect(seen).toMatch(/user-42/)
      t.type(KEY.ctrlC)
      expect(await t.exited).toBe(130)
    })
  }

  it('the banner says Enter accepts a default, Enter does take it; a prompt left with Esc is erased', { timeout: 60_000 }, async () => {
    const t = pty([])
    await t.waitFor(/what do you want to do\?[\s\S]*Quit/)
    expect(t.screen()).toContain('Esc goes back, Enter accepts a (default), Ctrl-C leaves.')
    expect(t.screen()).not.toMatch(/empty answer goes back/)
    await t.choose('Simulate an expiry policy')
    await t.waitFor(/Which expiry policy\?/)
    t.mark()
    t.type(KEY.enter)
    await t.waitFor(/Access token lifetime \(1h\)/)
    t.mark()
    t.type(KEY.enter) // an empty answer at a prompt showing (1h): the default is taken, not "back"
    await t.waitFor(/When is the user active\?[\s\S]*All the time/)
    expect(t.sinceMark()).toMatch(/Access token lifetime 1h/)
    expect(t.sinceMark()).not.toMatch(/Main menu/)

    const from = t.raw().length
    t.mark()
    t.type(KEY.esc)
    await t.waitFor(/Main menu/)
    // the abandoned prompt's lines (its ❯ and key hints) are erased, line by line, before the
    // cursor is given back; left there they would look like a live menu
    const left = t.raw().slice(from, t.raw().indexOf('Main menu', from))
    expect(left).toMatch(/(?:\x1b\[2K\x1b\[1A){3,}\x1b\[2K\x1b\[G\x1b\[\?25h/)
    t.type(KEY.ctrlC)
    expect(await t.exited).toBe(130)
  })
})
