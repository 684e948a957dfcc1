/**
 * A loopback port that is free now: for a redirect URI that must name its port before the
 * listener opens (a client registered with a fixed-port loopback redirect URI, RFC 8252 §7.3).
 * @module
 */
import { createServer } from 'node:net'

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}
