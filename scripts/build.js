// `npm run build`: three esbuild passes and a code cache.
// 1. dist/: every src file transpiled as is (tests and benches import single modules from it).
// 2. dist/bundle/: the full program — one ES module per command (code-split), with commander
//    bundled in and every other package left in node_modules. Node 20 loads each ES module (and
//    each CommonJS file it reaches through ESM) with a cost of its own.
// 3. dist/start/<command>.cjs: what bin/tokentool.cjs runs first, one CommonJS file per command —
//    the start-up fast path for a plain `decode`, `token`, `git-credential get` or
//    `verify --batch` line (src/cli/start.ts; each bundle's entry is src/cli/start-<command>.ts,
//    FAST_COMMANDS below); bin/tokentool.cjs runs dist/bundle/process.js for every other line.
//    Start-up is the reason (bench/startup.js): a decode must start within 1.2x of a bare
//    `node`, and CommonJS skips Node's ES module loader.
//    In this bundle:
//    - commander is a stand-in whose classes hand over (below) if ever used: decode.ts,
//      token.ts and oauth-flags.ts import it only for their register(), which the fast path
//      never calls, so neither commander nor the node:child_process it loads is read;
//    - dynamic imports stay lazy (a decode does not evaluate the store or load node:crypto),
//      except those of src/oauth, src/http, src/interactive and other commands (the network:
//      the OAuth client for a refresh, undici; login for kubectl), each replaced by a module
//      that throws HandOver
//      (src/cli/handover.ts): the run goes on in the full program.
// 4. dist/start/<command>.cjs.cache and dist/bundle/verify-worker-bundle.cjs.cache: V8's code caches
//    of those files (scripts/code-cache.js).
// Whitespace and syntax are minified; names are kept, so --debug stack traces stay readable.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const common = { platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' }
const packages = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
const minify = { minifyWhitespace: true, minifySyntax: true }

// a clean dist/ each time: the bundle's chunk names change with their content, and old ones would pile up
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true })
await build({ ...common, entryPoints: ['src/**/*.ts'], outdir: 'dist', outbase: 'src' })

