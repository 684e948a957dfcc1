/**
 * glewlwyd (Debian package, 2.7.x) as a second, independent OpenID provider for the e2e
 * tests: started on 127.0.0.1 on a free port with its own SQLite database and config file in
 * a temporary directory, configured through its admin REST API (the OIDC plugin, scopes, a
 * user, and the clients below), and stopped by its pid. Facts about its packaging and its
 * quirks are in ../shared/design/provider-notes.md and docs/providers.md.
 *
 * Clients: `native` (public, PKCE, code + refresh + device), `confidential` (a secret with '-'
 * and '.', client_secret_basic and client_secret_post, code + refresh + client credentials +
 * device), `pkjwt` (private_key_jwt with an ES256 key, client credentials), all with refresh
 * tokens rotated on every use (`refresh-token-one-use: always`).
 *
 * Test files use `describeWithProgram(findProgram(GLEWLWYD), ...)`: without glewlwyd they say
 * so loudly and how to install it; under CI=true they fail instead of skipping.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freeLoopbackPort } from '../../src/http/free-port.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { fetch } from 'undici'
import type { ProgramSpec } from '../helpers/system-program.js'
import { CookieJar } from './browserless-login.js'

const INSTALL_SQL = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3'
const MODULES = '/usr/lib/glewlwyd'

/** For describeWithProgram (test/helpers/system-program.ts); GLEWLWYD_BIN names another build (or nothing, to see the skip). */
export const GLEWLWYD: ProgramSpec = {
  name: 'glewlwyd',
  envVar: 'GLEWLWYD_BIN',
  paths: ['/usr/bin/glewlwyd'],
  enable: 'sudo apt-get install -y --no-install-recommends glewlwyd dbconfig-sqlite3 sqlite3   (.ci/run does it)',
}

export interface GlewlwydClient {
  client_id: string
  client_secret?: string
}

export interface Glewlwyd {
  /** `http://127.0.0.1:PORT/api/oidc` */
  issuer: string
  base: string
  /** The loopback port registered in the clients' redirect URIs (`http://127.0.0.1:PORT/callback`). */
  redirectPort: number
  user: { username: string; password: string; name: string; email: string }
  clients: {
    native: GlewlwydClient
    confidential: GlewlwydClient & { client_secret: string }
    pkjwt: GlewlwydClient & { privateJwk: JWK }
  }
  /** Scope for client credentials (and an extra user scope). */
  apiScope: string
  /** Where its log goes (shown when a test fails to start it). */
  logFile: string
  stop(): Promise<void>
}

function configFile(dir: string, port: number): string {
  // the package's sample has use_secure_connection=false, which makes 2.7 abort: left out
  return `port=${port}
bind_address="127.0.0.1"
external_url="http://127.0.0.1:${port}"
login_url="login.html"
api_prefix="api"
allow_origin="*"
log_mode="console"
log_level="INFO"
cookie_secure=0
cookie_same_site="empty"
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${MODULES}/user"
client_module_path="${MODULES}/client"
user_auth_scheme_module_path="${MODULES}/scheme"
plugin_module_path="${MODULES}/plugin"
hash_algorithm="SHA512"
database =
{
  type = "sqlite3"
  path = "${join(dir, 'glewlwyd.sqlite')}"
};
`
}

