#!/usr/bin/env node
// The entry: runs the start-up fast path (dist/start/<command>.cjs, see src/cli/start.ts) and, for
// every line that path does not take, the full program (dist/bundle/process.js). Nothing else.
// CommonJS on purpose: an ES module entry starts Node's ES module loader, which a decode does
// not need (bench/README.md). Named .cjs, not .js under a package.json that says commonjs:
// Node.js reads the package.json scope of a .js file twice to learn its module type (to choose
// the loader, then to compile it), 0.8 M instructions of each start.
'use strict'
// built-ins through process.getBuiltinModule (Node >= 20.16; package.json asks >= 20.19), not
// require: a first require() compiles the CommonJS loader's require path, 0.35 M instructions
// of a start, and each further built-in's 0.1 M more (bench/README.md, session 10)
const { readFileSync } = process.getBuiltinModule('node:fs')
const { dirname } = process.getBuiltinModule('node:path')
const { Script } = process.getBuiltinModule('node:vm')
/** The require the bundles get: their built-ins as bin's own, packages (jose, chalk) from node_modules. */
const bundleRequire = (id) => (id.startsWith('node:') ? process.getBuiltinModule(id) : require(id))

/** The package's root: bin/.. (dirname, not join: path.join's first call costs a start 0.6 M instructions). */
const ROOT = dirname(__dirname)

/** The fast path's commands, each in a bundle of its own (scripts/build.js). */
const FAST_COMMANDS = ['decode', 'token', 'git-credential', 'verify']

/**
 * Compiles and runs one CommonJS bundle of dist/ with the V8 code cache made for it at build
 * time (scripts/code-cache.js): dist/start/<command>.cjs here, and the verify --batch worker's
 * bundle in each worker thread (dist/bundle/verify-worker.cjs requires this file for it). Node
 * 20 has no module compile cache (module.enableCompileCache came in 22.1), so this is
 * vm.Script's cachedData; a cache V8 rejects (another Node.js version, another build) is ignored
 * and the file compiles as usual. import() has no loader in such a script: the bundles require
 * their lazily loaded packages instead (scripts/build.js). Returns its exports and the script.
 */
function loadCached(file, { cache = true } = {}) {
  let cachedData
  if (cache) {
    try {
      cachedData = readFileSync(`${file}.cache`)
    } catch {
      // no cache (a build without one): compile as usual
    }
  }
  // the file is the function to compile, wrapper and all (scripts/build.js's SCRIPT_WRAPPER).
  // Latin-1: the bundles are ASCII (scripts/build.js checks), and Latin-1 is one byte to one
  // character, where UTF-8 must be decoded (1.2 M instructions for a decode's bundle)
  const source = readFileSync(file).toString('latin1')
  const script = new Script(source, { filename: file, cachedData })
  const mod = { exports: {} }
  // this file's require, built-ins aside: the bundles require only built-ins and packages, which
  // resolve from bin/ as from dist/ (the same node_modules above both), and node:module's
  // createRequire would cost every start 0.75 M instructions
  script.runInThisContext().call(mod.exports, mod.exports, bundleRequire, mod, file, dirname(file))
  return { exports: mod.exports, script }
}

/** dist/start/<command>.cjs: its `start` and the compiled script. */
function loadStart(command, { cache = true } = {}) {
  const { exports, script } = loadCached(`${ROOT}/dist/start/${command}.cjs`, { cache })
  return { start: exports.start, handedOverStdin: exports.handedOverStdin, script }
}

/**
 * `verify --batch`'s worker threads (src/cli/commands/verify-pool.ts), started before the full
 * program loads so that they boot meanwhile; the pool takes them (or, when the line turns out
 * to be something else, they are unreferenced and the process exits without them). Options as
 * the pool's own.
 */
function prestartVerifyWorkers() {
  const { availableParallelism } = require('node:os')
  const { existsSync } = require('node:fs')
  const script = `${ROOT}/dist/bundle/verify-worker.cjs`
  const cores = availableParallelism()
  if (cores < 2 || !existsSync(script)) return
  const { SHARE_ENV, Worker } = require('node:worker_threads')
  const workers = Array.from({ length: cores }, () => {
    const w = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 8 }, env: SHARE_ENV, trackUnmanagedFds: false })
    w.unref()
    // a worker that fails to start is replaced by the pool (it checks threadId)
    w.on('error', () => {})
    return w
  })
  globalThis[Symbol.for('tokentool.verifyWorkers')] = workers
}

async function main() {
  // the fast path takes only `decode`, `token`, `git-credential get` and `verify --batch` lines:
  // any other does not even load it. A batch's workers start first, booting while either path loads.
  const argv = process.argv.slice(2)
  // the first word that names one: a line whose command is another (a flag's value named it)
  // is handed over by that bundle, which holds no other command's code
  const command = argv.find((a) => FAST_COMMANDS.includes(a))
  const batch = command === 'verify' && argv.includes('--batch')
  if (batch) prestartVerifyWorkers()
  const fast = command !== undefined && (command !== 'verify' || batch) ? loadStart(command) : undefined
  const code = fast ? await fast.start(argv) : undefined
  if (code !== undefined) return code
  const { runProcess } = await import('../dist/bundle/process.js')
  // what the fast path read of stdin before handing the run over (git's request) is read again
  return runProcess({ stdin: fast?.handedOverStdin() })
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code
  })
} else {
  module.exports = { loadStart, loadCached }
}
