// The event intake: each server instance is one consumer in a group reading the Redis Stream that producers
// XADD events to, and turns each event into notifications through EventPublishing, the path publishEvent
// takes. At least once: an entry is acknowledged only once its notifications are committed, and dedup
// (idempotency keys) makes a second delivery harmless.
//
// A failed entry is not acknowledged: it stays pending, and whichever instance finds it idle for longer
// than the backoff of its delivery count (base, 2 × base, 4 × base…, capped) claims it and tries again. The
// entries of a consumer that died are found the same way. A permanent failure (the event itself is wrong),
// or the last allowed attempt failing, moves the entry to the dead-letter stream with the reason.
//
// This file only runs the parts in turn: the group (group.ts), the reclaimer of due pending entries
// (reclaimer.ts), the reader of new ones (reader.ts), each entry's delivery (delivery.ts) and the heartbeat
// of the entries in hand (in-hand.ts); and it rides out Redis being away.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IntakeConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventPublishing } from '../producers/publishing.js';
import type { RedisConnections } from '../redis.js';
import { intakeConnections } from './connections.js';
import { type DeliveryResult, entryDelivery } from './delivery.js';
import { consumerGroup, isGroupMissing } from './group.js';
import { inHandHeartbeat } from './in-hand.js';
import { readNew } from './reader.js';
import { reclaimDue } from './reclaimer.js';

export type { DeliveryResult } from './delivery.js';

/** How long to wait before trying Redis again after a failure. */
const REDIS_RETRY_MS = 1000;

export interface EventIntake {
  /** This instance's name in the group. */
  readonly consumer: string;
  /** Stops reading, finishes the entry in hand, and leaves the group if it holds nothing. */
  stop(): Promise<void>;
}

export interface IntakeDependencies {
  config: IntakeConfig;
  /** The instance's connections: the intake reads on its own, and shares the commands one. */
  redis: RedisConnections;
  publishing: Pick<EventPublishing, 'publish'>;
  logger: Logger;
  /** Told how each delivery ended, for metrics. */
  count?: (result: DeliveryResult) => void;
}

export function startEventIntake({
  config,
  redis,
  publishing,
  logger,
  count = () => {},
}: IntakeDependencies): EventIntake {
  const consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ component: 'intake', stream: config.stream, consumer });
  const { reader, commands, ready } = intakeConnections(redis);
  const stopping = new AbortController();
  const { signal } = stopping;
  const group = consumerGroup(commands, config, log);
  const inHand = inHandHeartbeat(commands, { ...config, consumer });
  const { deliver, redeliver } = entryDelivery({ redis: commands, config, consumer, publishing, log, count });
  const outage = outageLog(log);

  const running = (async () => {
    while (!signal.aborted) {
      try {
        await ready(REDIS_RETRY_MS);
        await group.ensure();
        await reclaimDue({ redis: commands, config, consumer, inHand, redeliver, signal });
        if (!signal.aborted) await readNew({ redis: reader, config, consumer, inHand, deliver, signal });
        outage.over();
      } catch (error) {
        if (signal.aborted) break;
        if (isGroupMissing(error)) {
          group.lost();
          continue;
        }
        outage.failed(error);
        await sleep(REDIS_RETRY_MS, undefined, { signal }).catch(() => {});
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    consumer,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        // Ends a blocking read at once; anything it was about to return is pending, and claimed by others.
        reader.disconnect();
        await running;
        inHand.stop();
        await group.leave(consumer).catch((error) => log.debug({ err: error }, 'intake could not leave its group'));
        log.info('intake stopped');
      })();
      return stopped;
    },
  };
}

/** Redis away: a warning at the first failure, quiet retries after it, and a word when reading again. */
function outageLog(log: Logger) {
  let since: number | undefined;
  return {
    failed(error: unknown) {
      if (since === undefined) {
        since = Date.now();
        log.warn({ err: error }, 'intake cannot read the stream; retrying');
      } else log.debug({ err: error }, 'intake still cannot read the stream');
    },
    over() {
      if (since === undefined) return;
      log.info({ unavailableMs: Date.now() - since }, 'intake reading again');
      since = undefined;
    },
  };
}