/** The admin REST API with the admin's session cookie. */
class Admin {
  readonly jar = new CookieJar()
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(`${this.base}/api${path}`)
    const res = await fetch(url, {
      method,
      headers: { cookie: this.jar.header(url), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    this.jar.store(url, res.headers.getSetCookie())
    const text = await res.text()
    if (res.status !== 200) throw new Error(`glewlwyd admin API ${method} ${path}: HTTP ${res.status} ${text}`)
    return text ? JSON.parse(text) : undefined
  }
}

async function waitUntilUp(base: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`glewlwyd exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`)
    try {
      const res = await fetch(`${base}/api/auth/scheme/`, { signal: AbortSignal.timeout(1000) })
      await res.text()
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`glewlwyd did not come up on ${base}:\n${readFileSync(logFile, 'utf8')}`)
}

/** Starts glewlwyd (`bin`) with a fresh database and configures it. */
export async function startGlewlwyd(bin: string): Promise<Glewlwyd> {
  for (const f of [INSTALL_SQL, MODULES]) if (!existsSync(f)) throw new Error(`${f} is missing: is the glewlwyd package installed? ${GLEWLWYD.enable}`)
  const dir = mkdtempSync(join(tmpdir(), 'tokentool-glewlwyd-'))
  const db = join(dir, 'glewlwyd.sqlite')
  const init = spawnSync('sqlite3', [db], { input: readFileSync(INSTALL_SQL) })
  if (init.status !== 0) throw new Error(`sqlite3 could not create the glewlwyd database (${init.error?.message ?? init.stderr}); ${GLEWLWYD.enable}`)
  const port = await freeLoopbackPort()
  const conf = join(dir, 'glewlwyd.conf')
  writeFileSync(conf, configFile(dir, port))
  const logFile = join(dir, 'glewlwyd.log')
  const log = openSync(logFile, 'a')
  const child = spawn(bin, [`--config-file=${conf}`], { stdio: ['ignore', log, log] })
  const base = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r))
      process.kill(child.pid, 'SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
      if (child.exitCode === null) process.kill(child.pid, 'SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitUntilUp(base, child, logFile)
    return { ...(await configure(base)), base, logFile, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

async function configure(base: string): Promise<Omit<Glewlwyd, 'base' | 'logFile' | 'stop'>> {
  const admin = new Admin(base)
  // the install SQL's administrator
  await admin.call('POST', '/auth/', { username: 'admin', password: 'password' })

  const signing = await generateKeyPair('RS256', { extractable: true })
  const signingJwk = { ...(await exportJWK(signing.privateKey)), kid: 'gw-rs256', alg: 'RS256', use: 'sig' }
  const apiScope = 'tt-api'
  // a scope needs its authentication: the password scheme
  for (const name of ['openid', apiScope]) {
    const scope = { name, display_name: name, description: `${name} for tokentool tests`, password_required: true, password_max_age: 0, scheme: {} }
    if (name === 'openid') await admin.call('PUT', `/scope/${name}`, scope)
    else await admin.call('POST', '/scope/', scope)
  }

  const redirectPort = await freeLoopbackPort()
  const redirectUri = `http://127.0.0.1:${redirectPort}/callback`
  const oidc = {
    module: 'oidc',
    name: 'oidc',
    display_name: 'OpenID Connect',
    enabled: true,
    parameters: {
      iss: `${base}/api/oidc`,
      'jwt-type': 'rsa',
      'jwt-key-size': '256',
      'jwks-private': JSON.stringify({ keys: [signingJwk] }),
      'default-kid': signingJwk.kid,
      'access-token-duration': 300,
      'refresh-token-duration': 3600,
      'code-duration': 600,
      'refresh-token-rolling': true,
      'refresh-token-one-use': 'always',
      'allow-non-oidc': true,
      'auth-type-code-enabled': true,
      'auth-type-token-enabled': false,
      'auth-type-id-token-enabled': true,
      'auth-type-none-enabled': false,
      'auth-type-password-enabled': false,
      'auth-type-client-enabled': true,
      'auth-type-device-enabled': true,
      'auth-type-refresh-enabled': true,
      'device-authorization-expiration': 600,
      'device-authorization-interval': 1,
      'pkce-allowed': true,
      'pkce-method-plain-allowed': false,
      'introspection-revocation-allowed': true,
      'introspection-revocation-auth-scope': [],
      'introspection-revocation-allow-target-client': true,
      'client-jwks-parameter': 'jwks',
      'client-jwks_uri-parameter': 'jwks_uri',
      'jwks-show': true,
      'allowed-scope': ['openid', apiScope],
      'name-claim': 'mandatory',
      'email-claim': 'mandatory',
      'scope-claim': 'no',
      'secret-type': 'pairwise',
      'request-parameter-allow': true,
      'session-management-allowed': false,
      'register-client-allowed': false,
      'encrypt-out-token-allow': false,
    },
  }
  await admin.call('POST', '/mod/plugin/', oidc)

  const user = { username: 'alice', password: 'alice-password-1', name: 'Alice Tester', email: 'alice@example.com' }
  await admin.call('POST', '/user/', { ...user, scope: ['openid', apiScope], enabled: true })

  const pk = await generateKeyPair('ES256', { extractable: true })
  const pkPublic = { ...(await exportJWK(pk.publicKey)), kid: 'tt-pkjwt', alg: 'ES256', use: 'sig' }
  const pkPrivate = { ...(await exportJWK(pk.privateKey)), kid: 'tt-pkjwt', alg: 'ES256' }
  const clients = {
    native: { client_id: 'tt-native' },
    // '-' and '.' in the secret: the Basic encoding that broke glewlwyd (issue 14)
    confidential: { client_id: 'tt-confidential', client_secret: 'webc-secret-1.tt' },
    pkjwt: { client_id: 'tt-pkjwt', privateJwk: pkPrivate },
  }
  const common = { enabled: true, redirect_uri: [redirectUri], scope: [apiScope] }
  await admin.call('POST', '/client/', {
    ...common,
    client_id: clients.native.client_id,
    name: 'tokentool native',
    confidential: false,
    authorization_type: ['code', 'refresh_token', 'device_authorization'],
    token_endpoint_auth_method: ['none'],
  })
  await admin.call('POST', '/client/', {
    ...common,
    client_id: clients.confidential.client_id,
    name: 'tokentool confidential',
    confidential: true,
    password: clients.confidential.client_secret,
    client_secret: clients.confidential.client_secret,
    authorization_type: ['code', 'refresh_token', 'client_credentials', 'device_authorization'],
    token_endpoint_auth_method: ['client_secret_basic', 'client_secret_post'],
  })
  await admin.call('POST', '/client/', {
    ...common,
    client_id: clients.pkjwt.client_id,
    name: 'tokentool private_key_jwt',
    confidential: true,
    authorization_type: ['client_credentials'],
    token_endpoint_auth_method: ['private_key_jwt'],
    jwks: { keys: [pkPublic] },
  })
  return { issuer: `${base}/api/oidc`, redirectPort, user, clients, apiScope }
}
