/**
 * The system's words for an errno, for one-line messages: "ELOOP (too many levels of symbolic
 * links)". Shared by the store and by files named on the command line, so that the same
 * failure reads the same wherever it comes from. A switch, not a table: nothing is built at
 * start-up, and no code can find Object.prototype's members.
 * @module
 */

function wordsFor(code: string): string | undefined {
  switch (code) {
    case 'ENOSPC':
      return 'no space left on device'
    case 'EDQUOT':
      return 'disk quota exceeded'
    case 'EROFS':
      return 'read-only file system'
    case 'EACCES':
      return 'permission denied'
    case 'EPERM':
      return 'operation not permitted'
    case 'EIO':
      return 'input/output error'
    case 'ENOTDIR':
      return 'a path component is not a directory'
    case 'ELOOP':
      return 'too many levels of symbolic links'
    case 'ENAMETOOLONG':
      return 'the name is too long'
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files'
    case 'ENXIO':
    case 'ENODEV':
      return 'no such device'
    case 'EBUSY':
      return 'device or resource busy'
    case 'EISDIR':
      return 'is a directory'
    case 'ENOENT':
      return 'no such file or directory'
    default:
      return undefined
  }
}

/** "CODE (words)" for a system error, its code alone when it has no words here, its message when it has no code. */
export function explainErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (typeof code !== 'string') return String((e as Error | undefined)?.message ?? e)
  const words = wordsFor(code)
  return words === undefined ? code : `${code} (${words})`
}
