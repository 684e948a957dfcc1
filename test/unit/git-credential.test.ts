import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatGitCredential, parseGitCredentialRequest, profilesForHost, safeToSend } from '../../src/core/git-credential.js'
import { InputError } from '../../src/errors.js'

describe("git's credential request", () => {
  it('reads key=value lines up to the blank line; repeated keys as lists; a value may hold "="', () => {
    const r = parseGitCredentialRequest('protocol=https\nhost=git.example.com:8443\npath=a/b.git\nwwwauth[]=Basic realm="x"\nwwwauth[]=Bearer realm="y", error="invalid_token"\npassword=a=b\n\nhost=ignored\n')
    expect(r).toMatchObject({ protocol: 'https', host: 'git.example.com:8443', path: 'a/b.git', password: 'a=b' })
    expect(r.attributes['wwwauth[]']).toEqual(['Basic realm="x"', 'Bearer realm="y", error="invalid_token"'])
  })
  it('an empty value of a list key clears it (as git does); end of input ends the request', () => {
    expect(parseGitCredentialRequest('capability[]=a\ncapability[]=\ncapability[]=b').attributes['capability[]']).toEqual(['b'])
    expect(parseGitCredentialRequest('')).toEqual({ attributes: {} })
  })
  it('anything that is not key=value is an InputError, never another exception', () => {
    expect(() => parseGitCredentialRequest('hello\n')).toThrow(InputError)
    expect(() => parseGitCredentialRequest('=x\n')).toThrow(InputError)
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseGitCredentialRequest(s)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
    )
  })
})

describe('which profile answers', () => {
  const profiles = [
    { profile: 'corp', issuer: 'https://login.corp.example', gitHosts: ['git.corp.example'] },
    { profile: 'forge', issuer: 'https://forge.example:8443/oauth' },
    { profile: 'both', issuer: 'https://git.corp.example' },
  ]
  it('a saved git host wins over an issuer on that host; the issuer host counts with its port', () => {
    expect(profilesForHost('GIT.corp.example', profiles)).toEqual(['corp'])
    expect(profilesForHost('forge.example:8443', profiles)).toEqual(['forge'])
    expect(profilesForHost('forge.example', profiles)).toEqual([])
    expect(profilesForHost('github.com', profiles)).toEqual([])
  })
  it('https anywhere, plain http only to loopback', () => {
    expect(safeToSend('https', 'git.example.com')).toBe(true)
    expect(safeToSend('http', '127.0.0.1:8080')).toBe(true)
    expect(safeToSend('http', 'localhost')).toBe(true)
    expect(safeToSend('http', 'git.example.com')).toBe(false)
    expect(safeToSend('http', '127.0.0.1.evil.example')).toBe(false)
    expect(safeToSend(undefined, 'localhost')).toBe(false)
  })
})

describe("tokentool's answer", () => {
  it('username, password, password_expiry_utc (epoch seconds) when known', () => {
    expect(formatGitCredential({ username: 'oauth2', password: 'tok', expiresAt: 1_767_225_600 })).toBe('username=oauth2\npassword=tok\npassword_expiry_utc=1767225600\n')
    expect(formatGitCredential({ username: 'oauth2', password: 'tok' })).toBe('username=oauth2\npassword=tok\n')
  })
  it('a token with a line break cannot be said in the protocol: refused', () => {
    expect(() => formatGitCredential({ username: 'u', password: 'a\nprotocol=http' })).toThrow(InputError)
  })
})
