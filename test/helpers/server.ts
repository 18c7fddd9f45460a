// A real server on a free port, over this run's database and Redis prefix.
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { type TestEnvironmentOptions, testServerEnvironment } from './config.js';
import { type UserClient, userClient } from './graphql.js';
import { newUserId, tokenFor } from './tokens.js';

export { testServerEnvironment };

export interface TestServerOptions extends TestEnvironmentOptions {
  /** Where the server logs; by default a logger at the test log level. */
  logger?: Logger;
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
