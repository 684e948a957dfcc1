import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { execCredential, parseExecInfo, rfc3339 } from '../../src/core/exec-credential.js'
import { UsageError } from '../../src/errors.js'

describe('KUBERNETES_EXEC_INFO', () => {
  it('absent (run by hand): v1, interactive', () => {
    expect(parseExecInfo(undefined)).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', interactive: true })
    expect(parseExecInfo('  ')).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', interactive: true })
  })
  it('what kubectl 1.32 and 1.20 send', () => {
    // kubectl 1.32, interactiveMode: Never
    expect(parseExecInfo('{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}')).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', interactive: false })
    expect(parseExecInfo('{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":true}}')).toEqual({ apiVersion: 'client.authentication.k8s.io/v1beta1', interactive: true })
    // cluster info (provideClusterInfo: true) is ignored
    expect(parseExecInfo('{"apiVersion":"client.authentication.k8s.io/v1","spec":{"cluster":{"server":"https://k"},"interactive":false}}').interactive).toBe(false)
  })
  it('a version tokentool does not speak, or junk, is a usage error naming what it does speak', () => {
    expect(() => parseExecInfo('{"apiVersion":"client.authentication.k8s.io/v1alpha1"}')).toThrow(/tokentool answers client\.authentication\.k8s\.io\/v1 or client\.authentication\.k8s\.io\/v1beta1/)
    expect(() => parseExecInfo('{nope')).toThrow(UsageError)
  })
  it('never throws anything but a UsageError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
        try {
          parseExecInfo(s)
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError)
        }
      }),
    )
  })
})

describe('ExecCredential', () => {
  it('status.token and an RFC 3339 expirationTimestamp in UTC to the second', () => {
    expect(execCredential('client.authentication.k8s.io/v1', 'tok', 1_767_225_600)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'tok', expirationTimestamp: '2026-01-01T00:00:00Z' },
    })
    expect(rfc3339(0)).toBe('1970-01-01T00:00:00Z')
  })
  it('no expiry: no expirationTimestamp', () => {
    expect(execCredential('client.authentication.k8s.io/v1beta1', 'tok', undefined)).toEqual({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'tok' } })
  })
})
