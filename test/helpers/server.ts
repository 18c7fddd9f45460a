// A real server on a free port, over this run's database and Redis prefix.
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { testEnvironment } from '../setup/environment.js';
import { type UserClient, userClient } from './graphql.js';
import { newUserId, TEST_JWT_SECRET, tokenFor } from './tokens.js';

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
    // Tests make hundreds of notifications for one user in seconds; the limit has a test of its own.
    RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '1000000',
    ...env,
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(testServerEnvironment(options));
  return startServer(config, options.logger ?? createLogger(config.logLevel));
}

export interface SharedTestServer {
  readonly server: RunningServer;
  readonly url: string;
  /** A client for a user no other test knows. */
  newUser(): Promise<UserClient>;
}

/** One server for every test of the calling file: started before them, stopped after. */
export function useTestServer(options: TestServerOptions = {}): SharedTestServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(() => server?.stop());
  const running = () => {
    if (!server) throw new Error('the test server is not running yet');
    return server;
  };
  return {
    get server() {
      return running();
    },
    get url() {
      return running().url;
    },
    async newUser() {
      const userId = newUserId();
      return userClient(running().url, userId, await tokenFor(userId));
    },
  };
}
