// `npm run build`: two esbuild passes.
// 1. dist/: every src file transpiled as is (tests and benches import single modules from it).
// 2. dist/bundle/: what bin/tokentool.js runs — one ES module per command (code-split), with
//    commander bundled in and every other package left in node_modules. Start-up is the reason:
//    Node 20 loads each ES module (and each CommonJS file it reaches through ESM) with a cost of
//    its own, and `tokentool decode` must start within 1.5x of a bare `node` (bench/startup.js).
//    Whitespace and syntax are minified; names are kept, so --debug stack traces stay readable.
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const common = { platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' }

await build({ ...common, entryPoints: ['src/**/*.ts'], outdir: 'dist', outbase: 'src' })

const BUNDLED = new Set(['commander'])
await build({
  ...common,
  entryPoints: ['src/cli/process.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  minifyWhitespace: true,
  minifySyntax: true,
  external: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.has(name)),
  // commander is CommonJS: its require() of node builtins needs a real require in an ES module
  banner: { js: "import { createRequire as __tokentoolCreateRequire } from 'node:module'; const require = __tokentoolCreateRequire(import.meta.url);" },
})
