// Makes dist/start/start.cjs.cache, V8's code cache for the start-up fast path, taken after
// running the lines it is for (decode, decode --json, a token answered from its cache, git-credential get): it then
// holds the functions those runs compile, not only the top level. scripts/build.js runs this
// in a process of its own with stdout ignored. The script is compiled by bin/tokentool.js's own
// loader, so that the cache matches what bin compiles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { machineTokenKey } from '../dist/core/token-decision.js'
import { fileStore } from '../dist/store/store.js'
import { withAccessToken } from '../dist/store/tokens.js'

const { loadStart } = createRequire(import.meta.url)('../bin/tokentool.js')
const { start, script } = loadStart({ cache: false })

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
const ISSUER = 'https://login.example.invalid'
const jwt = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: ISSUER, sub: 'alice', aud: 'api', exp: 2000000000, iat: 1700000000 })}.${Buffer.alloc(64, 7).toString('base64url')}`

const home = mkdtempSync(join(tmpdir(), 'tokentool-code-cache-'))
try {
  process.env.NO_COLOR = '1'
  process.env.TOKENTOOL_NO_ARGV_WARNING = '1' // the token line below has a literal --client-secret
  process.env.TOKENTOOL_HOME = home
  const now = new Date()
  const at = Math.floor(now.getTime() / 1000)
  const cacheKey = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials', scope: 'deploy' })
  await fileStore(home).saveTokens('default', withAccessToken(undefined, { accessToken: jwt, tokenType: 'Bearer', expiresAt: at + 3600, scope: 'deploy', cacheKey, obtainedAt: at }, now))
  const lines = [
    ['decode', jwt],
    ['decode', '--json', jwt],
    ['token', '--issuer', ISSUER, '--client-id', 'ci', '--client-secret', 's3cret', '--scope', 'deploy'],
    // stdin is empty here: a request without a host, which no profile answers (exit 0, no output)
    ['git-credential', 'get'],
  ]
  for (const argv of lines) {
    const code = await start(argv)
    if (code !== 0) throw new Error(`tokentool ${argv[0]} exited ${code} while making the code cache`)
  }
  writeFileSync(new URL('../dist/start/start.cjs.cache', import.meta.url), script.createCachedData())
} finally {
  rmSync(home, { recursive: true, force: true })
}
