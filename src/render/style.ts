/**
 * The one style instance a view uses: coloured only when the command's io allows it.
 * Only render/ knows colours.
 *
 * Without colour (a pipe, NO_COLOR, --no-color: the common case for scripts and for
 * `tokentool decode` start-up) chalk is not even loaded: a plain style that returns its
 * text unchanged stands in for it.
 * @module
 */
import type { ChalkInstance } from 'chalk'

type ChalkModule = typeof import('chalk')

let chalkModule: ChalkModule | undefined
function loadChalk(): ChalkModule {
  // require(esm) is on by default from Node 20.19 (engines), and keeps styleFor synchronous
  // node:module asked for here, when colour is on: importing it costs every start 0.75 M instructions
  chalkModule ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('chalk') as ChalkModule
  return chalkModule
}

/** A chalk look-alike at level 0: every style (and chain of styles) returns its text as is. */
const plain: ChalkInstance = new Proxy(function () {} as unknown as ChalkInstance, {
  get: (_target, prop) => (prop === 'level' ? 0 : plain),
  apply: (_target, _this, args: unknown[]) => args.join(' '),
})

export function styleFor(io: { color: boolean }): ChalkInstance {
  if (!io.color) return plain
  const { Chalk } = loadChalk()
  return new Chalk({ level: 1 })
}
