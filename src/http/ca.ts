/** `--cacert FILE`: the PEM certificates of a private CA, read and checked before any request. @module */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { InputError } from '../errors.js'

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The file's text when it holds at least one PEM certificate that parses. Throws InputError
 * (exit 2) otherwise: a CA file that trusts nothing would only turn into a puzzling TLS error.
 */
export async function readCaFile(path: string, cwd: string): Promise<string> {
  let text: string
  try {
    text = await readFile(resolve(cwd, path), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code ?? e)
    throw new InputError(`cannot read --cacert ${path}: ${why}`)
  }
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
