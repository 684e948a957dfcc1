/**
 * `verify --dpop-proof`, `decode` of proofs and cnf-bound tokens, and `dpop proof`, run as a
 * user runs them, on the RFC 9449 Figure 3 proof and on keys made here.
 */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '../helpers/run-cli.js'

const RFC_PROOF = fileURLToPath(new URL('../fixtures/rfc9449/figure3-proof.jwt', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tokentool-dpop-cli-'))

describe('verify --dpop-proof', { timeout: 30_000 }, () => {
  it('the RFC example proof passes for its request at its time, and fails (exit 1, one line) for another method', async () => {
    const ok = await runCli(['verify', '--dpop-proof', `@${RFC_PROOF}`, '--method', 'POST', '--url', 'https://server.example.com/token', '--now', '1562262616'])
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/PASS +dpop signature +valid ES256 signature by the embedded jwk/)
    const bad = await runCli(['verify', '--dpop-proof', `@${RFC_PROOF}`, '--method', 'GET', '--url', 'https://server.example.com/token', '--now', '1562262616'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/dpop htm/)
  })

  it('bad input: no --url, a proof that is not a JWT: exit 2', async () => {
    expect((await runCli(['verify', '--dpop-proof', `@${RFC_PROOF}`])).code).toBe(2)
    const r = await runCli(['verify', '--dpop-proof', 'not-a-proof', '--url', 'https://x.example/'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--dpop-proof is not a JWT/)
  })
})

describe('decode and dpop proof', { timeout: 30_000 }, () => {
  it('a token bound to one key says it does not match another; a proof shows its request and checks ath', async () => {
    const key = join(dir, 'a.json')
    const other = join(dir, 'b.json')
    writeFileSync(key, (await runCli(['keygen', '--alg', 'ES256'])).stdout)
    writeFileSync(other, (await runCli(['keygen', '--alg', 'ES256'])).stdout)
    const jkt = JSON.parse((await runCli(['--json', 'dpop', 'proof', '--url', 'https://x.example/', '--dpop-key', key])).stdout).jkt as string
    const token = (await runCli(['sign', '--secret', 'a'.repeat(32), '--claim', `cnf={"jkt":"${jkt}"}`, '--exp', '1h'])).stdout.trim()
    const match = await runCli(['--json', 'decode', token, '--dpop-key', key])
    expect(JSON.parse(match.stdout).bindingCheck.matches).toBe(true)
    const miss = await runCli(['decode', token, '--dpop-key', other])
    expect(miss.code).toBe(0)
    expect(miss.stdout).toMatch(/✗ cnf\.jkt is not the thumbprint of --dpop-key/)

    const proof = (await runCli(['dpop', 'proof', '-X', 'DELETE', '--url', 'https://api.example/items/1?force=1', '--dpop-key', key, '--access-token', token])).stdout.trim()
    const d = JSON.parse((await runCli(['--json', 'decode', proof, '--access-token', token])).stdout)
    expect(d.kind).toBe('dpop_proof')
    expect(d.dpopProof).toMatchObject({ htm: 'DELETE', htu: 'https://api.example/items/1', jkt, athMatches: true })
    expect(JSON.parse((await runCli(['--json', 'decode', proof, '--access-token', 'another'])).stdout).dpopProof.athMatches).toBe(false)
  })

  it('dpop proof: no key in the profile, a bad URL or nonce: exit 2, one line', async () => {
    for (const args of [['--url', 'https://x.example/'], ['--url', 'nope'], ['--url', 'https://x.example/', '--nonce', 'a"b', '--dpop-key', join(dir, 'a.json')]]) {
      const r = await runCli(['dpop', 'proof', ...args])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})
