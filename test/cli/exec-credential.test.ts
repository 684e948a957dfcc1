/** `token --format exec-credential` without kubectl: what it refuses before any work. */
import { expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

it('an ExecCredential version tokentool does not speak: one line naming the ones it does, exit 2', async () => {
  const r = await runCli(['token', '--format', 'exec-credential', '--profile', 'k'], { env: { KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{"interactive":false}}' } })
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toBe('tokentool: KUBERNETES_EXEC_INFO asks for ExecCredential "client.authentication.k8s.io/v1alpha1"; tokentool answers client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1 (set apiVersion: client.authentication.k8s.io/v1 in the kubeconfig\'s exec entry)\n')
})

it('interactive: false and no credentials: the error line, nothing on stdout, no prompt', async () => {
  const r = await runCli(['token', '--format', 'exec-credential', '--profile', 'k'], { env: { KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}' } })
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(/^tokentool: no profile "k" and no --issuer\/--client-id: nothing to get a token with \(sign in with: tokentool login --profile k;/)
})
