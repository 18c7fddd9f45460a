// The consumer group every instance joins. Redis may lose it (restarted empty, failed over, the stream
// deleted): reads then fail with NOGROUP, and the group is made again before the next one.
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';
import type { Logger } from '../logger.js';

export interface ConsumerGroup {
  /** Creates the group (and the stream) unless this instance already did since it was last lost. */
  ensure(): Promise<void>;
  /** The group is gone from Redis: the next ensure() creates it again. */
  lost(): void;
  /** Leaves the group if `consumer` holds no entries, so that stopped instances do not pile up there. */
  leave(consumer: string): Promise<void>;
}

/** Whether a Redis error says the group (or its stream) does not exist. */
export function isGroupMissing(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

export function consumerGroup(
  redis: Redis,
  { stream, group }: Pick<IntakeConfig, 'stream' | 'group'>,
  log: Logger,
): ConsumerGroup {
  let ready = false;
  return {
    async ensure() {
      if (ready) return;
      // From the start of the stream: events XADDed before the service ever ran are not lost.
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.startsWith('BUSYGROUP')) throw error;
      });
      ready = true;
      log.info({ group }, 'intake reading the stream');
    },
    lost() {
      log.warn('intake consumer group missing; creating it again');
      ready = false;
    },
    async leave(consumer) {
      const [held] = (await redis.xpending(stream, group, '-', '+', 1, consumer)) as unknown[];
      if (!held) await redis.xgroup('DELCONSUMER', stream, group, consumer);
    },
  };
}
