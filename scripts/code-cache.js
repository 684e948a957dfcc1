// Makes dist/start/<command>.cjs.cache, V8's code caches for the start-up fast path, each taken after
// running the lines it is for (decode, decode --json; a token answered from its cache; git-credential get): it then
// holds the functions those runs compile, not only the top level. And the verify --batch
// worker's (dist/bundle/verify-worker-bundle.cjs.cache), taken in a worker thread after it has
// verified a batch of sample tokens (valid, expired, changed, malformed). scripts/build.js runs this
// in a process of its own with stdout ignored. The script is compiled by bin/tokentool.cjs's own
// loader, so that the cache matches what bin compiles.
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import { machineTokenKey } from '../dist/core/token-decision.js'
import { fileStore } from '../dist/store/store.js'
import { withAccessToken } from '../dist/store/tokens.js'

const { loadStart } = createRequire(import.meta.url)('../bin/tokentool.cjs')

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
  // git's helper: a profile that answers for the host of the request on stdin (scripts/build.js), its token cached
  await fileStore(home).saveSettings('git', { issuer: ISSUER, clientId: 'ci', clientSecret: 's3cret', gitHosts: ['git.example.invalid'] })
  const gitKey = machineTokenKey({ issuer: ISSUER, clientId: 'ci', grant: 'client_credentials' })
  await fileStore(home).saveTokens('git', withAccessToken(undefined, { accessToken: jwt, tokenType: 'Bearer', expiresAt: at + 3600, cacheKey: gitKey, obtainedAt: at }, now))
  // each command's bundle, after the lines it is for (verify --batch: its top level only; a
  // batch run here would start a pool)
  const lines = {
    decode: [
      ['decode', jwt],
      ['decode', '--json', jwt],
    ],
    token: [
      ['token', '--issuer', ISSUER, '--client-id', 'ci', '--client-secret', 's3cret', '--scope', 'deploy'],
      ['token', '--issuer', ISSUER, '--client-id', 'ci', '--client-secret', 's3cret', '--scope', 'deploy', '--format', 'exec-credential'],
    ],
    // the request on stdin, answered from the profile's cached token
    'git-credential': [['git-credential', 'get']],
    verify: [],
  }
  for (const [command, argvs] of Object.entries(lines)) {
    const { start, script } = loadStart(command, { cache: false })
    for (const argv of argvs) {
      const code = await start(argv)
      if (code !== 0) throw new Error(`tokentool ${argv[0]} exited ${code} while making the code cache`)
    }
    writeFileSync(new URL(`../dist/start/${command}.cjs.cache`, import.meta.url), script.createCachedData())
  }
} finally {
  rmSync(home, { recursive: true, force: true })
}

// the worker's: the same message a verify --batch pool sends (verify-pool.ts), then a batch
{
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }
  const at = Math.floor(Date.now() / 1000)
  const token = (claims) => {
    const input = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64(claims)}`
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
  }
  const lines = []
  for (let i = 0; i < 400; i++) lines.push(token({ iss: ISSUER, sub: `user-${i}`, aud: 'api', exp: at + 3600 - (i % 7), iat: at - 60 }))
  lines.push(token({ iss: ISSUER, exp: at - 7200 }), lines[0].slice(0, -2) + (lines[0].endsWith('AA') ? 'BB' : 'AA'), 'garbage', '', `Bearer ${lines[1]}`)
  const bytes = new TextEncoder().encode(lines.join('\n') + '\n').buffer
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(new URL('../dist/bundle/verify-worker.cjs', import.meta.url), { workerData: { makeCodeCache: port2 }, transferList: [port2] })
  try {
    const done = new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    worker.postMessage({ type: 'keys', keys: { kind: 'text', text: JSON.stringify({ keys: [jwk] }), what: 'JWKS file jwks.json', from: 'jwks.json' }, data: { options: { clockSkew: 60, iss: ISSUER, aud: ['api'] } } })
    worker.postMessage({ type: 'batch', seq: 0, firstLine: 1, bytes }, [bytes])
    const answer = await done
    if (answer.type !== 'done' || answer.total !== lines.length - 1) throw new Error(`the verify worker answered ${JSON.stringify(answer).slice(0, 200)} while making its code cache`)
    const cache = await new Promise((resolve) => {
      port1.once('message', resolve)
      port1.postMessage('cache')
    })
    writeFileSync(new URL('../dist/bundle/verify-worker-bundle.cjs.cache', import.meta.url), Buffer.from(cache))
  } finally {
    port1.close()
    await worker.terminate()
  }
}

