// The entries a consumer holds and has not yet concluded are kept looking busy (their idle time reset), so
// that neither a long publish nor the wait behind the others of its batch is mistaken for a dead consumer's
// entry and reclaimed by another instance. The reset comes every half of the first backoff, well before
// any reclaimer may take the entry.
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';

export interface InHand {
  /** Starts keeping these entries busy. */
  hold(...ids: string[]): void;
  release(id: string): void;
  releaseAll(): void;
  /** Stops the heartbeat for good. */
  stop(): void;
}

export interface InHandTarget extends Pick<IntakeConfig, 'stream' | 'group' | 'backoffBaseMs'> {
  consumer: string;
}

export function inHandHeartbeat(redis: Redis, { stream, group, consumer, backoffBaseMs }: InHandTarget): InHand {
  const ids = new Set<string>();
  const heartbeat = setInterval(
    () => {
      if (ids.size === 0) return;
      // Min idle 0 and JUSTID: only the idle time is reset; the delivery count stays as it is.
      redis.xclaim(stream, group, consumer, 0, ...ids, 'JUSTID').catch(() => {});
    },
    Math.max(Math.floor(backoffBaseMs / 2), 5),
  );
  heartbeat.unref();
  return {
    hold: (...held) => {
      for (const id of held) ids.add(id);
    },
    release: (id) => ids.delete(id),
    releaseAll: () => ids.clear(),
    stop: () => clearInterval(heartbeat),
  };
}
