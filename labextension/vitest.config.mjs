// Unit tests of the sidebar's model (test/*.spec.ts), in Node, against real jupyter servers
// started by test/server.mjs with the jupyter_wellml extension of this checkout.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    environment: 'node',
    globalSetup: ['test/server.mjs'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false
  }
});
