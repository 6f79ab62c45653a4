import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Temporal SDK's native worker and the servers it spawns belong in processes of their own,
    // which worker threads are not.
    pool: 'forks',
    // Starting a test server, bundling workflows and running cases through PostgreSQL takes
    // seconds, and far longer on a busy two-core CI machine than on a laptop.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
  },
});
