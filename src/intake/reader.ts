// New entries: a batch read for this consumer with XREADGROUP, each delivered for the first time, in order.
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';
import type { InHand } from './in-hand.js';
import { readReplyEntries, type StreamEntry } from './stream-entries.js';

export interface ReaderDependencies {
  /** A connection of its own: a blocking XREADGROUP holds its connection until it returns. */
  redis: Redis;
  config: Pick<IntakeConfig, 'stream' | 'group' | 'batchSize' | 'blockMs' | 'backoffBaseMs'>;
  consumer: string;
  inHand: InHand;
  deliver: (entry: StreamEntry, attempts: number) => Promise<unknown>;
  /** Aborted when the intake stops: the entry in hand is finished, the rest of the batch left pending. */
  signal: AbortSignal;
}

/** Reads the next batch of new entries (waiting a while for some) and delivers them one by one. */
export async function readNew({ redis, config, consumer, inHand, deliver, signal }: ReaderDependencies): Promise<void> {
  // Never blocked past the next look at pending entries, so that retries keep their schedule.
  const block = Math.min(config.blockMs, config.backoffBaseMs);
  const entries = readReplyEntries(
    await redis.xreadgroup(
      'GROUP',
      config.group,
      consumer,
      'COUNT',
      config.batchSize,
      'BLOCK',
      block,
      'STREAMS',
      config.stream,
      '>',
    ),
  );
  // The whole batch is in hand at once: waiting behind the others is not being dead.
  inHand.hold(...entries.map((entry) => entry.id));
  try {
    for (const entry of entries) {
      // Entries left when stopping stay pending, and the other instances claim them after the first backoff.
      if (signal.aborted) return;
      await deliver(entry, 1);
      inHand.release(entry.id);
    }
  } finally {
    inHand.releaseAll();
  }
}
