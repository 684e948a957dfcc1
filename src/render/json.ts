/** `--json`: exactly one JSON document on stdout. @module */
import type { IOStreams } from '../cli/deps.js'

export function writeJson(io: Pick<IOStreams, 'out'>, value: unknown): void {
  io.out.write(JSON.stringify(value, null, 2) + '\n')
}

/** `--batch`: one JSON document per line (NDJSON). */
export function writeJsonLine(io: Pick<IOStreams, 'out'>, value: unknown): void {
  io.out.write(JSON.stringify(value) + '\n')
}
