/**
 * What widely used resource servers and gateways say when they refuse a token, mapped to a
 * cause. Each shape names the project and the file it comes from, so that a reader can check
 * it (test/fixtures/explain/ holds whole responses built on them). Pure.
 * @module
 */
import type { CauseCode } from './cause-codes.js'

export interface MessageShape {
  /** Matched against error_description, the body text and JSON error messages. */
  pattern: RegExp
  code: CauseCode
  /** Who says it, for the evidence line. */
  server: string
  /** Where the text comes from (repository and path). */
  source: string
}

const ASPNET = 'dotnet/aspnetcore src/Security/Authentication/JwtBearer/src/JwtBearerHandler.cs'
const IDENTITYMODEL = 'AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet src/Microsoft.IdentityModel.Tokens/LogMessages.cs'
const SPRING = 'spring-projects/spring-security oauth2/oauth2-jose (JwtTimestampValidator, JwtIssuerValidator) and oauth2-resource-server (BearerTokenError)'
const ENVOY = 'google/jwt_verify_lib src/status.cc (the texts of Envoy jwt_authn)'
const KONG = 'Kong/kong kong/plugins/jwt/handler.lua and jwt_parser.lua'
const JSONWEBTOKEN = 'auth0/node-jsonwebtoken verify.js (the messages express-jwt passes on)'
const EXPRESS_JWT = 'auth0/express-jwt src/index.ts'
const DOORKEEPER = 'doorkeeper-gem/doorkeeper config/locales/en.yml'
const JOSE = 'panva/jose src/lib/jwt_claims_set.ts, src/jws/flattened/verify.ts, src/jwks/local.ts (what Node APIs built on jose say)'
const GRAPH = 'Microsoft Graph error responses (InvalidAuthenticationToken)'
const ARM = 'Azure Resource Manager error responses (ExpiredAuthenticationToken, InvalidAuthenticationToken*)'

const m = (pattern: RegExp, code: CauseCode, server: string, source: string): MessageShape => ({ pattern, code, server, source })

