/**
 * Opening the authorization URL in a browser: the `open` package, or the user's
 * `--browser-command`. A failure is reported and the flow goes on: the URL is printed anyway.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process'

/** Opens `url`; resolves with an error message when that was not possible, else undefined. */
export async function openBrowser(url: string, command?: string): Promise<string | undefined> {
  let child: ChildProcess
  try {
    if (command) {
      // the URL goes in as "$1", never through the shell's parser (it is full of & and ?)
      child = process.platform === 'win32'
        ? spawn(command, [url], { shell: true, detached: true, stdio: 'ignore' })
        : spawn('/bin/sh', ['-c', `${command} "$1"`, 'tokentool-browser', url], { detached: true, stdio: 'ignore' })
    } else {
      const open = (await import('open')).default
      child = await open(url)
    }
  } catch (e) {
    return (e as Error).message
  }
  return new Promise((resolve) => {
    let settled = false
    const done = (msg: string | undefined) => {
      if (settled) return
      settled = true
      child.unref()
      resolve(msg)
    }
    child.once('error', (e) => done(e.message))
    // a launcher that fails fast (no xdg-open, no display) exits non-zero within moments
    child.once('exit', (code) => done(code && code !== 0 ? `${command ?? 'the browser launcher'} exited with code ${code}` : undefined))
    setTimeout(() => done(undefined), 1500).unref()
  })
}
