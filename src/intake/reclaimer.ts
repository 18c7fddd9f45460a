// The reclaimer: pending entries (failed deliveries waiting for a retry, and the entries of consumers that
// died) are claimed and delivered again once idle for longer than the backoff of their delivery count.
//
// Why XPENDING (IDLE filter) + XCLAIM per entry, and not XAUTOCLAIM: XAUTOCLAIM takes one min-idle-time per
// call, while the wait is per entry (base after one delivery, 2 × base after two…). Any single value is
// wrong for some entries:
// - the smallest backoff claims entries whose backoff has not passed, and a claim cannot be undone: it
//   moves the entry to us, raises its delivery count and resets its idle time (JUSTID spares the count, not
//   the idle time). Each pass would take such an entry again every base ms, spending one of its attempts
//   each time without trying it, until it is dead-lettered untried (or, were it tried anyway, the backoff
//   would collapse to base, and an outage of a few seconds would dead-letter every event);
// - the largest backoff (the cap) is never early, but holds every retry until the cap (a minute by default).
// Besides, its reply gives neither the delivery count (the attempt number, the dead-letter decision) nor the
// previous owner (named in the dead letter of an entry never concluded).
// XPENDING's extended form gives, per entry, its owner, idle time and delivery count, and changes nothing;
// with IDLE it leaves out entries not idle for even the first backoff (among them every entry a live
// consumer holds: see in-hand.ts). The entries due are then claimed one by one, each just before its
// delivery, by XCLAIM with its own backoff as min-idle-time: Redis checks the idle time again atomically,
// so of two instances racing for an entry only one gets it, and an entry deleted from the stream since is
// returned to no one (and forgotten).
import type { Redis } from 'ioredis';
import type { IntakeConfig } from '../config.js';
import { retryDelay } from './backoff.js';
import type { InHand } from './in-hand.js';
import { entriesOf, type PendingEntry, pendingOf, type StreamEntry } from './stream-entries.js';

/** Pending entries looked at per page, and pages per pass: the oldest first. */
const PENDING_PAGE = 100;
const PENDING_PAGES = 10;

export interface ReclaimerDependencies {
  /** A connection for commands (never the one blocked in XREADGROUP). */
  redis: Redis;
  config: Pick<IntakeConfig, 'stream' | 'group' | 'batchSize' | 'backoffBaseMs' | 'backoffMaxMs'>;
  consumer: string;
  inHand: InHand;
  /** Delivers a claimed entry again; `pending` is its row from before the claim. */
  redeliver: (entry: StreamEntry, pending: PendingEntry) => Promise<unknown>;
  /** Aborted when the intake stops: the entry in hand is finished, no further one claimed. */
  signal: AbortSignal;
}

/** Claims and redelivers the pending entries whose backoff has passed, the oldest first, at most a batch. */
export async function reclaimDue({
  redis,
  config,
  consumer,
  inHand,
  redeliver,
  signal,
}: ReclaimerDependencies): Promise<number> {
  const { stream, group, batchSize, backoffBaseMs, backoffMaxMs } = config;
  const delay = (deliveries: number) => retryDelay(deliveries, backoffBaseMs, backoffMaxMs);
  let start = '-';
  let claimed = 0;
  for (let page = 0; page < PENDING_PAGES && claimed < batchSize; page++) {
    const rows = pendingOf(await redis.xpending(stream, group, 'IDLE', backoffBaseMs, start, '+', PENDING_PAGE));
    for (const row of rows) {
      if (signal.aborted || claimed >= batchSize) return claimed;
      if (row.idleMs < delay(row.deliveries)) continue;
      const [entry] = entriesOf(await redis.xclaim(stream, group, consumer, delay(row.deliveries), row.id));
      if (!entry) continue;
      claimed++;
      inHand.hold(entry.id);
      try {
        await redeliver(entry, row);
      } finally {
        inHand.release(entry.id);
      }
    }
    if (rows.length < PENDING_PAGE) return claimed;
    start = `(${rows.at(-1)!.id}`;
  }
  return claimed;
}
