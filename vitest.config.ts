import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for the app, the tests and every library, or `instanceof GraphQLError` breaks.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The suite talks to real PostgreSQL and Redis; two cores run two files at a time well.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
