import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for the app, the tests and every library, or `instanceof GraphQLError` breaks.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The suite talks to real PostgreSQL and Redis; two cores run two files at a time well.
    maxWorkers: 2,
    reporters: ['default'],
    // The load tests (*.load.test.ts: fuzzing, isolation at scale) keep both cores busy for a minute; they
    // run after the rest, so that the timing of the others (outages, shutdown) is not theirs to bear.
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.load.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'load', include: ['test/**/*.load.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
