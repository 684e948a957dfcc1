/**
 * stdin already read, as a stream to read again: git's request to `git-credential get`, read
 * by the start-up fast path and handed over with the run to the full program (start.ts,
 * process.ts). It is read as commands read stdin (input.ts readStream: its chunks).
 * @module
 */
export function replayStdin(bytes: Buffer): NodeJS.ReadableStream {
  return {
    async *[Symbol.asyncIterator]() {
      if (bytes.length > 0) yield bytes
    },
  } as unknown as NodeJS.ReadableStream
}
