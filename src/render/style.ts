/**
 * The one chalk instance a view uses: coloured only when the command's io allows it.
 * Only render/ knows colours.
 * @module
 */
import { Chalk, type ChalkInstance } from 'chalk'
import type { IOStreams } from '../cli/deps.js'

export function styleFor(io: Pick<IOStreams, 'color'>): ChalkInstance {
  return new Chalk({ level: io.color ? 1 : 0 })
}
