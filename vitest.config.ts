import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for the app, the tests and every library, or `instanceof GraphQLError` breaks.
    alias: { graphql: require.resolve('graphql') },
  },
  // The client package's sources, not its dist/, as in tsconfig.json; then Vite's own defaults for Node.
  ssr: { resolve: { conditions: ['@notification-api/source', 'module', 'node', 'development|production'] } },
  test: {
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The suite talks to real PostgreSQL and Redis; two cores run two files at a time well.
    maxWorkers: 2,
    reporters: ['default', './test/setup/tier-times.ts'],
    // Three tiers, one after the other. The fast tier (*.fast.test.ts) builds the app in-process
    // (test/helpers/app.ts) over the real PostgreSQL and answers through yoga.fetch: no socket, no Redis; it
    // runs first, so that a broken rule shows in seconds. The suite is every other test: real servers on
    // port 0, Redis, SSE, several instances and processes. The load tests (*.load.test.ts: fuzzing, isolation
    // at scale) keep both cores busy for a minute; they run last, so that the timing of the others
    // (outages, shutdown) is not theirs to bear.
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.fast.test.ts'],
          // Its files share a worker's modules, so the schema and the Prisma client load once per worker rather
          // than once per file (most of the tier's time otherwise); each file builds its own app all the same.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.fast.test.ts', 'test/**/*.load.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'load', include: ['test/**/*.load.test.ts'], sequence: { groupOrder: 2 } } },
    ],
    // On with --coverage (npm test), so that running one file stays quick and is not held to the threshold.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: [
        // Written by `prisma generate` and Pothos at install: not our code.
        'src/generated/**',
        // Run only as processes of their own (test/config/startup*.test.ts, test/cli/, test/build/ start them
        // and assert what a user sees), where v8 coverage inside vitest cannot follow: counted here they would
        // read 0 % however well tested.
        'src/main.ts',
        'src/cli/**',
        'src/dev/embedded-postgres.ts',
        'src/dev/dev-secret.ts',
        'src/dev/dev-vapid-keys.ts',
      ],
      reporter: [['text', { skipFull: true }], 'text-summary'],
      thresholds: { lines: 90 },
      // A run with a failing test fails anyway; the figure still tells what the others covered.
      reportOnFailure: true,
    },
  },
});
