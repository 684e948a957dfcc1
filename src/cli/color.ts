/**
 * When stdout may carry colour: off when not a TTY, with `--no-color` or `NO_COLOR`;
 * `FORCE_COLOR` (other than 0) forces it on.
 * @module
 */
export function colorEnabled(o: { flag: boolean; isTTY: boolean; env: NodeJS.ProcessEnv }): boolean {
  if (!o.flag) return false
  if (o.env.NO_COLOR) return false
  const force = o.env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false'
  return o.isTTY
}
