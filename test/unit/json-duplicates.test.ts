/**
 * duplicateMembers: names found twice in one object, by path, whatever the spacing and escapes;
 * and the count that lets verify skip that search (memberNameCount against memberCount).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { duplicateMembers, memberCount, memberNameCount } from '../../src/core/jwt/json-duplicates.js'

describe('duplicateMembers', () => {
  it('names each repeated member with its path', () => {
    expect(duplicateMembers('{"alg":"HS256","alg":"none"}')).toEqual(['alg'])
    expect(duplicateMembers('{"cnf":{"jkt":"a","jkt":"b"},"x":[{"y":1,"y":2}]}')).toEqual(['cnf.jkt', 'x[].y'])
    expect(duplicateMembers('{"a\\u0062":1, "ab" :2}')).toEqual(['ab'])
    expect(duplicateMembers('{"a":"\\"a\\":","b":{"a":1}}')).toEqual([])
    expect(duplicateMembers('{"é":1,\n\t"\\u00e9"\r\n:\u00a02}')).toEqual(['é'])
  })

  it('finds exactly the names an object lists twice, written in any JSON spacing and escaping', () => {
    const name = fc.constantFrom('a', 'b', 'é', '"', '\u2028', 'sub')
    const spelled = (n: string, escape: boolean) => (escape ? '"' + [...n].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('') + '"' : JSON.stringify(n))
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.boolean(), fc.constantFrom('', ' ', '\n\t ', '\r\n'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 8 }), (members) => {
        const json = `{${members.map(([n, esc, ws, v]) => `${ws}${spelled(n, esc)}${ws}:${ws}${JSON.stringify(v)}`).join(',')}}`
        JSON.parse(json)
        const seen = new Set<string>()
        const twice: string[] = []
        for (const [n] of members) {
          if (seen.has(n)) twice.push(n)
          seen.add(n)
        }
        // members' values may hold objects with repeats of their own (none: jsonValue's keys are unique)
        expect(duplicateMembers(json)).toEqual(twice)
      }),
    )
  })

  it('counts as many names as the parsed value has members exactly when no object repeats one', () => {
    const name = fc.constantFrom('a', 'b', 'é', '"', ':', '\\', 'sub')
    const spelled = (n: string, escape: boolean) => (escape ? '"' + [...n].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('') + '"' : JSON.stringify(n))
    type Node = { obj: [string, boolean, string, Node][] } | { arr: Node[] } | { leaf: unknown }
    const tree = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ leaf: fc.jsonValue({ maxDepth: 1 }) }),
        fc.record({ obj: fc.array(fc.tuple(name, fc.boolean(), fc.constantFrom('', ' ', '\n\t ', '\r\n'), tie('node')), { maxLength: 5 }) }),
        fc.record({ arr: fc.array(tie('node'), { maxLength: 3 }) }),
      ),
    }))
    const text = (n: Node): string =>
      'obj' in n ? `{${n.obj.map(([k, esc, ws, v]) => `${ws}${spelled(k, esc)}${ws}:${ws}${text(v)}`).join(',')}}` : 'arr' in n ? `[${n.arr.map(text).join(',')}]` : JSON.stringify(n.leaf)
    const object = { object: tree.node.map((n) => ('obj' in n ? n : { obj: [['a', false, '', n]] as [string, boolean, string, Node][] })) }
    fc.assert(
      fc.property(object.object, (root) => {
        const json = text(root)
        const parsed: unknown = JSON.parse(json)
        expect(memberNameCount(json) === memberCount(parsed)).toBe(duplicateMembers(json).length === 0)
      }),
      { numRuns: 500 },
    )
    expect(memberNameCount('{"a":1,"a":2}')).toBe(2)
    expect(memberCount({ a: 1 })).toBe(1)
    expect(memberNameCount('{"x":[{"y":"z:"},{"y" :1}],"w":{"v":"\\":"}}')).toBe(5)
    expect(memberCount(JSON.parse('{"x":[{"y":"z:"},{"y" :1}],"w":{"v":"\\":"}}'))).toBe(5)
  })
})
