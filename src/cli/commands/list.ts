/**
 * The names and one-line summaries of tokentool's commands, in help order: data only, so that
 * what needs the names (usage errors, suggestions) does not load the registry, which points at
 * every command module (commands/registry.ts adds the loaders).
 * @module
 */
export const COMMAND_LIST = [
  { name: 'decode', summary: 'Decode a token without verifying it: kind, claims, times, size, embedded tokens' },
  { name: 'inspect', summary: 'Walk a token interactively (terminal): claims and their meaning, embedded tokens, verify, save' },
  { name: 'verify', summary: 'Verify a JWT against a key, JWKS or issuer: signature, algorithm, exp/nbf, iss, aud, ... as a checklist' },
  { name: 'sign', summary: 'Mint a signed JWT for testing (private key or HMAC secret)' },
  { name: 'keygen', summary: 'Generate a signing key: private JWK with a thumbprint kid, and the public JWKS' },
  { name: 'cae', summary: 'Decode a Continuous Access Evaluation challenge (WWW-Authenticate)' },
  { name: 'explain', summary: 'Why did the API say no? Ranked causes of a 401/403 from the response and the token, each with the fix' },
  { name: 'discover', summary: "Fetch and validate an issuer's discovery document: endpoints, supported features, signing keys" },
  { name: 'login', summary: 'Sign in (browser with PKCE, or --device) and store the tokens in the profile' },
  { name: 'refresh', summary: "Exchange the profile's refresh token for new tokens (rotation-safe)" },
  { name: 'token', summary: 'Print one access token for scripts and CI: cached, refreshed, or client credentials' },
  { name: 'git-credential', summary: "git's credential helper: the profile's access token as the password (get, store, erase)" },
  { name: 'call', summary: "Send a request with the profile's access token (curl-like); answer a CAE claims challenge once" },
  { name: 'dpop', summary: 'DPoP (RFC 9449): print a proof for a request (dpop proof --method M --url U), signed by the profile\'s key' },
  { name: 'exchange', summary: 'RFC 8693 token exchange: a token for another audience or narrower scope, with a claims diff' },
  { name: 'introspect', summary: 'Ask the server whether a token is active (RFC 7662; --jwt: the RFC 9701 JWT a gateway gets)' },
  { name: 'revoke', summary: 'Revoke a token at the server (RFC 7009)' },
  { name: 'userinfo', summary: "Fetch the user's claims from the userinfo endpoint (JSON or signed JWT)" },
  { name: 'status', summary: 'Whether each profile can give a token without a person (exit 0) or needs a sign-in (exit 4)' },
  { name: 'logout', summary: "Revoke the profile's refresh and access tokens at the server, then remove them (and the profile)" },
  { name: 'profiles', summary: 'List, show and remove stored profiles (settings and tokens)' },
  { name: 'simulate', summary: 'Simulate a session under a refresh-token expiry policy: events, timeline, revocation exposure' },
  { name: 'completion', summary: 'Print a shell completion script (bash, zsh, fish): commands, flags, profiles, presets' },
] as const

export type CommandName = (typeof COMMAND_LIST)[number]['name']

export const COMMAND_NAMES: readonly string[] = COMMAND_LIST.map((c) => c.name)
