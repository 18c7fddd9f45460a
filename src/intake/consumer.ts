// The event intake: each server instance is one consumer in a group reading the Redis Stream that producers
// XADD events to, and turns each event into notifications through EventPublishing, the path publishEvent
// takes. At least once: an entry is acknowledged only once its notifications are committed, and dedup
// (idempotency keys) makes a second delivery harmless.
//
// A failed entry is not acknowledged: it stays pending, and whichever instance finds it idle for longer
// than the backoff of its delivery count (base, 2 × base, 4 × base…, capped) claims it and tries again. The
// entries of a consumer that died are found the same way. A permanent failure (the event itself is wrong),
// or the last allowed attempt failing, moves the entry to the dead-letter stream with the reason.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventPublishing, PublishReport } from '../producers/publishing.js';
import { createRedisClient } from '../redis.js';
import { retryDelay } from './backoff.js';
import { deadLetter } from './dead-letter.js';
import { failureOf } from './failures.js';
import { publishInputOf } from './message.js';
import { entriesOf, type PendingEntry, pendingOf, readReplyEntries, type StreamEntry } from './stream-entries.js';

/** Pending entries looked at per scan page, and pages per pass: the oldest first. */
const PENDING_PAGE = 100;
const PENDING_PAGES = 10;
/** How long to wait before trying Redis again after a failure. */
const REDIS_RETRY_MS = 1000;

export interface EventIntake {
  /** This instance's name in the group. */
  readonly consumer: string;
  /** Stops reading, finishes the entry in hand, leaves the group if it holds nothing, and closes. */
  stop(): Promise<void>;
}

type PublishAttempt = { ok: true; type: string; tally: PublishReport['tally'] } | { ok: false; error: unknown };

/** How one delivery of an event ended. */
export type DeliveryResult = 'published' | 'retried' | 'dead_lettered';

export interface IntakeDependencies {
  config: IntakeConfig;
  redisUrl: string;
  publishing: Pick<EventPublishing, 'publish'>;
  logger: Logger;
  /** Told how each delivery ended, for metrics. */
  count?: (result: DeliveryResult) => void;
}

