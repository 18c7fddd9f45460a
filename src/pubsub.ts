// Typed topics over Redis pub/sub (graphql-redis-subscriptions) or, without Redis, in memory.
// Payloads travel as JSON text in both cases, so what works in memory works across instances too.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** Each topic: [key that names the channel, payload]. One channel per key, so a payload wakes only its key's listeners. */
export interface Topics {
  user: [userId: string, message: string];
}
type Topic = keyof Topics;
type Key<T extends Topic> = Topics[T][0];
type Payload<T extends Topic> = Topics[T][1];

export interface SubscriptionHandlers<T> {
  message(payload: T): void;
  /**
   * The connection to Redis came back after a loss: whatever was published meanwhile never arrived.
   * Listeners catch up from the source of truth.
   */
  reconnected(): void;
}

export interface BusSubscription {
  close(): void;
}

export interface PubSubBus {
  publish<T extends Topic>(topic: T, key: Key<T>, payload: Payload<T>): Promise<void>;
  /** Resolves once subscribed: whatever is published after that is delivered. */
  subscribe<T extends Topic>(
    topic: T,
    key: Key<T>,
    handlers: SubscriptionHandlers<Payload<T>>,
  ): Promise<BusSubscription>;
  /** How many subscriptions are open in this process. */
  readonly subscriptions: number;
  close(): Promise<void>;
}

export interface PubSubOptions {
  redisUrl: string | undefined;
  keyPrefix: string;
  logger: Logger;
}

export async function createPubSub({ redisUrl, keyPrefix, logger }: PubSubOptions): Promise<PubSubBus> {
  const reconnectListeners = new Set<() => void>();
  const engine = redisUrl
    ? await connectRedis(redisUrl, logger, () => {
        for (const listener of reconnectListeners) listener();
      })
    : new PubSub();
  const channel = (topic: Topic, key: string) => `${keyPrefix}${topic}:${key}`;

  return {
    async publish(topic, key, payload) {
      await engine.publish(channel(topic, key), payload);
    },

    async subscribe(topic, key, handlers) {
      const id = await engine.subscribe(channel(topic, key), handlers.message, {});
      const reconnected = () => handlers.reconnected();
      reconnectListeners.add(reconnected);
      let open = true;
      return {
        close() {
          if (!open) return;
          open = false;
          reconnectListeners.delete(reconnected);
          engine.unsubscribe(id);
        },
      };
    },

    get subscriptions() {
      return reconnectListeners.size;
    },

    async close() {
      if (!(engine instanceof RedisPubSub)) return;
      // QUIT lets pending commands finish; a connection that cannot say goodbye is simply dropped.
      for (const client of [engine.getPublisher(), engine.getSubscriber()]) {
        await client.quit().catch(() => client.disconnect());
      }
    },
  };
}

async function connectRedis(url: string, logger: Logger, onReconnected: () => void): Promise<PubSubEngine> {
  const connect = (role: string, options: { enableOfflineQueue: boolean; maxRetriesPerRequest: number | null }) => {
    const client = new Redis(url, { lazyConnect: true, ...options });
    let lost = false;
    // Reported once by the dependency watch (src/health/watch.ts), not at each reconnection attempt.
    client.on('error', (error) => logger.debug({ err: error, role }, 'redis connection error'));
    client.on('close', () => {
      if (client.status !== 'end') lost = true;
    });
    client.on('ready', () => {
      logger.debug({ role, reconnected: lost }, 'redis ready');
      if (lost && role === 'subscriber') onReconnected();
      lost = false;
    });
    return client;
  };
  // A publish while Redis is away fails at once instead of queueing in memory; the change log has the data.
  const publisher = connect('publisher', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Subscriptions made while Redis is away wait for it; ioredis resubscribes every channel after a reconnect.
  const subscriber = connect('subscriber', { enableOfflineQueue: true, maxRetriesPerRequest: null });
  // RedisPubSub drops the promises of its UNSUBSCRIBE commands; one that fails (Redis gone for good, or
  // the connection closing at shutdown) must not become an unhandled rejection.
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[method].bind(subscriber) as (...channels: string[]) => Promise<unknown>;
    subscriber[method] = ((...channels: string[]) => {
      const sent = original(...channels);
      sent.catch((error: unknown) => logger.debug({ err: error, channels }, `redis ${method} failed`));
      return sent;
    }) as never;
  }
  // Start even when Redis is away: ioredis keeps reconnecting, and creating and reading need only PostgreSQL.
  await Promise.all(
    [publisher, subscriber].map((client) =>
      client.connect().catch((error: Error) => logger.debug({ err: error, role: 'pubsub' }, 'redis unavailable')),
    ),
  );
  return new RedisPubSub({
    publisher,
    subscriber,
    serializer: (payload: unknown) => payload as string,
    deserializer: (source: Buffer | string) => source.toString(),
  });
}
