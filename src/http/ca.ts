/** `--cacert FILE`: the PEM certificates of a private CA, checked before any request. @module */
import { X509Certificate } from 'node:crypto'
import { InputError } from '../errors.js'

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The certificates of the --cacert file's text (read by the caller, cli/input.ts's bounded
 * reader), when it holds at least one PEM certificate that parses. Throws InputError (exit 2)
 * otherwise: a CA file that trusts nothing would only turn into a puzzling TLS error.
 */
export function caCertificates(text: string, path: string): string {
  const certs = text.match(PEM_CERT) ?? []
  if (certs.length === 0) throw new InputError(`--cacert ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  for (const [i, pem] of certs.entries()) {
    try {
      new X509Certificate(pem)
    } catch {
      throw new InputError(`--cacert ${path}: certificate ${i + 1} is not a valid X.509 certificate`)
    }
  }
  return certs.join('\n')
}
