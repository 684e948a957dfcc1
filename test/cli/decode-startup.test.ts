/** `decode` must start fast: it may not load jose (except for --key), undici, openid-client, inquirer or cli-table3 (commander is bundled into dist/bundle). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loaderImport, packagesLoaded } from '../helpers/loaded-packages.js'
import { runCli } from '../helpers/run-cli.js'
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
  it('loads jose only to decrypt with --key', async () => {
    const { jwe, pem } = await encrypt('{"sub":"x"}')
    const dir = mkdtempSync(join(tmpdir(), 'tokentool-key-'))
    writeFileSync(join(dir, 'k.pem'), pem)
    const r = await runCli(['decode', '--key', join(dir, 'k.pem'), jwe], { env: { NODE_OPTIONS: `--import=${loaderImport()}` } })
    expect(r.code).toBe(0)
    expect(packagesLoaded(r.stderr)).toEqual(['jose'])
  })
})
