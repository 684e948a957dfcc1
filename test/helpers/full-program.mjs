// bin/tokentool.cjs without the start-up fast path: the full commander program for every line.
// test/cli/fast-path.test.ts runs both on the same lines and compares what they print.
import { runProcess } from '../../dist/bundle/process.js'
process.exitCode = await runProcess()
