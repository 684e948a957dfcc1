#!/usr/bin/env node
// Thin entry: the built CLI does the work; this file only hands it the process.
import { runProcess } from '../dist/cli/process.js'
process.exitCode = await runProcess()
