// What a user's channel carries: small JSON messages, published only after the change they describe committed.
import { ExpectedError } from '../errors.js';
import type { Notification } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { PubSubBus } from '../pubsub.js';
import { mapIterator } from '../streams/map-iterator.js';

export type UserEvent = { kind: 'added'; notification: Notification };

const DATE_FIELDS = new Set(['createdAt', 'readAt', 'updatedAt']);

export const encodeUserEvent = (event: UserEvent): string => JSON.stringify(event);

export function decodeUserEvent(message: string): UserEvent {
  return JSON.parse(message, (key, value) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as UserEvent;
}

export interface UserEventsOptions {
  /** How many events may wait for a slow stream before it is ended. */
  queueCapacity: number;
}

export class UserEvents {
  constructor(
    private readonly bus: PubSubBus,
    private readonly logger: Logger,
    private readonly options: UserEventsOptions,
  ) {}

  /** Publishes after commit; a failure is logged, never thrown, since the change itself is already stored. */
  publish(userId: string, event: UserEvent): void {
    this.bus.publish('user', userId, encodeUserEvent(event)).catch((error: unknown) => {
      this.logger.warn(
        { err: error, userId, kind: event.kind },
        'publish failed; the change is stored but was not pushed live',
      );
    });
  }

  /** The user's events from now on; resolves once listening, so nothing published after that is missed. */
  async listen(userId: string): Promise<AsyncIterableIterator<UserEvent>> {
    const queue = await this.bus.listen('user', userId, {
      capacity: this.options.queueCapacity,
      overflowError: () =>
        new ExpectedError('SLOW_CONSUMER', 'The stream fell too far behind and was closed; reconnect to continue.'),
    });
    return mapIterator(queue, decodeUserEvent);
  }

  /** How many live streams this instance is serving. */
  get listeners(): number {
    return this.bus.listeners;
  }
}
