// The settings a test's app runs with: this run's database, Redis prefix and secret, as the server would read
// them from its environment.
import { inject } from 'vitest';
import { testEnvironment } from '../setup/environment.js';
import { TEST_JWT_SECRET } from './tokens.js';

export interface TestEnvironmentOptions {
  /** Use Redis for pub/sub (the default); false runs the in-memory bus. */
  redis?: boolean;
  /** More environment variables, as the server would read them. */
  env?: Record<string, string | undefined>;
}

/** The environment a test server runs with: this run's database, Redis prefix and secret. */
export function testServerEnvironment({
  redis = true,
  env = {},
}: TestEnvironmentOptions = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: testEnvironment().logLevel,
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: redis ? inject('redisUrl') : undefined,
    REDIS_KEY_PREFIX: inject('redisPrefix'),
    JWT_SECRET: TEST_JWT_SECRET,
    // Tests make hundreds of notifications for one user in seconds; the limit has a test of its own.
    RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '1000000',
    // The tests' push service listens on 127.0.0.1; test/delivery/push-endpoints.fast.test.ts checks the guard.
    PUSH_PRIVATE_ENDPOINTS: 'true',
    ...env,
  };
}
