/**
 * `decode` must start fast: it may not load jose (except for --key), undici, openid-client,
 * inquirer or cli-table3; it runs in the start-up fast path (dist/start/decode.cjs, no
 * commander, no dist/bundle) and loads none of the built-ins it does not use.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { builtinsLoaded, builtinsPreload, loaderImport, ownModulesLoaded, packagesLoaded } from '../helpers/loaded-packages.js'
import { BIN, runCli } from '../helpers/run-cli.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')
/** Built-ins a decode has no use for: sockets, processes, crypto, terminals, streams, the ESM loader's work, fs/promises (5 M instructions, for a file it does not read). */
const NOT_FOR_DECODE = ['net', 'child_process', 'crypto', 'tty', 'stream', 'http', 'https', 'worker_threads', 'readline', 'dgram', 'timers/promises', 'fs/promises']
import { b64, encrypt } from '../helpers/jwt-fixtures.js'

describe('decode start-up', () => {
  it('loads no package from node_modules without colour (commander is bundled), and chalk only with it', async () => {
    const jwt = `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}.c2ln`
    const plain = await runCli(['decode', jwt], { env: { NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(plain.code).toBe(0)
    expect(packagesLoaded(plain.stderr)).toEqual([])
    const coloured = await runCli(['decode', jwt], { env: { NO_COLOR: undefined, FORCE_COLOR: '1', NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(coloured.code).toBe(0)
    expect(coloured.stdout).toContain('\u001b[')
    // chalk comes in through require(esm), which resolve hooks do not all see: allow it, nothing else
    expect(packagesLoaded(coloured.stderr).filter((p) => p !== 'chalk')).toEqual([])
  })
  it('runs in the fast path: no file of the full program, none of the built-ins it does not use', async () => {
    const jwt = `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}.c2ln`
    for (const args of [['decode', jwt], ['decode', '--json', jwt], ['decode', '-'], ['decode']]) {
      const r = await runCli(args, { input: jwt, env: { NODE_OPTIONS: `--import=${loaderImport()}` } })
      expect(r.code).toBe(0)
      expect(ownModulesLoaded(r.stderr, ROOT)).toEqual(['bin/tokentool.cjs'])
      // the built-ins from a preload that loads none itself: loaderImport's hooks load node:net,
      // the streams and worker_threads before the run, which would hide the run's own loading them
      const bare = await runCli(args, { input: jwt, env: { NODE_OPTIONS: `--require=${builtinsPreload()}` } })
      expect(bare.code).toBe(0)
      const builtins = builtinsLoaded(bare.stderr)
      expect(builtins).toContain('vm') // the loader of dist/start/decode.cjs: the report does see what loads
      expect(builtins.filter((b) => NOT_FOR_DECODE.includes(b)), args.join(' ')).toEqual([])
    }
  })
  it('the built-ins report sees node:net and the streams where a run does load them (stdin through process.stdin)', async () => {
    const r = await runCli(['-e', 'for await (const c of process.stdin);'], { input: 'x', bin: '--input-type=module', env: { NODE_OPTIONS: `--require=${builtinsPreload()}` } })
    expect(r.code, r.stderr).toBe(0)
    expect(builtinsLoaded(r.stderr)).toEqual(expect.arrayContaining(['net', 'stream']))
  })
  it('the full program (help here) is what loads commander and node:child_process', async () => {
    const r = await runCli(['decode', '--help'], { env: { NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(ownModulesLoaded(r.stderr, ROOT)).toContain('dist/bundle/process.js')
    expect(builtinsLoaded(r.stderr)).toContain('child_process')
  })
  it("V8 accepts the build's code cache for each command's bundle, dist/start/<command>.cjs", () => {
    for (const command of ['decode', 'token', 'git-credential', 'verify']) {
      const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(BIN)}).loadStart(${JSON.stringify(command)}).script.cachedDataRejected)`], { encoding: 'utf8' })
      expect(r.stderr).toBe('')
      expect(r.stdout, command).toBe('false\n')
    }
  })
  it('loads jose only to decrypt with --key', async () => {
    const { jwe, pem } = await encrypt('{"sub":"x"}')
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-key-'))
    writeFileSync(join(dir, 'k.pem'), pem)
    const r = await runCli(['decode', '--key', join(dir, 'k.pem'), jwe], { env: { NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(packagesLoaded(r.stderr)).toEqual(['jose'])
  })
})
