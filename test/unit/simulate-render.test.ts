import { describe, expect, it } from 'vitest'
import { Chalk } from 'chalk'
import { simulate } from '../../src/core/simulate/simulate.js'
import { activityOf } from '../../src/core/simulate/policy.js'
import { renderTimeline } from '../../src/render/timeline-chart.js'
import { MAX_ROWS, renderEventTable, renderSimulation } from '../../src/render/simulate-table.js'

const plain = new Chalk({ level: 0 })
const chart = (flags: Parameters<typeof simulate>[0], width: number) => {
  const r = simulate(flags)
  return renderTimeline({ session: r.session, active: activityOf(r.policy), horizon: r.policy.horizon }, { width, style: plain })
}

describe('timeline chart', () => {
  it('enterprise with a break, at 80 columns', () => {
    expect(chart({ preset: 'enterprise', active: '0-3h,5h-9h' }, 80)).toMatchInlineSnapshot(`
      "from login    0            1h           2h           3h           4h
                    +------------+------------+------------+------------+------------+
      active        ########################################..........................
      refresh token ====================================================
      access token  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
      events        L           R            R            R             E            !
                    # active  . idle  = refresh token valid  ~ access token valid
                    E session end  ! log in again  L login  R refresh
                    1 column = 4m33s
      "
    `)
  })

  it('e-government revoked at 2h30m, at 60 columns', () => {
    expect(chart({ preset: 'e-government', revokeAt: '2h30m' }, 60)).toMatchInlineSnapshot(`
      "from login    0              1h              2h
                    +--------------+---------------+--------------
      active        ##############################################
      refresh token =======================================
      access token  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
      events        L              R              R       XE     !
                    # active  . idle  = refresh token valid
                    ~ access token valid  E session end
                    X revocation  ! log in again  L login
                    R refresh  1 column = 3m52s
      "
    `)
  })

  it('fits the width it is given, labels included, and never draws colour with a level-0 style', () => {
    for (const width of [40, 61, 80, 133, 200]) {
      const text = chart({ preset: 'consumer' }, width)
      for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(width)
      expect(text).not.toMatch(/\x1b\[/)
    }
  })

  it('a coloured style only adds colour: without escapes the text is the same', () => {
    const coloured = renderTimeline(
      (() => {
        const r = simulate({ preset: 'e-government' })
        return { session: r.session, active: activityOf(r.policy), horizon: r.policy.horizon }
      })(),
      { width: 80, style: new Chalk({ level: 1 }) },
    )
    expect(coloured).toMatch(/\x1b\[/)
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(chart({ preset: 'e-government' }, 80))
  })
})

describe('event table and summary', () => {
  it('lists every event of a short session with both expiries after it', () => {
    const r = simulate({ preset: 'e-government' })
    const table = renderEventTable(r.session, r.policy, { width: 80, style: plain })
    expect(table.split('\n').slice(0, 4)).toEqual([
      ' time  event                         access token expires  refresh token expires',
      '-----  ----------------------------  --------------------  ---------------------',
      '   0s  login                         1h                    1h',
      '  59m  refresh                       1h59m                 1h59m',
    ])
    expect(table).toContain('3h56m  refresh                       4h56m                 4h (absolute)')
    expect(table).toContain('   4h  session ends: absolute limit  4h56m                 4h (expired)')
    expect(table).toContain('4h55m  refresh fails: log in again')
    expect(table).toContain('4h56m  last access token expires     4h56m (expired)')
  })

  it('elides the middle of long lists and says how many rows it left out; --all shows them', () => {
    const r = simulate({ preset: 'consumer' })
    const table = renderEventTable(r.session, r.policy, { width: 80, style: plain })
    const rows = table.trimEnd().split('\n')
    expect(rows).toHaveLength(2 + MAX_ROWS + 1)
    expect(table).toContain(`... ${r.session.events.length - MAX_ROWS} more events not shown (--all or --json lists every event) ...`)
    const all = renderEventTable(r.session, r.policy, { width: 80, style: plain, all: true })
    expect(all.trimEnd().split('\n')).toHaveLength(2 + r.session.events.length)
  })

  it('explains the preset promise and the overhang', () => {
    const text = renderSimulation(simulate({ preset: 'e-government' }), { width: 200, style: plain })
    expect(text).toContain('5 token sets issued')
    expect(text).toContain('the policy table promises about 4 token sets')
    expect(text).toContain('4h / 59m = 4.07 rounds up to 5')
    expect(text).toContain('56m after the session ended')
  })

  it('puts the four revocation answers side by side', () => {
    const text = renderSimulation(simulate({ preset: 'enterprise', revokeAt: '2h30m', introspectionCache: '5m' }), { width: 80, style: plain })
    expect(text).toContain('Revocation at 2h30m: how long access goes on')
    expect(text).toMatch(/\(a\) self-contained JWT access tokens \(1h\) +28m {2}until 2h58m/)
    expect(text).toMatch(/\(b\) reference tokens, introspection cached 5m +5m {2}until 2h35m/)
    expect(text).toMatch(/\(c\) CAE, 1d4h tokens, enforced within 15m +15m {2}until 2h45m/)
    expect(text).toMatch(/\(d\) 1d4h tokens without CAE +1d1h30m {2}until 1d4h/)
  })
})

describe('summary wrapping', () => {
  it('wraps the summary values at the width with a hanging indent', () => {
    const text = renderSimulation(simulate({ preset: 'e-government' }), { width: 60, style: plain })
    const summary = text.split('\n\n')[0]!
    for (const line of summary.split('\n')) expect(line.length).toBeLessThanOrEqual(60)
    expect(summary).toMatch(/^Overhang {5}56m: the last access token \(issued at 3h56m\)\n {13}expires at 4h56m/m)
  })
})
