/**
 * node:fs/promises for the store's writes, locks and listings, loaded when one first needs it.
 * Loading it costs a start 5 M instructions (it brings node:readline's interface with it), and
 * what most runs do with the store, read a file (a cached token, git's helper), is synchronous
 * (safe-fs.ts) and never needs it. An import at the top of the modules would load it at every
 * start that opens the store.
 * @module
 */
export function fsp(): typeof import('node:fs/promises') {
  return process.getBuiltinModule('node:fs/promises')
}
