/** `--json`: exactly one JSON document on stdout, with characters that could drive a terminal escaped. @module */
import type { IOStreams } from '../io-streams.js'
import { safeJson } from '../core/printable.js'

export function writeJson(io: Pick<IOStreams, 'out'>, value: unknown): void {
  io.out.write(safeJson(value, 2) + '\n')
}

/** `--batch`: one JSON document per line (NDJSON). */
export function writeJsonLine(io: Pick<IOStreams, 'out'>, value: unknown): void {
  io.out.write(safeJson(value) + '\n')
}
