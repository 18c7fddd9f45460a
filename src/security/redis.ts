// The Redis connection of the abuse limits (rate limits, stream leases), apart from pub/sub's. Every
// command fails fast while Redis is away or slow: the limits then fall back to this instance's memory
// instead of holding requests up.
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** How long a limit check may wait for Redis before falling back. */
const COMMAND_TIMEOUT_MS = 500;

export async function connectLimitsRedis(url: string, logger: Logger): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  // Reported once by the dependency watch (src/health/watch.ts), not at each reconnection attempt.
  client.on('error', (error) => logger.debug({ err: error, role: 'limits' }, 'redis connection error'));
  await client.connect().catch((error: Error) => logger.debug({ err: error, role: 'limits' }, 'redis unavailable'));
  return client;
}

/** Says goodbye if it can, and simply drops the connection if it cannot. */
export async function closeLimitsRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
