// A Redis connection for commands (counters, streams), apart from the pub/sub connections.
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export function createRedisClient(url: string, logger: Logger, name: string): Redis {
  // Commands fail at once while Redis is away, rather than queueing up in memory; callers decide.
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectionName: name,
  });
  // ioredis retries on its own and reports every failed attempt; the dependency watch (src/health/watch.ts)
  // tells people once that Redis is away and once that it is back.
  client.on('error', (error) => logger.debug({ err: error, connection: name }, 'redis connection error'));
  client.connect().catch((error: Error) => logger.debug({ err: error, connection: name }, 'redis unavailable'));
  return client;
}
