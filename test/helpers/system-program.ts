/**
 * Tests that need a system program (Chromium, zsh, fish, glewlwyd, kubectl, git …).
 *
 * The rule (DEVELOPERS.md, issue #19): on a developer's machine a missing program must not fail
 * `npm test`; the test says loudly that it did not run, why, and the one command that enables
 * it. Under `CI=true` a missing program is a failure (`.ci/run` installs them all).
 *
 *   const chromium = findProgram(CHROMIUM)
 *   describeWithProgram(chromium, 'browser login', (path) => { beforeAll(...); it(...) })
 *
 * Use `describeWithProgram` (not `it.skipIf`) so the rule is the same everywhere.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { describe, it } from 'vitest'

export interface ProgramSpec {
  /** What a person calls it: "Chromium". */
  name: string
  /** Names looked up on PATH, first found wins. */
  commands?: readonly string[]
  /** Absolute paths where it usually lives (checked before PATH). */
  paths?: readonly string[]
  /** An environment variable that names the executable; when set, only it is considered. */
  envVar?: string
  /** The one command that makes it available. */
  enable: string
}

export type Found = { ok: true; spec: ProgramSpec; path: string } | { ok: false; spec: ProgramSpec; why: string }

export const CHROMIUM: ProgramSpec = {
  name: 'Chromium',
  envVar: 'CHROMIUM_PATH',
  paths: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
  commands: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
  enable: 'sudo apt-get install -y chromium   (or set CHROMIUM_PATH=/path/to/chrome)',
}

export const ZSH: ProgramSpec = { name: 'zsh', commands: ['zsh'], enable: 'sudo apt-get install -y zsh' }
export const FISH: ProgramSpec = { name: 'fish', commands: ['fish'], enable: 'sudo apt-get install -y fish' }

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Where the program is, or why it is not there. `env` is a parameter so a test can hide one. */
export function findProgram(spec: ProgramSpec, env: NodeJS.ProcessEnv = process.env): Found {
  const named = spec.envVar ? env[spec.envVar] : undefined
  if (named) {
    // the user chose this one: never fall back to another silently
    return executable(named) ? { ok: true, spec, path: named } : { ok: false, spec, why: `${spec.envVar}=${named} is not an executable file` }
  }
  for (const p of spec.paths ?? []) if (executable(p)) return { ok: true, spec, path: p }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const c of spec.commands ?? []) {
    for (const d of dirs) {
      const p = join(d, c)
      if (executable(p)) return { ok: true, spec, path: p }
    }
  }
  const looked = [...(spec.envVar ? [`$${spec.envVar}`] : []), ...(spec.paths ?? []), ...(spec.commands ?? []).map((c) => `${c} on PATH`)]
  return { ok: false, spec, why: `not found (looked at ${looked.join(', ')})` }
}

export function underCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

/** The loud line a skipped suite prints; also the skipped test's name. */
export function notRunMessage(found: Extract<Found, { ok: false }>, what: string): string {
  return `DID NOT RUN: ${what} — ${found.spec.name} ${found.why}. To run it: ${found.spec.enable}`
}

/**
 * `describe` that runs `body(path)` when the program is there. When it is missing: under CI a
 * failing test that names the program; elsewhere a skipped test whose name, and a banner on
 * stderr, say what did not run, why and how to enable it.
 */
export function describeWithProgram(found: Found, what: string, body: (path: string) => void): void {
  if (found.ok) {
    describe(what, () => body(found.path))
    return
  }
  const message = notRunMessage(found, what)
  if (underCI()) {
    describe(what, () => {
      it(`${found.spec.name} is required under CI=true`, () => {
        throw new Error(`${found.spec.name} ${found.why}; CI must have it (.ci/run installs it): ${found.spec.enable}`)
      })
    })
    return
  }
  const bar = '!'.repeat(Math.min(100, message.length))
  console.warn(`\n${bar}\n${message}\n${bar}\n`)
  describe(what, () => {
    it.skip(message, () => {})
  })
}
