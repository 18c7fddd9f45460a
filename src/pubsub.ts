// Typed topics over Redis pub/sub (graphql-redis-subscriptions) or, without Redis, in memory.
// Payloads travel as JSON text in both cases, so what works in memory works across instances too.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { BoundedQueue } from './streams/bounded-queue.js';

/** Each topic: [key that names the channel, payload]. One channel per key, so a payload wakes only its key's listeners. */
export interface Topics {
  user: [userId: string, message: string];
}
type Topic = keyof Topics;
type Key<T extends Topic> = Topics[T][0];
type Payload<T extends Topic> = Topics[T][1];

export interface ListenOptions {
  /** How many payloads may wait for a slow consumer before its stream is ended. */
  capacity: number;
  overflowError: () => Error;
}

export interface PubSubBus {
  publish<T extends Topic>(topic: T, key: Key<T>, payload: Payload<T>): Promise<void>;
  /** Resolves once listening: whatever is published after that is delivered. */
  listen<T extends Topic>(topic: T, key: Key<T>, options: ListenOptions): Promise<BoundedQueue<Payload<T>>>;
  /** How many streams are listening in this process. */
  readonly listeners: number;
  close(): Promise<void>;
}

export interface PubSubOptions {
  redisUrl: string | undefined;
  keyPrefix: string;
  logger: Logger;
}

export async function createPubSub({ redisUrl, keyPrefix, logger }: PubSubOptions): Promise<PubSubBus> {
  const engine = redisUrl ? await connectRedis(redisUrl, logger) : new PubSub();
  const channel = (topic: Topic, key: string) => `${keyPrefix}${topic}:${key}`;
  let listeners = 0;

  return {
    async publish(topic, key, payload) {
      await engine.publish(channel(topic, key), payload);
    },

    async listen(topic, key, { capacity, overflowError }) {
      let subscriptionId: number | undefined;
      listeners += 1;
      const queue = new BoundedQueue<Payload<typeof topic>>({
        capacity,
        overflowError,
        onClose: () => {
          listeners -= 1;
          if (subscriptionId !== undefined) engine.unsubscribe(subscriptionId);
        },
      });
      try {
        subscriptionId = await engine.subscribe(channel(topic, key), (message: string) => queue.push(message), {});
      } catch (error) {
        await queue.return();
        throw error;
      }
      // The consumer may have gone while the subscription was being made.
      if (queue.done) engine.unsubscribe(subscriptionId);
      return queue;
    },

    get listeners() {
      return listeners;
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

async function connectRedis(url: string, logger: Logger): Promise<PubSubEngine> {
  const connect = (role: string, options: { enableOfflineQueue: boolean; maxRetriesPerRequest?: number | null }) => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, ...options });
    client.on('error', (error) => logger.warn({ err: error, role }, 'redis connection error'));
    client.on('ready', () => logger.debug({ role }, 'redis ready'));
    return client;
  };
  // A publish while Redis is away fails at once instead of queueing in memory; the change log has the data.
  const publisher = connect('publisher', { enableOfflineQueue: false });
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
      client.connect().catch((error: Error) => logger.warn({ err: error }, 'redis unavailable at start')),
    ),
  );
  return new RedisPubSub({
    publisher,
    subscriber,
    serializer: (payload: unknown) => payload as string,
    deserializer: (source: Buffer | string) => source.toString(),
  });
}
