/**
 * Which commands exist: a menu entry is shown only when its command is registered, so the
 * menu never offers what the command line cannot do.
 * @module
 */
import { COMMANDS } from '../cli/commands/registry.js'

export function hasCommand(name: string): boolean {
  return COMMANDS.some((c) => c.name === name)
}
