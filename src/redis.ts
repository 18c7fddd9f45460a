// Every Redis connection of an instance, opened by role from one table. Roles whose options agree share a
// connection; a role gets one of its own when its options differ or when it holds its connection (a
// subscriber can send nothing but (UN)SUBSCRIBE; a blocking XREADGROUP holds it until it returns). Four at
// most per instance (the intake reader only where the intake runs), named so that CLIENT LIST tells them.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

type ConnectionOptions = Pick<
  RedisOptions,
  | 'enableOfflineQueue'
  | 'maxRetriesPerRequest'
  | 'commandTimeout'
  | 'retryStrategy'
  | 'connectTimeout'
  | 'enableAutoPipelining'
>;

/** How long a limit check may wait for Redis before its limit falls back. */
const LIMITS_TIMEOUT_MS = 500;

const CONNECTIONS = {
  // Commands fail at once while Redis is away, rather than queueing up in memory; callers decide (a publish
  // that fails is caught up from the change log; the intake retries; /ready reports Redis down).
  // Commands sent in the same tick go out in one write (auto-pipelining): under load a socket write per
  // command (each PUBLISH, each limit check) was a tenth of a request's CPU.
  commands: { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true },
  // Fails fast while Redis is away or slow: the limits then count in memory, or let through, instead of
  // holding requests up. No other role can take its command timeout.
  limits: {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: LIMITS_TIMEOUT_MS,
    enableAutoPipelining: true,
  },
  // Subscriptions made while Redis is away wait for it; ioredis resubscribes every channel after a reconnect.
  subscriber: { enableOfflineQueue: true, maxRetriesPerRequest: null },
  // Blocks in XREADGROUP for INTAKE_BLOCK_MS: no command timeout, and nobody else on it meanwhile.
  'intake-reader': { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
} satisfies Record<string, ConnectionOptions>;

type Connection = keyof typeof CONNECTIONS;

/** Who uses Redis, and on which connection. */
const ROLES = {
  /** PUBLISH of each change (src/pubsub.ts). */
  publisher: 'commands',
  /** PING of /ready, the metrics and the dependency watch (src/health/dependencies.ts). */
  readiness: 'commands',
  /** The intake's group, claims, acknowledgements, dead letters and heartbeats (src/intake/). */
  'intake-commands': 'commands',
  /** Every limit: rate limits, stream leases and the recipient limit (src/limits/). */
  limits: 'limits',
  /** SUBSCRIBE to the users' channels (src/pubsub.ts). */
  subscriber: 'subscriber',
  /** The intake's blocking XREADGROUP (src/intake/reader.ts). */
  'intake-reader': 'intake-reader',
} as const satisfies Record<string, Connection>;

export type RedisRole = keyof typeof ROLES;

export interface RedisConnections {
  /** The connection of the role: opened on first use, and shared with every role on the same connection. */
  get(role: RedisRole): Redis;
  /** Resolves once every connection opened so far is ready, or has failed its first attempt (it keeps trying). */
  connected(): Promise<void>;
  /** Says goodbye on each connection if it can, and simply drops it if it cannot. */
  close(): Promise<void>;
}

/** The connections of one instance to the Redis at `url`. */
export function redisConnections(url: string, logger: Logger): RedisConnections {
  const open = new Map<Connection, { client: Redis; connecting: Promise<void> }>();
  return {
    get(role) {
      const name = ROLES[role];
      let connection = open.get(name);
      if (!connection) {
        const client = newConnection(url, name, CONNECTIONS[name], logger);
        const connecting = client
          .connect()
          .catch((error: Error) => logger.debug({ err: error, connection: name }, 'redis unavailable'));
        connection = { client, connecting };
        open.set(name, connection);
      }
      return connection.client;
    },
    async connected() {
      await Promise.all([...open.values()].map(({ connecting }) => connecting));
    },
    async close() {
      const clients = [...open.values()].map(({ client }) => client);
      open.clear();
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

/**
 * One connection for a single check (the start's, src/health/startup.ts): one attempt, no reconnection and
 * no offline queue, so that a Redis that is not there says so at once. Not connected yet; the caller ends it.
 */
export function redisProbe(url: string, connectTimeout: number, logger: Logger): Redis {
  return newConnection(
    url,
    'probe',
    { retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout, enableOfflineQueue: false },
    logger,
  );
}

function newConnection(url: string, name: string, options: ConnectionOptions, logger: Logger): Redis {
  const client = new Redis(url, { ...options, lazyConnect: true, connectionName: `notifications:${name}` });
  // ioredis retries on its own and reports every failed attempt; the dependency watch (src/health/watch.ts)
  // tells people once that Redis is away and once that it is back.
  client.on('error', (error) => logger.debug({ err: error, connection: name }, 'redis connection error'));
  return client;
}
