import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // the machines have 2 cores; CLI and e2e tests spawn processes of their own
    maxWorkers: 2,
  },
})