export function startEventIntake({
  config,
  redisUrl,
  publishing,
  logger,
  count = () => {},
}: IntakeDependencies): EventIntake {
  const { stream, group } = config;
  const consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ component: 'intake', stream, consumer });
  // A blocking XREADGROUP holds its connection until it returns, so reads get a connection of their own.
  const reader = createRedisClient(redisUrl, log, 'intake-reader');
  const commands = createRedisClient(redisUrl, log, 'intake-commands');
  const delay = (deliveries: number) => retryDelay(deliveries, config.backoffBaseMs, config.backoffMaxMs);
  // The entries read and not yet concluded are kept looking busy (their idle time reset), so that neither a
  // long publish nor the wait behind the others of its batch is mistaken for a dead consumer's entry.
  const inHand = new Set<string>();
  const heartbeat = setInterval(
    () => {
      if (inHand.size === 0) return;
      commands.xclaim(stream, group, consumer, 0, ...inHand, 'JUSTID').catch(() => {});
    },
    Math.max(Math.floor(config.backoffBaseMs / 2), 5),
  );
  heartbeat.unref();

  let stopping = false;
  let groupReady = false;
  let unavailableSince: number | undefined;
  const pause = interruptibleSleep();

  async function ensureGroup(): Promise<void> {
    // From the start of the stream: events XADDed before the service ever ran are not lost.
    await commands.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((error: Error) => {
      if (!error.message.startsWith('BUSYGROUP')) throw error;
    });
    groupReady = true;
    log.info({ group }, 'intake reading the stream');
  }

  /** Publishes one entry and acknowledges it, or leaves it pending for a retry, or dead-letters it. */
  async function conclude(entry: StreamEntry, attempts: number): Promise<void> {
    const result = await publish(entry);
    if (result.ok) {
      // Redis failing here leaves the entry pending: it is delivered again, and found to be a duplicate.
      await commands.xack(stream, group, entry.id);
      log.info({ entryId: entry.id, type: result.type, attempts, tally: result.tally }, 'stream event published');
      count('published');
      return;
    }
    const failure = failureOf(result.error);
    if (failure.permanent || attempts >= config.maxAttempts) {
      await deadLetter(commands, { ...config, consumer }, entry, failure, attempts);
      log.warn({ entryId: entry.id, attempts, ...failure }, 'stream event dead-lettered');
      count('dead_lettered');
      return;
    }
    count('retried');
    log.warn(
      { entryId: entry.id, attempts, retryInMs: delay(attempts), err: result.error },
      'stream event failed; retrying after backoff',
    );
  }

  async function publish(entry: StreamEntry): Promise<PublishAttempt> {
    try {
      const input = publishInputOf(entry);
      const report = await publishing.publish(input);
      return { ok: true, type: input.type, tally: report.tally };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Claims and handles the pending entries whose backoff has passed, the oldest first. */
  async function reclaimDue(): Promise<void> {
    let start = '-';
    let claimed = 0;
    for (let page = 0; page < PENDING_PAGES && claimed < config.batchSize; page++) {
      const rows = pendingOf(
        await commands.xpending(stream, group, 'IDLE', config.backoffBaseMs, start, '+', PENDING_PAGE),
      );
      for (const row of rows) {
        if (stopping || claimed >= config.batchSize) return;
        if (row.idleMs < delay(row.deliveries)) continue;
        // XCLAIM re-checks the idle time, so of two instances racing for an entry only one gets it; and it
        // returns nothing for an entry deleted from the stream since (and forgets it).
        const [entry] = entriesOf(await commands.xclaim(stream, group, consumer, delay(row.deliveries), row.id));
        if (!entry) continue;
        claimed++;
        inHand.add(entry.id);
        try {
          if (row.deliveries >= config.maxAttempts) await abandon(entry, row);
          else await conclude(entry, row.deliveries + 1);
        } finally {
          inHand.delete(entry.id);
        }
      }
      if (rows.length < PENDING_PAGE) return;
      start = `(${rows.at(-1)!.id}`;
    }
  }

  // Delivered as often as allowed and never concluded: its consumers stopped while it was in hand, and it
  // may be what stops them. An operator can re-send it from the dead-letter stream; dedup makes that safe.
  async function abandon(entry: StreamEntry, row: PendingEntry): Promise<void> {
    const failure = {
      permanent: false,
      code: 'UNACKNOWLEDGED',
      reason: `delivered ${row.deliveries} times and never concluded (last held by ${row.consumer})`,
    };
    await deadLetter(commands, { ...config, consumer }, entry, failure, row.deliveries);
    log.warn({ entryId: entry.id, attempts: row.deliveries, ...failure }, 'stream event dead-lettered');
    count('dead_lettered');
  }

  async function readNew(): Promise<void> {
    // Never blocked past the next look at pending entries, so that retries keep their schedule.
    const block = Math.min(config.blockMs, config.backoffBaseMs);
    const entries = readReplyEntries(
      await reader.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        config.batchSize,
        'BLOCK',
        block,
        'STREAMS',
        stream,
        '>',
      ),
    );
    for (const entry of entries) inHand.add(entry.id);
    try {
      for (const entry of entries) {
        // Entries left when stopping stay pending, and the other instances claim them after the first backoff.
        if (stopping) return;
        await conclude(entry, 1);
        inHand.delete(entry.id);
      }
    } finally {
      inHand.clear();
    }
  }

  const running = (async () => {
    while (!stopping) {
      try {
        await bothReady([reader, commands], REDIS_RETRY_MS);
        if (!groupReady) await ensureGroup();
        await reclaimDue();
        if (!stopping) await readNew();
        if (unavailableSince !== undefined) {
          log.info({ unavailableMs: Date.now() - unavailableSince }, 'intake reading again');
          unavailableSince = undefined;
        }
      } catch (error) {
        if (stopping) break;
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          // Redis restarted empty, failed over, or someone deleted the stream: make the group again.
          log.warn('intake consumer group missing; creating it again');
          groupReady = false;
          continue;
        }
        // Redis away: keep trying, quietly after the first word.
        if (unavailableSince === undefined) {
          unavailableSince = Date.now();
          log.warn({ err: error }, 'intake cannot read the stream; retrying');
        } else log.debug({ err: error }, 'intake still cannot read the stream');
        await pause.sleep(REDIS_RETRY_MS);
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    consumer,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        pause.wake();
        // Ends a blocking read at once; anything it was about to return is pending, and claimed by others.
        reader.disconnect();
        await running;
        clearInterval(heartbeat);
        try {
          // A consumer that holds no entries leaves the group, so that stopped instances do not pile up there.
          const [held] = (await commands.xpending(stream, group, '-', '+', 1, consumer)) as unknown[];
          if (!held) await commands.xgroup('DELCONSUMER', stream, group, consumer);
        } catch (error) {
          log.debug({ err: error }, 'intake could not leave its group');
        }
        await commands.quit().catch(() => commands.disconnect());
        log.info('intake stopped');
      })();
      return stopped;
    },
  };
}

/** Waits until both connections are up, or `timeoutMs`, whichever first. */
function bothReady(clients: Redis[], timeoutMs: number): Promise<void> {
  const pending = clients.filter((client) => client.status !== 'ready');
  if (pending.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = pending.length;
    const onReady = () => {
      if (--left === 0) done();
    };
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      for (const client of pending) client.off('ready', onReady);
      resolve();
    }
    for (const client of pending) client.once('ready', onReady);
  });
}

/** A sleep that stop() can cut short. */
function interruptibleSleep() {
  let wake: (() => void) | undefined;
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      }),
    wake: () => wake?.(),
  };
}
