// The app in this process, reached through Yoga's `fetch`: no HTTP server and no Redis (in-memory pub/sub and
// limits), over this run's real database. For the fast tier (*.fast.test.ts), whose tests need GraphQL requests
// and answers and PostgreSQL only; what needs a socket, SSE, Redis or several processes uses ./server.ts.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createTokenVerifier } from '../../src/auth.js';
import { loadConfig } from '../../src/config.js';
import { createDatabase } from '../../src/db.js';
import { loadTrustedDocuments } from '../../src/http/trusted-documents.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createPubSub } from '../../src/pubsub.js';
import { testServerEnvironment } from './config.js';
import {
  type ExecuteOptions,
  execute,
  type GraphQLResponse,
  type InProcessApp,
  type UserClient,
  userClient,
} from './graphql.js';
import { newUserId, tokenFor } from './tokens.js';

/** The origin requests appear to come from; nothing listens there. */
const ORIGIN = 'http://127.0.0.1';

export interface TestAppOptions {
  /** More environment variables, as the server would read them (a Redis URL among them is not used). */
  env?: Record<string, string | undefined>;
  /** Where the app logs; by default a logger at the test log level. */
  logger?: Logger;
}

export interface TestApp extends InProcessApp {
  app: App;
  /** Executes a document as `execute` of ./graphql.ts does over HTTP. */
  execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    options?: ExecuteOptions,
  ): Promise<GraphQLResponse<TData>>;
  /** A client for a user no other test knows. */
  newUser(): Promise<UserClient>;
}

export interface RunningTestApp extends TestApp {
  /** Disposes of Yoga, then closes the pub/sub and the database pool. */
  close(): Promise<void>;
}

/** Builds the app as src/server.ts does, minus the listening socket, Redis, the jobs and the intake. */
export async function createTestApp({ env, logger }: TestAppOptions = {}): Promise<RunningTestApp> {
  const config = loadConfig(testServerEnvironment({ redis: false, env }));
  const log = logger ?? createLogger(config.logLevel);
  const { manifest } = config.security.persistedOperations;
  const db = createDatabase(config.database.url as string, config.database.poolSize);
  const pubsub = await createPubSub({ keyPrefix: config.redis.keyPrefix, logger: log });
  const app = createApp({
    config,
    db,
    pubsub,
    logger: log,
    verifyToken: createTokenVerifier(config.jwt, config.security.maxUserTokenAgeSeconds),
    trustedDocuments: manifest ? loadTrustedDocuments(manifest) : undefined,
  });
  const endpoint: InProcessApp = { fetch: async (path, init) => app.yoga.fetch(new URL(path, ORIGIN), init) };
  return {
    app,
    fetch: endpoint.fetch,
    execute: (document, variables, options) => execute(endpoint, document, variables, options),
    async newUser() {
      const userId = newUserId();
      return userClient(endpoint, userId, await tokenFor(userId));
    },
    async close() {
      await app.yoga.dispose();
      await pubsub.close();
      await db.$disconnect();
    },
  };
}

/** One app for every test of the calling file: built before them, closed after. */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  let running: RunningTestApp | undefined;
  beforeAll(async () => {
    running = await createTestApp(options);
  });
  afterAll(() => running?.close());
  const built = () => {
    if (!running) throw new Error('the test app is not built yet');
    return running;
  };
  return {
    get app() {
      return built().app;
    },
    fetch: (path, init) => built().fetch(path, init),
    execute: (document, variables, options) => built().execute(document, variables, options),
    newUser: () => built().newUser(),
  };
}
