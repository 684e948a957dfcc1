/** RFC 9728 in the pure core: the well-known URL, the resource match, the document checks. */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  checkResourceMetadata,
  chooseAuthorizationServer,
  resourceCovers,
  resourceLoginCommand,
  resourceMetadataUrl,
  sameResource,
} from '../../src/core/resource-metadata.js'
import { isSecureOrLoopback } from '../../src/http/loopback.js'
import { nativeClientMetadata } from '../../src/oauth/registration.js'
import { resourceMetadataFromHeader } from '../../src/oauth/resource-metadata.js'

describe('resourceMetadataUrl (RFC 9728 §3.1)', () => {
  it.each([
    // the examples of §3.1, and the origin-only forms
    ['https://resource.example.com', 'https://resource.example.com/.well-known/oauth-protected-resource'],
    ['https://resource.example.com/', 'https://resource.example.com/.well-known/oauth-protected-resource'],
    ['https://resource.example.com/resource1', 'https://resource.example.com/.well-known/oauth-protected-resource/resource1'],
    ['https://api.example.com/v1/mcp?tenant=a', 'https://api.example.com/.well-known/oauth-protected-resource/v1/mcp?tenant=a'],
    ['http://127.0.0.1:8080/mcp', 'http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp'],
  ])('%s → %s', (resource, expected) => {
    expect(resourceMetadataUrl(new URL(resource)).href).toBe(expected)
  })
})

describe('the resource must be the one asked for (§3.3)', () => {
  const doc = (resource: unknown, more: Record<string, unknown> = {}) => ({ resource, authorization_servers: ['https://as.example'], ...more })
  const check = (body: unknown, expected: string, covering = false) => checkResourceMetadata(body, expected, isSecureOrLoopback, { covering })

  it('identical values match; an origin with and without its "/" is one URL', () => {
    expect(check(doc('https://api.example/mcp'), 'https://api.example/mcp').ok).toBe(true)
    expect(sameResource('https://api.example', 'https://api.example/')).toBe(true)
    expect(sameResource('https://api.example/mcp', 'https://api.example/mcp/')).toBe(false)
    expect(sameResource('https://api.example/mcp', 'https://API.example/mcp')).toBe(false)
  })

  it('another resource is refused, with both values named', () => {
    const v = check(doc('https://evil.example/mcp'), 'https://api.example/mcp')
    expect(v).toEqual({ ok: false, problem: expect.stringMatching(/"https:\/\/evil\.example\/mcp", not "https:\/\/api\.example\/mcp"/) })
  })

  it('for call, a resource covers the URLs under its path, on the same origin only', () => {
    expect(resourceCovers('https://api.example/mcp', 'https://api.example/mcp/tools/list')).toBe(true)
    expect(resourceCovers('https://api.example/', 'https://api.example/anything')).toBe(true)
    expect(resourceCovers('https://api.example/mcp', 'https://api.example/mcpx')).toBe(false)
    expect(resourceCovers('https://api.example/mcp', 'https://other.example/mcp/x')).toBe(false)
    expect(resourceCovers('https://api.example/mcp', 'http://api.example/mcp/x')).toBe(false)
    expect(check(doc('https://api.example/mcp'), 'https://api.example/mcp/tools', true).ok).toBe(true)
    expect(check(doc('https://api.example/mcp'), 'https://api.example/mcp/tools').ok).toBe(false)
  })

  it.each([
    [null, /not a JSON object/],
    [[1], /not a JSON object/],
    [{ authorization_servers: [] }, /no "resource" string/],
    [doc('https://api.example/mcp', { scopes_supported: 'read' }), /"scopes_supported" that is not a list of strings/],
    [doc('https://api.example/mcp', { authorization_servers: ['http://as.example'] }), /not an https URL: "http:\/\/as\.example"/],
    [doc('https://api.example/mcp', { authorization_servers: ['not a url'] }), /not an https URL/],
  ])('unusable: %j', (body, problem) => {
    const v = check(body, 'https://api.example/mcp')
    expect(v.ok).toBe(false)
    if (!v.ok) expect(v.problem).toMatch(problem)
  })

  it('harmless oddities are warnings, and loopback http is allowed for local servers', () => {
    const v = check(doc('http://127.0.0.1:9/mcp', { authorization_servers: ['http://127.0.0.1:8/'], jwks_uri: 'http://jwks.example', dpop_bound_access_tokens_required: 'yes', signed_metadata: 'eyJ...' }), 'http://127.0.0.1:9/mcp')
    expect(v.ok).toBe(true)
    if (v.ok) expect(v.warnings).toEqual(['"dpop_bound_access_tokens_required" is not a boolean; ignored', '"jwks_uri" is not an https URL', '"signed_metadata" is present and was not verified: the plain values were used'])
  })

  it('property: any JSON value ends in a verdict, never an exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.webUrl(), fc.boolean(), (body, url, covering) => {
        const v = check(body, url, covering)
        expect(typeof v.ok).toBe('boolean')
      }),
    )
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('resource', 'authorization_servers', 'scopes_supported', 'jwks_uri', 'dpop_bound_access_tokens_required'), fc.jsonValue()), fc.webUrl(), (body, url) => {
        expect(typeof check(body, url).ok).toBe('boolean')
      }),
    )
  })
})

describe('choosing the authorization server', () => {
  const m = (servers?: string[]) => ({ resource: 'https://r.example', ...(servers ? { authorization_servers: servers } : {}) })
  it('the only one, --issuer among several, a question otherwise', () => {
    expect(chooseAuthorizationServer(m(['https://a']), undefined)).toEqual({ kind: 'chosen', issuer: 'https://a' })
    expect(chooseAuthorizationServer(m(['https://a', 'https://b']), 'https://b')).toEqual({ kind: 'chosen', issuer: 'https://b' })
    expect(chooseAuthorizationServer(m(['https://a', 'https://b']), undefined)).toEqual({ kind: 'ask', servers: ['https://a', 'https://b'] })
    expect(chooseAuthorizationServer(m(['https://a']), 'https://c')).toEqual({ kind: 'not-listed', wanted: 'https://c', servers: ['https://a'] })
    expect(chooseAuthorizationServer(m(), undefined)).toEqual({ kind: 'none' })
  })
})

describe('what is sent and shown', () => {
  it('registers a native public client: no secret, code + refresh, the one redirect URI', () => {
    expect(nativeClientMetadata('http://127.0.0.1:53682/callback')).toEqual({
      client_name: 'tokentool',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:53682/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    })
  })

  it('the login command is quoted for a shell and safe for a terminal', () => {
    expect(resourceLoginCommand('https://api.example/mcp')).toBe('tokentool login --resource https://api.example/mcp')
    expect(resourceLoginCommand('https://api.example/a b', { profile: 'work', issuer: 'https://as' })).toBe("tokentool --profile work login --resource 'https://api.example/a b' --issuer https://as")
    expect(resourceLoginCommand('https://api.example/\u001b]52;c;x\u0007')).not.toMatch(/[\u0000-\u001f]/)
  })

  it('reads resource_metadata from a challenge, and nothing from a broken one', () => {
    expect(resourceMetadataFromHeader('Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource/mcp"')).toBe('https://api.example/.well-known/oauth-protected-resource/mcp')
    expect(resourceMetadataFromHeader('Basic realm="x", Bearer error="invalid_token", resource_metadata="https://r"')).toBe('https://r')
    expect(resourceMetadataFromHeader('Bearer realm="x"')).toBeUndefined()
    expect(resourceMetadataFromHeader(null)).toBeUndefined()
  })
})