const BUNDLED = new Set(['commander'])
await build({
  ...common,
  ...minify,
  entryPoints: { process: 'src/cli/process.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  external: packages.filter((name) => !BUNDLED.has(name)),
  // commander is CommonJS: its require() of node builtins needs a real require in an ES module
  banner: { js: "import { createRequire as __tokentoolCreateRequire } from 'node:module'; const require = __tokentoolCreateRequire(import.meta.url);" },
})

/**
 * import.meta.url in a CommonJS bundle, worked out when asked: the code asks it only to require
 * what it loads late (chalk for colour, node:tty for a character device), and pathToFileURL at
 * the start cost each run ~1 M instructions.
 */
const IMPORT_META_URL = "var __tokentoolImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href } };"
/**
 * The CommonJS bundles bin/tokentool.cjs runs with their code cache (its loadCached) are written
 * as the function it compiles, wrapper and all: the file's text is the script's source as it
 * is, where a wrapper added at each start made V8 copy the whole source into one string again
 * (a 94 KB copy and its memory). Such a file is no module to require: only loadCached runs it.
 */
const SCRIPT_WRAPPER = { banner: `(function (exports, require, module, __filename, __dirname) {${IMPORT_META_URL}`, footer: '\n})' }

// 2b. dist/bundle/verify-worker-bundle.cjs: the verify --batch worker, one file with jose and
//    everything else it uses inside: each worker thread loads it at start, and one file loads in
//    a fraction of the time of jose's ~90 ES modules. CommonJS, as dist/start/*.cjs and for
//    the same reason: a worker whose script is an ES module starts Node's ES module loader first,
//    ~7 ms of each worker's start on the 2-core machine (bench/README.md). The workers start
//    dist/bundle/verify-worker.cjs (written below; verify-pool.ts and bin/tokentool.cjs find it
//    next to the chunks), which runs the bundle with its V8 code cache (step 4).
await build({
  ...common,
  ...minify,
  format: 'cjs',
  entryPoints: { 'verify-worker-bundle': 'src/cli/commands/verify-worker.ts' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  // render/style.ts asks import.meta.url for its require (chalk, never loaded in a worker)
  define: { 'import.meta.url': '__tokentoolImportMeta.url' },
  banner: { js: SCRIPT_WRAPPER.banner },
  footer: { js: SCRIPT_WRAPPER.footer },
})
writeFileSync(
  new URL('../dist/bundle/verify-worker.cjs', import.meta.url),
  `'use strict'
// The verify --batch worker thread's entry, written by scripts/build.js: the worker's bundle
// (verify-worker-bundle.cjs, built from src/cli/commands/verify-worker.ts) compiled with its V8
// code cache (bin/tokentool.cjs's loadCached). scripts/code-cache.js makes that cache in a worker
// started with workerData.makeCodeCache, a port the compiled script's cache is sent on when asked.
const { join } = require('node:path')
const { workerData } = require('node:worker_threads')
const { loadCached } = require(join(__dirname, '..', '..', 'bin', 'tokentool.cjs'))
const making = workerData && workerData.makeCodeCache
const { script } = loadCached(join(__dirname, 'verify-worker-bundle.cjs'), { cache: !making })
if (making) making.once('message', () => making.postMessage(script.createCachedData()))
`,
)

const HANDOVER = fileURLToPath(new URL('../src/cli/handover.ts', import.meta.url))
/** The commands of the start-up fast path: each has a bundle of its own, dist/start/<command>.cjs. */
const FAST_COMMANDS = ['decode', 'token', 'git-credential', 'verify']
/**
 * What a fast run of `command` never does itself: the network (the OAuth client, undici), the
 * menu, other commands (the fast path's other commands too: each is in a bundle of its own).
 * A decode hands over as well what only a rare token needs: the store and a DPoP key file (the
 * key check of a cnf-bound token) and JWE decryption. Left out, they make its bundle 99 KB
 * rather than 142, and its start 1.1 M instructions cheaper (bench/README.md): a code cache holds
 * every function of the script, run or not.
 */
const HANDED_OVER_TOO = { decode: ['store/', 'cli/dpop-key\\.', 'core/jwt/decrypt\\.'] }
const handedOver = (command) =>
  new RegExp(`^${fileURLToPath(new URL('../src/', import.meta.url))}(${['oauth/', 'http/', 'interactive/', `cli/commands/(?!${command}\\.)`, ...(HANDED_OVER_TOO[command] ?? [])].join('|')})`)
/** The fast path's bundle rules (see the top of this file), for the bundle of `command`. */
const fastPath = (command, NETWORK = handedOver(command)) => ({
  name: 'fast-path',
  setup(b) {
    b.onResolve({ filter: /^commander$/ }, () => ({ path: 'commander', namespace: 'no-commander' }))
    b.onLoad({ filter: /.*/, namespace: 'no-commander' }, () => ({
      contents:
        `import { handOver } from ${JSON.stringify(HANDOVER)}\n` +
        ['Command', 'Option', 'Argument', 'Help', 'CommanderError', 'InvalidArgumentError', 'InvalidOptionArgumentError']
          .map((name) => `export class ${name} { constructor() { handOver('commander') } }\n`)
          .join('') +
        ['createCommand', 'createOption', 'createArgument'].map((name) => `export function ${name}() { handOver('commander') }\n`).join(''),
      resolveDir: '.',
      loader: 'js',
    }))
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined
      // a package or a builtin, imported lazily (jose, node:crypto): bin/tokentool.cjs runs this
      // bundle as a vm.Script, where import() has no loader (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING),
      // so it is required instead (Node >= 20.19 requires ES modules such as jose)
      if (!args.path.startsWith('.')) return { path: args.path, namespace: 'lazy-require' }
      if (!NETWORK.test(resolve(dirname(args.importer), args.path))) return undefined
      return { path: args.path, namespace: 'handover' }
    })
    b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})\n`,
      resolveDir: '.',
      loader: 'js',
    }))
    b.onLoad({ filter: /.*/, namespace: 'handover' }, (args) => ({
      contents: `import { handOver } from ${JSON.stringify(HANDOVER)}\nhandOver(${JSON.stringify(args.path)})\n`,
      resolveDir: '.',
      loader: 'js',
    }))
  },
})
// one bundle per command: a decode reads, compiles and deserializes only what a decode runs
// (141 KB, where the four commands together were 251 KB: 4.2 M instructions of its start)
for (const command of FAST_COMMANDS) {
  await build({
    ...common,
    ...minify,
    entryPoints: [`src/cli/start-${command}.ts`],
    outfile: `dist/start/${command}.cjs`,
    format: 'cjs',
    bundle: true,
    // @noble/hashes inside (the cache key's SHA-256, a few KB): an ES module required from here
    // would start Node's ES module loader
    external: packages.filter((name) => name !== '@noble/hashes'),
    // style.ts finds chalk with createRequire(import.meta.url)
    define: { 'import.meta.url': '__tokentoolImportMeta.url' },
    banner: { js: SCRIPT_WRAPPER.banner },
    footer: { js: SCRIPT_WRAPPER.footer },
    plugins: [fastPath(command)],
  })
}

// bin/tokentool.cjs reads these bundles as Latin-1, where each byte is a character: valid only for
// ASCII (esbuild escapes the rest, except in a regular expression literal: write \u2026 there)
for (const file of [...FAST_COMMANDS.map((c) => `dist/start/${c}.cjs`), 'dist/bundle/verify-worker-bundle.cjs']) {
  const at = readFileSync(file).findIndex((b) => b > 0x7f)
  if (at !== -1) throw new Error(`${file}: a byte that is not ASCII at ${at}: ${readFileSync(file, 'utf8').slice(Math.max(0, at - 60), at + 20)}`)
}

// 4. V8's code caches for dist/start/<command>.cjs and the verify worker's bundle, made by running them
//    on the lines they are for. Its stdin is git's request for git-credential get (a file: the
//    fast path reads it from the descriptor).
const gitRequest = join(mkdtempSync(join(tmpdir(), 'tokentool-build-')), 'git-request')
writeFileSync(gitRequest, 'protocol=https\nhost=git.example.invalid\n\n')
try {
  await new Promise((resolve, reject) => {
    const stdin = openSync(gitRequest, 'r')
    const child = spawn(process.execPath, [fileURLToPath(new URL('./code-cache.js', import.meta.url))], { stdio: [stdin, 'ignore', 'inherit'] })
    closeSync(stdin)
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/code-cache.js exited ${code}`))))
  })
} finally {
  rmSync(dirname(gitRequest), { recursive: true, force: true })
}
