/**
 * The start-up fast path hands a run over to the full program when the run needs more than
 * the fast bundle holds. In that bundle (scripts/build.js) every lazily loaded module (the
 * OAuth client for a refresh, jose for decryption) is replaced by one that throws HandOver,
 * so a `token` whose cache cannot answer goes on as if the fast path had never been there.
 * @module
 */
export class HandOver extends Error {
  constructor(readonly needs: string) {
    super(`the start-up fast path does not include ${needs}`)
  }
}

export function handOver(needs: string): never {
  throw new HandOver(needs)
}
