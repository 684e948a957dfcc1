/**
 * One line of meaning per well-known claim and header parameter: registered (RFC 7519), OpenID
 * Connect, OAuth (RFC 9068, 8693, 9449, 8705, 7800) and common vendor claims (Entra ID, Okta,
 * Keycloak, Auth0, Cognito). Used dimmed beside the claims in `decode` and by the interactive
 * menu. Pure data.
 *
 * Maps, not object literals: the names looked up come from tokens, and a Map has no inherited
 * members ("constructor", "__proto__") to find. It is also cheaper to build at start-up than an
 * object of a hundred properties (V8 gives such a literal a hidden class per property).
 * @module
 */

const CLAIMS: ReadonlyMap<string, string> = new Map([
  // RFC 7519 registered
  ['iss', 'issuer'],
  ['sub', 'subject (whom the token is about)'],
  ['aud', 'audience (who must accept it)'],
  ['exp', 'expiration time'],
  ['nbf', 'not valid before'],
  ['iat', 'issued at'],
  ['jti', 'JWT ID (unique, against replay)'],
  // OpenID Connect Core
  ['auth_time', 'when the user authenticated'],
  ['nonce', 'echo of the login request nonce'],
  ['acr', 'authentication context (assurance)'],
  ['amr', 'authentication methods (pwd, mfa, ...)'],
  ['azp', 'authorized party (the client)'],
  ['at_hash', 'hash of the access token'],
  ['c_hash', 'hash of the authorization code'],
  ['s_hash', 'hash of the state value'],
  ['sid', 'session id at the provider'],
  ['name', 'full name'],
  ['given_name', 'given name'],
  ['family_name', 'family name'],
  ['middle_name', 'middle name'],
  ['nickname', 'casual name'],
  ['preferred_username', 'username (not unique, not stable)'],
  ['profile', 'profile page URL'],
  ['picture', 'picture URL'],
  ['website', 'web page URL'],
  ['email', 'email address'],
  ['email_verified', 'email checked by the provider'],
  ['gender', 'gender'],
  ['birthdate', 'birthday'],
  ['zoneinfo', 'time zone'],
  ['locale', 'locale'],
  ['phone_number', 'phone number'],
  ['phone_number_verified', 'phone checked by the provider'],
  ['address', 'postal address'],
  ['updated_at', 'profile last updated'],
  ['events', 'security events (RFC 8417; back-channel logout)'],
  ['_claim_names', 'claims held elsewhere (distributed claims; Entra: groups overage)'],
  ['_claim_sources', 'where to fetch the distributed claims'],
  // OAuth
  ['scope', 'granted scopes'],
  ['client_id', 'client the token was issued to'],
  ['cnf', 'key the token is bound to'],
  ['act', 'actor (delegation, RFC 8693)'],
  ['may_act', 'who may act on behalf of the subject (RFC 8693)'],
  ['roles', 'roles granted (app roles in Entra)'],
  ['groups', 'group memberships'],
  ['entitlements', 'entitlements (RFC 9068 / SCIM)'],
  ['authorization_details', 'rich authorization request details (RFC 9396)'],
  ['htm', 'DPoP: HTTP method of the request'],
  ['htu', 'DPoP: HTTP URL of the request'],
  ['ath', 'DPoP: hash of the access token sent with it'],
  ['token_introspection', 'the introspection response (RFC 9701)'],
  ['typ', 'token type (Keycloak: Bearer, ID, Refresh, Offline)'],
  ['claim_type_limit_reached', 'claims cut short: see userinfo'],
  // Microsoft Entra ID
  ['scp', 'delegated scopes (Entra, Okta)'],
  ['tid', 'Entra tenant id'],
  ['oid', 'Entra object id (user/app)'],
  ['xms_cc', 'client capabilities (cp1 = CAE)'],
  ['xms_ssm', 'Entra: CAE strict location enforcement'],
  ['appid', 'Entra v1: client id of the calling app'],
  ['appidacr', 'client auth (0 none, 1 secret, 2 cert)'],
  ['azpacr', 'client auth (0 none, 1 secret, 2 cert)'],
  ['idtyp', 'Entra: app or user token'],
  ['ver', 'token format version'],
  ['upn', 'user principal name'],
  ['unique_name', 'Entra v1: display name of the user'],
  ['wids', 'Entra directory role template ids'],
  ['uti', 'Entra token id (internal)'],
  ['rh', 'Entra internal (revalidation)'],
  ['aio', 'Entra internal (token reuse)'],
  ['ipaddr', 'IP address the user authenticated from'],
  ['hasgroups', 'Entra: groups overage (ask Graph)'],
  ['deviceid', 'Entra device id'],
  ['xms_tcdt', 'Entra: tenant creation date'],
  // Okta, Auth0, Cognito, Keycloak, Google
  ['cid', 'Okta: client id'],
  ['uid', 'Okta: user id'],
  ['permissions', 'Auth0 RBAC permissions'],
  ['org_id', 'organization id'],
  ['token_use', 'Cognito: id or access'],
  ['cognito:groups', 'Cognito groups'],
  ['cognito:username', 'Cognito username'],
  ['realm_access', 'Keycloak realm roles'],
  ['resource_access', 'Keycloak client roles'],
  ['session_state', 'Keycloak session id'],
  ['allowed_origins', 'Keycloak: allowed CORS origins'],
  ['hd', 'Google: hosted domain (Workspace)'],
])

const HEADER_PARAMS: ReadonlyMap<string, string> = new Map([
  ['alg', 'algorithm'],
  ['enc', 'content encryption algorithm (JWE)'],
  ['typ', 'token type (explicit typing)'],
  ['cty', 'content type (JWT = a nested token)'],
  ['kid', 'key id (which issuer key)'],
  ['jku', 'URL of a JWKS (never trust it as the key source)'],
  ['jwk', 'a public key (DPoP proofs; otherwise never trust it)'],
  ['x5u', 'URL of an X.509 chain (never trust it as the key source)'],
  ['x5c', 'X.509 certificate chain'],
  ['x5t', 'SHA-1 thumbprint of the certificate'],
  ['x5t#S256', 'SHA-256 thumbprint of the certificate'],
  ['crit', 'extensions a verifier must understand'],
  ['b64', 'false = payload is not base64url-encoded (RFC 7797)'],
  ['zip', 'compression of the plaintext (JWE)'],
  ['epk', 'ephemeral public key (ECDH-ES)'],
  ['apu', 'agreement PartyUInfo (ECDH-ES)'],
  ['apv', 'agreement PartyVInfo (ECDH-ES)'],
  ['iv', 'key-wrap IV (AES-GCM key wrap)'],
  ['tag', 'key-wrap tag (AES-GCM key wrap)'],
  ['p2s', 'PBES2 salt'],
  ['p2c', 'PBES2 iteration count'],
  ['nonce', 'Entra Graph: only Graph can verify this token'],
])

/** One-line meaning of a payload claim, or undefined. */
export function claimMeaning(name: string): string | undefined {
  return CLAIMS.get(name)
}

/** One-line meaning of a JOSE header parameter, or undefined. */
export function headerMeaning(name: string): string | undefined {
  return HEADER_PARAMS.get(name)
}
