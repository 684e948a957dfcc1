/**
 * The streams a command writes to, and what is known about the terminal behind them. Below
 * both cli/ (which fills them from the process or a test) and render/ (which writes views to
 * them), so that rendering does not depend on the command layer.
 * @module
 */
export interface IOStreams {
  in: NodeJS.ReadableStream
  out: NodeJS.WritableStream
  err: NodeJS.WritableStream
  stdinIsTTY: boolean
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  /** Whether stdout may carry ANSI colour (decided once in cli/main from TTY, flags and env). */
  color: boolean
  /** Terminal width for tables and charts; 80 when unknown. */
  columns: number
}
