/**
 * What a FAPI 2.0 client needs from an authorization server (FAPI 2.0 Security Profile §5.3),
 * read from its metadata: pushed authorization requests, required; PKCE S256; only the
 * `code` response type; RFC 9207 `iss` in authorization responses; sender-constrained tokens
 * (DPoP or mTLS certificate-bound tokens); client authentication by `private_key_jwt` or
 * mTLS only. Each requirement is a row with what the metadata says. Pure.
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3
 * @module
 */

export interface FapiRequirement {
  name: string
  ok: boolean
  detail: string
}

export interface FapiSummary {
  /** Every requirement the metadata can show is met. */
  ready: boolean
  requirements: FapiRequirement[]
  /** The names of those not met, for one line. */
  missing: string[]
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
const FAPI_AUTH = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']

export function fapi2Summary(m: Record<string, unknown>): FapiSummary {
  const r: FapiRequirement[] = []
  const par = typeof m.pushed_authorization_request_endpoint === 'string'
  r.push({ name: 'PAR', ok: par, detail: par ? 'pushed_authorization_request_endpoint' : 'no pushed_authorization_request_endpoint (RFC 9126)' })
  const parRequired = m.require_pushed_authorization_requests === true
  r.push({ name: 'PAR required', ok: parRequired, detail: parRequired ? 'require_pushed_authorization_requests: true' : 'require_pushed_authorization_requests is not true: requests without PAR are accepted' })
  const pkce = strings(m.code_challenge_methods_supported)
  r.push({ name: 'PKCE S256', ok: pkce.includes('S256'), detail: pkce.length ? pkce.join(', ') : 'code_challenge_methods_supported is absent' })
  const types = strings(m.response_types_supported)
  const codeOnly = types.length > 0 && types.every((t) => t === 'code')
  r.push({ name: 'response type code only', ok: codeOnly, detail: types.length ? types.join(', ') : 'response_types_supported is absent' })
  const iss = m.authorization_response_iss_parameter_supported === true
  r.push({ name: 'iss in responses', ok: iss, detail: iss ? 'RFC 9207' : 'authorization_response_iss_parameter_supported is not true (RFC 9207 mix-up defence)' })
  const dpop = strings(m.dpop_signing_alg_values_supported)
  const mtlsBound = m.tls_client_certificate_bound_access_tokens === true
  const constrained = dpop.length > 0 || mtlsBound
  r.push({
    name: 'sender-constrained tokens',
    ok: constrained,
    detail: constrained ? [dpop.length ? `DPoP (${dpop.join(', ')})` : '', mtlsBound ? 'mTLS certificate-bound' : ''].filter(Boolean).join(' and ') : 'neither DPoP (dpop_signing_alg_values_supported) nor mTLS (tls_client_certificate_bound_access_tokens)',
  })
  const auth = strings(m.token_endpoint_auth_methods_supported)
  const fapiAuth = auth.filter((a) => FAPI_AUTH.includes(a))
  const others = auth.filter((a) => !FAPI_AUTH.includes(a))
  r.push({
    name: 'client authentication',
    ok: fapiAuth.length > 0,
    detail: fapiAuth.length ? `${fapiAuth.join(', ')}${others.length ? ` (also offers ${others.join(', ')}, which a FAPI 2.0 client must not use)` : ''}` : auth.length ? `only ${auth.join(', ')}: FAPI 2.0 needs private_key_jwt or mTLS` : 'token_endpoint_auth_methods_supported is absent',
  })
  const missing = r.filter((x) => !x.ok).map((x) => x.name)
  return { ready: missing.length === 0, requirements: r, missing }
}
