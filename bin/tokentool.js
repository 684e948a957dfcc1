#!/usr/bin/env node
// Thin entry: the built CLI does the work; this file only hands it the process.
// dist/bundle is one ES module per command (esbuild, code-split): fewer files to load at start-up.
import { runProcess } from '../dist/bundle/process.js'
process.exitCode = await runProcess()
