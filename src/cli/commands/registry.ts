/**
 * The list of commands. Only names and one-line summaries live here, so that the root help can
 * list every command while a run loads just the module of the command it runs (start-up time:
 * `decode` must not pay for the OAuth client, undici or inquirer).
 * @module
 */
import type { Command } from 'commander'
import type { Deps } from '../deps.js'

export interface CommandModule {
  /** Adds the command (with its flags, help and action) to `parent`. */
  register(parent: Command, deps: Deps): Command
}

export interface CommandEntry {
  name: string
  summary: string
  load: () => Promise<CommandModule>
}

export const COMMANDS: CommandEntry[] = [
  { name: 'decode', summary: 'Decode a token without verifying it: kind, claims, times, size, embedded tokens', load: () => import('./decode.js') },
  { name: 'inspect', summary: 'Walk a token interactively (terminal): claims and their meaning, embedded tokens, verify, save', load: () => import('./inspect.js') },
  { name: 'verify', summary: 'Verify a JWT against a key, JWKS or issuer: signature, algorithm, exp/nbf, iss, aud, ... as a checklist', load: () => import('./verify.js') },
  { name: 'sign', summary: 'Mint a signed JWT for testing (private key or HMAC secret)', load: () => import('./sign.js') },
  { name: 'keygen', summary: 'Generate a signing key: private JWK with a thumbprint kid, and the public JWKS', load: () => import('./keygen.js') },
  { name: 'cae', summary: 'Decode a Continuous Access Evaluation challenge (WWW-Authenticate)', load: () => import('./cae.js') },
  { name: 'explain', summary: 'Why did the API say no? Ranked causes of a 401/403 from the response and the token, each with the fix', load: () => import('./explain.js') },
  { name: 'discover', summary: "Fetch and validate an issuer's discovery document: endpoints, supported features, signing keys", load: () => import('./discover.js') },
  { name: 'login', summary: 'Sign in (browser with PKCE, or --device) and store the tokens in the profile', load: () => import('./login.js') },
  { name: 'refresh', summary: "Exchange the profile's refresh token for new tokens (rotation-safe)", load: () => import('./refresh.js') },
  { name: 'token', summary: 'Print one access token for scripts and CI: cached, refreshed, or client credentials', load: () => import('./token.js') },
  { name: 'git-credential', summary: "git's credential helper: the profile's access token as the password (get, store, erase)", load: () => import('./git-credential.js') },
  { name: 'call', summary: "Send a request with the profile's access token (curl-like); answer a CAE claims challenge once", load: () => import('./call.js') },
  { name: 'dpop', summary: 'DPoP (RFC 9449): print a proof for a request (dpop proof --method M --url U), signed by the profile\'s key', load: () => import('./dpop.js') },
  { name: 'exchange', summary: 'RFC 8693 token exchange: a token for another audience or narrower scope, with a claims diff', load: () => import('./exchange.js') },
  { name: 'introspect', summary: 'Ask the server whether a token is active (RFC 7662; --jwt: the RFC 9701 JWT a gateway gets)', load: () => import('./introspect.js') },
  { name: 'revoke', summary: 'Revoke a token at the server (RFC 7009)', load: () => import('./revoke.js') },
  { name: 'userinfo', summary: "Fetch the user's claims from the userinfo endpoint (JSON or signed JWT)", load: () => import('./userinfo.js') },
  { name: 'status', summary: 'Whether each profile can give a token without a person (exit 0) or needs a sign-in (exit 4)', load: () => import('./status.js') },
  { name: 'logout', summary: "Revoke the profile's refresh and access tokens at the server, then remove them (and the profile)", load: () => import('./logout.js') },
  { name: 'profiles', summary: 'List, show and remove stored profiles (settings and tokens)', load: () => import('./profiles.js') },
  { name: 'simulate', summary: 'Simulate a session under a refresh-token expiry policy: events, timeline, revocation exposure', load: () => import('./simulate.js') },
  { name: 'completion', summary: 'Print a shell completion script (bash, zsh, fish): commands, flags, profiles, presets', load: () => import('./completion.js') },
]
