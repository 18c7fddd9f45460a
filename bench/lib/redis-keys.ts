// A bench run's Redis keys, all under its own prefix, dropped when it ends.
import { Redis } from 'ioredis';

/** Unlinks every key under `prefix`; resolves to how many there were. */
export async function dropRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  let dropped = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) dropped += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return dropped;
  } finally {
    redis.disconnect();
  }
}
