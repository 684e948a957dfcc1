/**
 * What a CLI run loads: every npm package, file of ours and Node.js built-in module.
 * A preload (`NODE_OPTIONS=--import=<loaderImport()>`) reports on stderr
 * - `LOADED <url>` for each file under node_modules, whether reached by an ES module import
 *   (a resolve hook) or by require (a wrapper of Module._load: the CommonJS fast path and
 *   require(esm) do not pass the resolve hooks);
 * - `MODULE <url>` for each of tokentool's own files loaded as a module (same two ways);
 * - `BUILTINS a,b,...` at exit: the built-in modules Node loaded (process.moduleLoadList),
 *   beyond those a bare `node -e 0` loads as well.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const REPORT = `const report = (url) => { if (url.includes('/node_modules/')) process.stderr.write('LOADED ' + url + '\\n'); else if (url.startsWith('file:')) process.stderr.write('MODULE ' + url + '\\n') }`

/** A module to pass as `NODE_OPTIONS=--import=<it>`. */
export function loaderImport(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-loads-'))
  const hooks = join(dir, 'hooks.mjs')
  writeFileSync(hooks, `${REPORT}\nexport async function resolve(s, c, next) { const r = await next(s, c); report(r.url); return r }\n`)
  const reg = join(dir, 'register.mjs')
  writeFileSync(
    reg,
    `import { createRequire, register } from 'node:module'
import { pathToFileURL } from 'node:url'
${REPORT}
register(${JSON.stringify(pathToFileURL(hooks).href)})
const Module = createRequire(import.meta.url)('node:module')
const load = Module._load
Module._load = function (request, parent, isMain) {
  if (!request.startsWith('node:')) {
    try { report(pathToFileURL(Module._resolveFilename(request, parent, isMain)).href) } catch {}
  }
  return load.apply(this, arguments)
}
const atStart = new Set(process.moduleLoadList)
process.on('exit', () => {
  const added = process.moduleLoadList.filter((m) => !atStart.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))
  process.stderr.write('BUILTINS ' + added.join(',') + '\\n')
})
`,
  )
  return reg
}

/** The sorted package names the hook reported. */
export const packagesLoaded = (stderr: string): string[] =>
  [...new Set([...stderr.matchAll(/^LOADED .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]!))].sort()

/** tokentool's own files loaded as modules, as paths from the repository root (`dist/bundle/process.js`). */
export const ownModulesLoaded = (stderr: string, root: string): string[] =>
  [...new Set([...stderr.matchAll(/^MODULE (.*)$/gm)].map((m) => decodeURIComponent(new URL(m[1]!).pathname)))].map((p) => (p.startsWith(root + '/') ? p.slice(root.length + 1) : p)).sort()

/** Node.js built-ins the run loaded after start-up (public names such as `net`, and internal ones). */
export function builtinsLoaded(stderr: string): string[] {
  const m = /^BUILTINS (.*)$/m.exec(stderr)
  if (!m) throw new Error('no BUILTINS line: was the run started with loaderImport()?')
  return m[1] === '' ? [] : m[1]!.split(',')
}

/**
 * A preload (`NODE_OPTIONS=--require=<it>`) that reports only the `BUILTINS` line (read it with
 * builtinsLoaded). loaderImport's module hooks load node:net and the stream machinery in the main
 * thread before the run starts, so its list cannot show a run loading them; this one loads nothing.
 */
export function builtinsPreload(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tokentool-builtins-')), 'builtins.cjs')
  writeFileSync(
    file,
    `const atStart = new Set(process.moduleLoadList)
process.on('exit', () => {
  const added = process.moduleLoadList.filter((m) => !atStart.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))
  require('node:fs').writeSync(2, 'BUILTINS ' + added.join(',') + '\\n')
})
`,
  )
  return file
}
