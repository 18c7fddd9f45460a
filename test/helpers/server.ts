// A real server on a free port, over this run's database and Redis prefix.
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { testEnvironment } from '../setup/environment.js';

export const TEST_JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

export interface TestServerOptions {
  /** Use Redis for pub/sub (the default); false runs the in-memory bus. */
  redis?: boolean;
  /** More environment variables, as the server would read them. */
  env?: Record<string, string | undefined>;
  /** Where the server logs; by default a logger at the test log level. */
  logger?: Logger;
}

/** The environment a test server runs with: this run's database, Redis prefix and secret. */
export function testServerEnvironment({
  redis = true,
  env = {},
}: TestServerOptions = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: testEnvironment().logLevel,
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: redis ? inject('redisUrl') : undefined,
    REDIS_KEY_PREFIX: inject('redisPrefix'),
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(testServerEnvironment(options));
  return startServer(config, options.logger ?? createLogger(config.logLevel));
}
