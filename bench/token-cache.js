// `tokentool token` served from its cache: wall time ÷ `tokentool decode`, measured side by
// side in one run (run after `npm run build`). The cache is seeded through the built store
// modules, with no network; the issuer is under `.invalid` (RFC 6761), so a run that tried to
// reach the network would fail instead of quietly timing a request. Target: <= 1.1x. The same
// for the helpers on the same cache: `token --format exec-credential` (kubectl) and
// `git-credential get` (git, its request on stdin).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, fmt, sideBySide, START_ROUNDS, timeRun } from './lib.js'
import { machineTokenKey } from '../dist/core/token-decision.js'
import { fileStore } from '../dist/store/store.js'
import { withAccessToken } from '../dist/store/tokens.js'

const TARGET = 1.1
const ISSUER = 'https://login.example.invalid'
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${b64({ iss: ISSUER, sub: 'ci', aud: 'api', scope: 'deploy', exp: 2000000000, iat: 1700000000 })}.${Buffer.alloc(64, 7).toString('base64url')}`

/** A TOKENTOOL_HOME whose default profile holds a client credentials token valid for an hour. */
export async function seedCachedHome() {
  const home = mkdtempSync(join(tmpdir(), 'tokentool-bench-token-'))
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const cacheKey = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials', scope: 'deploy' })
  const tokens = withAccessToken(undefined, { accessToken: jwt, tokenType: 'Bearer', expiresAt: at + 3600, scope: 'deploy', cacheKey, obtainedAt: at }, now)
  await fileStore(home).saveTokens('default', tokens)
  // git's helper: a profile that answers for git.example.com, its token cached
  const gitKey = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials' })
  await fileStore(home).saveSettings('git', { issuer: ISSUER, clientId: 'ci', clientSecret: 's3cret', gitHosts: ['git.example.com'] })
  await fileStore(home).saveTokens('git', withAccessToken(undefined, { accessToken: jwt, tokenType: 'Bearer', expiresAt: at + 3600, cacheKey: gitKey, obtainedAt: at }, now))
  return home
}

const GIT_REQUEST = 'protocol=https\nhost=git.example.com\n\n'

export async function benchTokenCache({ rounds = START_ROUNDS } = {}) {
  const home = await seedCachedHome()
  const env = { NO_COLOR: '1', TOKENTOOL_HOME: home, TOKENTOOL_CLIENT_SECRET: 's3cret' }
  const tokenArgs = [BIN, 'token', '--issuer', ISSUER, '--client-id', 'ci', '--scope', 'deploy']
  const m = sideBySide(
    {
      decode: () => timeRun(process.execPath, [BIN, 'decode', jwt], { env }),
      token: () => timeRun(process.execPath, tokenArgs, { env }),
      exec: () => timeRun(process.execPath, [...tokenArgs, '--format', 'exec-credential'], { env }),
      git: () => timeRun(process.execPath, [BIN, 'git-credential', 'get'], { env, input: GIT_REQUEST }),
    },
    { rounds },
  )
  return { rounds, tokenMs: m.token, decodeMs: m.decode, ratio: m.token / m.decode, execMs: m.exec, execRatio: m.exec / m.decode, gitMs: m.git, gitRatio: m.git / m.decode }
}

const line = (r) =>
  `token (cache)  token ${fmt(r.tokenMs, 1)} ms ÷ decode ${fmt(r.decodeMs, 1)} ms = ${fmt(r.ratio)}x; ` +
  `--format exec-credential ${fmt(r.execMs, 1)} ms = ${fmt(r.execRatio)}x; git-credential get ${fmt(r.gitMs, 1)} ms = ${fmt(r.gitRatio)}x   (target <= ${TARGET}x; medians of ${r.rounds} rounds)`

/** For `npm run bench` (bench/run.js): one line with the ratio. */
export async function bench() {
  return line(await benchTokenCache())
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchTokenCache()
  console.log(line(r))
  if (r.ratio > TARGET) process.exitCode = 1
}
