// Changes on the wire: published to the user's own channel only after they committed, as small JSON.
import { type OutageLog, oneLine, outageLog } from '../health/outage-log.js';
import type { Logger } from '../logger.js';
import type { PubSubBus } from '../pubsub.js';
import type { ChangeEvent } from './changelog.js';

const DATE_FIELDS = new Set(['createdAt', 'readAt', 'updatedAt', 'seenAt', 'archivedAt', 'snoozedUntil', 'expiresAt']);

/** A change as it arrives from the bus. */
export interface PublishedChange {
  event: ChangeEvent;
  /** When it was published, right after its commit (ms since the epoch); absent from older publishers. */
  publishedAt: number | undefined;
}

// A notification's `position` is a bigint (the event's own is a number): it travels as a string. The
// publish time rides along as one more field (a number, so no reviver turns it into a date): readers that
// do not know it ignore it. The position is the only bigint of an event: it is turned into a string beforehand
// rather than by a replacer, which JSON.stringify calls for every value (a few % of a create's CPU, measured).
export function encodeChange(event: ChangeEvent, publishedAt = Date.now()): string {
  const { notification } = event;
  const position = notification?.position;
  if (typeof position !== 'bigint') return JSON.stringify({ ...event, publishedAt });
  return JSON.stringify({ ...event, notification: { ...notification, position: position.toString() }, publishedAt });
}

export function decodeChange(message: string): PublishedChange {
  const { publishedAt, ...event } = JSON.parse(message, (key, value) => {
    if (typeof value !== 'string') return value;
    if (DATE_FIELDS.has(key)) return new Date(value);
    return key === 'position' ? BigInt(value) : value;
  }) as ChangeEvent & { publishedAt?: unknown };
  return { event, publishedAt: typeof publishedAt === 'number' ? publishedAt : undefined };
}

export class ChangePublisher {
  // Every change of a busy instance publishes: while Redis is away, one line when it starts failing, a
  // reminder now and then, and one when it is back, not a line per change.
  private readonly failures: OutageLog;

  constructor(
    private readonly bus: PubSubBus,
    logger: Logger,
  ) {
    this.failures = outageLog({ subject: 'publishing changes', state: 'failing', logger });
  }

  /**
   * Pushes committed changes to their user's channel. A failure is logged, never thrown: the change is
   * stored, and streams catch up from the log.
   */
  publish(userId: string, event: ChangeEvent): void {
    const failed = (error: unknown) =>
      this.failures.failed(`${oneLine(error)} (the change is stored, streams will catch up from the log)`, {
        userId,
        position: event.position,
      });
    try {
      this.bus.publish('user', userId, encodeChange(event)).then(() => this.failures.succeeded(), failed);
    } catch (error) {
      failed(error);
    }
  }
}
