/**
 * The layering of src/ (docs: the architecture note), checked on the module graph: every
 * import — static, dynamic `import()`, `export … from`, type-only ones too, since a type import
 * is still a dependency of the layer — goes downward, and no module reaches itself again (no
 * import cycle, inside a folder or across). Core stays pure: no file, network or process
 * modules, no colour, no OAuth client. Only http/ loads undici, only render/ loads chalk.
 *
 * Layers, lowest first; a module may import its own folder or a lower layer only:
 *   core/, errors.ts, io-streams.ts, deps.ts   the pure base and the shapes everyone receives
 *   http/, store/                                sockets; token files (not each other)
 *   oauth/                                       the protocol, on http/ and store/
 *   render/                                      views of the results of the layers below
 *   interactive/                                 the menu, on render/ and below
 *   cli/                                         argv, commands, the program: the top
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

const RANK: Record<string, number> = { core: 0, errors: 0, 'io-streams': 0, deps: 0, http: 1, store: 1, oauth: 2, render: 3, interactive: 4, cli: 5 }

interface Edge {
  from: string
  to: string
  spec: string
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** Comments out, so that an example in a doc comment is not taken for an import. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

const IMPORT = /(?:^|[^.\w])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every import of every module of src/: relative ones resolved to files, packages by name. */
function graph(): { local: Edge[]; packages: Edge[]; files: string[] } {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f))
  const local: Edge[] = []
  const packages: Edge[] = []
  for (const from of files) {
    for (const m of code(readFileSync(join(SRC, from), 'utf8')).matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!
      if (!spec.startsWith('.')) {
        packages.push({ from, to: spec, spec })
        continue
      }
      const to = relative(SRC, resolve(dirname(join(SRC, from)), spec)).replace(/\.js$/, '.ts')
      local.push({ from, to, spec })
    }
  }
  return { local, packages, files }
}

const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, ''))

/** The cycles of the graph (Tarjan's strongly connected components of more than one module, or a self-import). */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let i = 0
  const visit = (v: string) => {
    index.set(v, i)
    low.set(v, i++)
    stack.push(v)
    onStack.add(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (next.get(v) ?? []).includes(v)) found.push(scc.sort())
    }
  }
  for (const v of next.keys()) if (!index.has(v)) visit(v)
  return found
}

describe('the module graph of src/', () => {
  const g = graph()

  it('is read: every relative import names a module that exists', () => {
    expect(g.files.length).toBeGreaterThan(150)
    expect(g.local.length).toBeGreaterThan(500)
    const missing = g.local.filter((e) => !g.files.includes(e.to)).map((e) => `${e.from}: ${e.spec}`)
    expect(missing).toEqual([])
  })

  it('has no import cycle', () => {
    expect(cycles(g.local)).toEqual([])
  })

  it('imports only downward: a module uses its own folder or a lower layer', () => {
    const layers = new Set(g.files.map(layerOf))
    // a new folder must be given its place here before it can be imported
    expect([...layers].filter((l) => !(l in RANK))).toEqual([])
    // the base (core, errors, the shared shapes) may use itself freely, short of a cycle
    const upward = g.local
      .filter((e) => layerOf(e.from) !== layerOf(e.to) && RANK[layerOf(e.to)]! >= RANK[layerOf(e.from)]! && RANK[layerOf(e.to)]! > 0)
      .map((e) => `${e.from} → ${e.to}`)
    expect(upward).toEqual([])
  })

  it('keeps core pure and each library in its room', () => {
    const pureOk = new Set(['jose', 'node:crypto', 'node:module', 'node:buffer', 'node:util', '@noble/hashes/sha2.js'])
    const impure = g.packages.filter((e) => layerOf(e.from) === 'core' && !pureOk.has(e.to)).map((e) => `${e.from} → ${e.to}`)
    expect(impure).toEqual([])
    const room = (pkg: RegExp, layers: string[]) => g.packages.filter((e) => pkg.test(e.to) && !layers.includes(layerOf(e.from))).map((e) => `${e.from} → ${e.to}`)
    expect(room(/^chalk$/, ['render'])).toEqual([])
    expect(room(/^@noble\/hashes/, ['core'])).toEqual([])
    expect(room(/^undici$/, ['http'])).toEqual([])
  })

  it('the checks would see a cycle and an upward import (the walk is not blind)', () => {
    const fake: Edge[] = [
      { from: 'cli/commands/inspect.ts', to: 'interactive/menu.ts', spec: '' },
      { from: 'interactive/menu.ts', to: 'cli/main.ts', spec: '' },
      { from: 'cli/main.ts', to: 'cli/commands/inspect.ts', spec: '' },
    ]
    expect(cycles(fake)).toEqual([['cli/commands/inspect.ts', 'cli/main.ts', 'interactive/menu.ts']])
    expect(RANK[layerOf('interactive/menu.ts')]! < RANK[layerOf('cli/main.ts')]!).toBe(true)
    expect(RANK[layerOf('core/profile-status.ts')]! < RANK[layerOf('store/tokens.ts')]!).toBe(true)
    expect([...code("import type { X } from './a.js'\nexport { y } from \"../b.js\"\nconst m = await import('./c.js')").matchAll(IMPORT)].map((m) => m[1] ?? m[2])).toEqual(['./a.js', '../b.js', './c.js'])
  })
})
