// One delivery of one entry: publish it, then acknowledge it, or leave it pending for a retry after its
// backoff, or move it to the dead-letter stream. At least once: the entry is acknowledged only once its
// notifications are committed; a failure in between leaves it pending, and the next delivery is a duplicate.
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventPublishing, PublishReport } from '../producers/publishing.js';
import { retryDelay } from './backoff.js';
import { deadLetter } from './dead-letter.js';
import { failureOf } from './failures.js';
import { publishInputOf } from './message.js';
import type { PendingEntry, StreamEntry } from './stream-entries.js';

/** How one delivery of an event ended. */
export type DeliveryResult = 'published' | 'retried' | 'dead_lettered';

export interface DeliveryDependencies {
  /** A connection for commands (never the one blocked in XREADGROUP). */
  redis: Redis;
  config: Pick<
    IntakeConfig,
    'stream' | 'deadLetterStream' | 'group' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs'
  >;
  consumer: string;
  publishing: Pick<EventPublishing, 'publish'>;
  log: Logger;
  /** Told how each delivery ended, for metrics. */
  count: (result: DeliveryResult) => void;
}

export interface EntryDelivery {
  /** Delivers an entry for the `attempts`-th time. */
  deliver(entry: StreamEntry, attempts: number): Promise<DeliveryResult>;
  /** Delivers a reclaimed entry once more, or dead-letters it when it was delivered as often as allowed. */
  redeliver(entry: StreamEntry, pending: PendingEntry): Promise<DeliveryResult>;
}

type PublishAttempt = { ok: true; type: string; tally: PublishReport['tally'] } | { ok: false; error: unknown };

export function entryDelivery({
  redis,
  config,
  consumer,
  publishing,
  log,
  count,
}: DeliveryDependencies): EntryDelivery {
  const target = { ...config, consumer };

  async function publish(entry: StreamEntry): Promise<PublishAttempt> {
    try {
      const input = publishInputOf(entry);
      const report = await publishing.publish(input);
      return { ok: true, type: input.type, tally: report.tally };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async function deliver(entry: StreamEntry, attempts: number): Promise<DeliveryResult> {
    const result = await publish(entry);
    if (result.ok) {
      // Redis failing here leaves the entry pending: it is delivered again, and found to be a duplicate.
      await redis.xack(config.stream, config.group, entry.id);
      log.info({ entryId: entry.id, type: result.type, attempts, tally: result.tally }, 'stream event published');
      count('published');
      return 'published';
    }
    const failure = failureOf(result.error);
    if (failure.permanent || attempts >= config.maxAttempts) {
      await deadLetter(redis, target, entry, failure, attempts);
      log.warn({ entryId: entry.id, attempts, ...failure }, 'stream event dead-lettered');
      count('dead_lettered');
      return 'dead_lettered';
    }
    count('retried');
    log.warn(
      {
        entryId: entry.id,
        attempts,
        retryInMs: retryDelay(attempts, config.backoffBaseMs, config.backoffMaxMs),
        err: result.error,
      },
      'stream event failed; retrying after backoff',
    );
    return 'retried';
  }

  // Delivered as often as allowed and never concluded: its consumers stopped while it was in hand, and it
  // may be what stops them. An operator can re-send it from the dead-letter stream; dedup makes that safe.
  async function abandon(entry: StreamEntry, pending: PendingEntry): Promise<DeliveryResult> {
    const failure = {
      permanent: false,
      code: 'UNACKNOWLEDGED',
      reason: `delivered ${pending.deliveries} times and never concluded (last held by ${pending.consumer})`,
    };
    await deadLetter(redis, target, entry, failure, pending.deliveries);
    log.warn({ entryId: entry.id, attempts: pending.deliveries, ...failure }, 'stream event dead-lettered');
    count('dead_lettered');
    return 'dead_lettered';
  }

  return {
    deliver,
    redeliver: (entry, pending) =>
      pending.deliveries >= config.maxAttempts ? abandon(entry, pending) : deliver(entry, pending.deliveries + 1),
  };
}