/** In order: the first shape that matches a text names its cause (specific ones first). */
export const MESSAGE_SHAPES: readonly MessageShape[] = [
  // Microsoft.IdentityModel log messages (ASP.NET Core puts them in logs, some APIs in bodies)
  m(/IDX10223\b/, 'expired', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX10222\b/, 'not_yet_valid', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX10214\b|IDX10231\b/, 'wrong_audience', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX10205\b|IDX10204\b/, 'wrong_issuer', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX10501\b|IDX10503\b|IDX10500\b/, 'unknown_key', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX10511\b|IDX10504\b|IDX10517\b/, 'signature_invalid', 'Microsoft.IdentityModel', IDENTITYMODEL),
  m(/IDX14100\b|IDX12741\b|IDX14102\b|IDX12709\b/, 'malformed_token', 'Microsoft.IdentityModel', IDENTITYMODEL),
  // ASP.NET Core JwtBearer error_description
  m(/^The token expired at\b|^The token is expired\b/i, 'expired', 'ASP.NET Core JwtBearer', ASPNET),
  m(/^The token is not valid (?:yet|before)\b/i, 'not_yet_valid', 'ASP.NET Core JwtBearer', ASPNET),
  m(/^The audience (?:'[^']*' )?is invalid/i, 'wrong_audience', 'ASP.NET Core JwtBearer', ASPNET),
  m(/^The issuer (?:'[^']*' )?is invalid/i, 'wrong_issuer', 'ASP.NET Core JwtBearer', ASPNET),
  m(/^The signature key was not found/i, 'unknown_key', 'ASP.NET Core JwtBearer', ASPNET),
  m(/^The signature is invalid/i, 'signature_invalid', 'ASP.NET Core JwtBearer', ASPNET),
  // Spring Security
  m(/Jwt expired at\b/i, 'expired', 'Spring Security', SPRING),
  m(/Jwt used before\b/i, 'not_yet_valid', 'Spring Security', SPRING),
  m(/The iss claim is not valid/i, 'wrong_issuer', 'Spring Security', SPRING),
  m(/The aud claim is not valid|aud claim is not equal/i, 'wrong_audience', 'Spring Security', SPRING),
  m(/Another algorithm expected, or no matching key/i, 'unknown_key', 'Spring Security (Nimbus)', SPRING),
  m(/Signed JWT rejected: Invalid signature/i, 'signature_invalid', 'Spring Security (Nimbus)', SPRING),
  m(/Bearer token is malformed|Malformed token|Invalid JWT serialization/i, 'malformed_token', 'Spring Security', SPRING),
  m(/requires higher privileges than provided by the access token/i, 'insufficient_scope', 'Spring Security', SPRING),
  // Envoy jwt_authn (google/jwt_verify_lib texts)
  m(/^Jwt is expired$/i, 'expired', 'Envoy jwt_authn', ENVOY),
  m(/^Jwt not yet valid$/i, 'not_yet_valid', 'Envoy jwt_authn', ENVOY),
  m(/^Jwt is missing$/i, 'token_missing', 'Envoy jwt_authn', ENVOY),
  m(/^Jwt is not in the form of Header\.Payload\.Signature|^Jwt (?:header|payload) is an invalid/i, 'malformed_token', 'Envoy jwt_authn', ENVOY),
  m(/^Audiences in Jwt are not allowed$/i, 'wrong_audience', 'Envoy jwt_authn', ENVOY),
  m(/^Jwt issuer is not configured$/i, 'wrong_issuer', 'Envoy jwt_authn', ENVOY),
  m(/^Jwks doesn't have key to match kid or alg from Jwt$/i, 'unknown_key', 'Envoy jwt_authn', ENVOY),
  m(/^Jwt verification fails$/i, 'signature_invalid', 'Envoy jwt_authn', ENVOY),
  // Kong jwt plugin
  m(/^token expired$/i, 'expired', 'Kong jwt plugin', KONG),
  m(/^token not valid yet$/i, 'not_yet_valid', 'Kong jwt plugin', KONG),
  m(/^Invalid signature$/i, 'signature_invalid', 'Kong jwt plugin', KONG),
  m(/^No credentials found for given '/i, 'unknown_key', 'Kong jwt plugin', KONG),
  m(/^Bad token; /i, 'malformed_token', 'Kong jwt plugin', KONG),
  // jsonwebtoken / express-jwt
  m(/^(?:\w+Error: )?jwt expired$/i, 'expired', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?jwt not active$/i, 'not_yet_valid', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?jwt audience invalid/i, 'wrong_audience', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?jwt issuer invalid/i, 'wrong_issuer', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?invalid signature$/i, 'signature_invalid', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?(?:jwt malformed|invalid token|jwt must be provided)$/i, 'malformed_token', 'jsonwebtoken / express-jwt', JSONWEBTOKEN),
  m(/^(?:\w+Error: )?No authorization token was found$/i, 'token_missing', 'express-jwt', EXPRESS_JWT),
  // jose (panva), which many Node APIs put in their error_description
  m(/^"exp" claim timestamp check failed$/, 'expired', 'jose', JOSE),
  m(/^"nbf" claim timestamp check failed$|^"iat" claim timestamp check failed/, 'not_yet_valid', 'jose', JOSE),
  m(/^unexpected "aud" claim value$/, 'wrong_audience', 'jose', JOSE),
  m(/^unexpected "iss" claim value$/, 'wrong_issuer', 'jose', JOSE),
  m(/^no applicable key found in the JSON Web Key Set$/, 'unknown_key', 'jose', JOSE),
  m(/^signature verification failed$/, 'signature_invalid', 'jose', JOSE),
  m(/^Invalid Compact JWS$|^Invalid JWT$|^JWTs must (?:use Compact JWS serialization|contain a payload)/, 'malformed_token', 'jose', JOSE),
  // Doorkeeper (Rails)
  m(/^The access token expired$/i, 'expired', 'Doorkeeper', DOORKEEPER),
  m(/^The access token was revoked$/i, 'revoked', 'Doorkeeper', DOORKEEPER),
  // Microsoft Graph
  m(/Access token has expired or is not yet valid|Lifetime validation failed/i, 'expired', 'Microsoft Graph', GRAPH),
  m(/Access token is empty/i, 'token_missing', 'Microsoft Graph', GRAPH),
  m(/Invalid audience/i, 'wrong_audience', 'Microsoft Graph', GRAPH),
  m(/CompactToken parsing failed|JWT is not well formed/i, 'malformed_token', 'Microsoft Graph', GRAPH),
  m(/Insufficient privileges to complete the operation/i, 'insufficient_scope', 'Microsoft Graph', GRAPH),
  // Azure Resource Manager
  m(/ExpiredAuthenticationToken|access token expiry UTC time '[^']*' is earlier than current UTC time/i, 'expired', 'Azure Resource Manager', ARM),
  m(/InvalidAuthenticationTokenAudience|obtained for wrong audience or resource/i, 'wrong_audience', 'Azure Resource Manager', ARM),
  m(/InvalidAuthenticationTokenTenant|access token is from the wrong issuer/i, 'wrong_issuer', 'Azure Resource Manager', ARM),
  m(/The 'Authorization' header is missing|missing 'Authorization' header/i, 'token_missing', 'Azure Resource Manager', ARM),
  m(/\bAuthorizationFailed\b|does not have authorization to perform action/i, 'insufficient_scope', 'Azure Resource Manager', ARM),
  // CAE (Entra ID resources) and anyone who says it plainly
  m(/TokenIssuedBeforeRevocationTimestamp|session has been revoked|token (?:has been|was|is) revoked/i, 'revoked', 'the resource', 'azure-sdk-for-go sdk/azcore/arm/runtime/policy_bearer_token_test.go, azure-sdk-for-net Azure.Storage tests'),
  m(/Tenant IP Policy validate failed|LocationConditionEvaluationSatisfied/i, 'ip_policy', 'the resource', 'azure-sdk-for-python sdk/core/azure-mgmt-core/tests/test_authentication.py'),
  m(/Request Header Or Cookie Too Large|Request header (?:fields? )?too large|header too long/i, 'header_too_large', 'the web server', 'nginx and Apache error pages'),
]

export interface MessageMatch {
  shape: MessageShape
  /** The text that matched (cut to 300 characters by the caller's view). */
  text: string
}

/** The server texts of a response worth matching: JSON `message`/`error_description`/`code` values, or the text itself. */
export function serverTexts(body: string | null): string[] {
  if (!body) return []
  const out: string[] = []
  try {
    const doc: unknown = JSON.parse(body)
    const visit = (v: unknown, depth: number) => {
      if (depth > 6) return
      if (typeof v === 'string') out.push(v)
      else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1))
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (!/^(?:date|request-id|client-request-id|timestamp|path|correlationId)$/i.test(k)) visit(x, depth + 1)
    }
    visit(doc, 0)
  } catch {
    out.push(...body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l.length < 2000).slice(0, 20))
  }
  return out
}

/** Every shape that matches one of `texts`, each shape once, in the order of the table. */
export function matchMessages(texts: readonly string[]): MessageMatch[] {
  const out: MessageMatch[] = []
  for (const shape of MESSAGE_SHAPES) {
    const text = texts.find((t) => shape.pattern.test(t.trim()))
    if (text !== undefined && !out.some((o) => o.shape.code === shape.code && o.shape.server === shape.server)) out.push({ shape, text: text.trim() })
  }
  return out
}
