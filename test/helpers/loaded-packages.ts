/** Which npm packages a CLI run loads: a resolve hook reports every node_modules URL on stderr. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A module to pass as `NODE_OPTIONS=--import=<it>`. */
export function loaderImport(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-loads-'))
  const hooks = join(dir, 'hooks.mjs')
  writeFileSync(hooks, `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('/node_modules/')) process.stderr.write('LOADED ' + r.url + '\\n'); return r }\n`)
  const reg = join(dir, 'register.mjs')
  writeFileSync(reg, `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
  return reg
}

/** The sorted package names the hook reported. */
export const packagesLoaded = (stderr: string): string[] =>
  [...new Set([...stderr.matchAll(/^LOADED .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]!))].sort()
