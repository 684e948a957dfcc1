/**
 * Random hex for temporary names and lock nonces. node:crypto is loaded only when the store
 * writes: a read (a `token` answered from its cache) does not pay its 15.7 M instructions.
 * @module
 */
export async function randomHex(bytes: number): Promise<string> {
  const { randomBytes } = await import('node:crypto')
  return randomBytes(bytes).toString('hex')
}
