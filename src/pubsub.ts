// Typed topics over Redis pub/sub (graphql-redis-subscriptions) or, without Redis, in memory.
// Payloads travel as JSON text in both cases, so what works in memory works across instances too.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { RedisConnections } from './redis.js';

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
  /** The instance's Redis connections (src/redis.ts); in memory without them. */
  redis?: RedisConnections | undefined;
  keyPrefix: string;
  logger: Logger;
}

export async function createPubSub({ redis, keyPrefix, logger }: PubSubOptions): Promise<PubSubBus> {
  const reconnectListeners = new Set<() => void>();
  const engine = redis
    ? redisEngine(redis.get('publisher'), redis.get('subscriber'), logger, () => {
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

    // The Redis connections are not the bus's own: src/redis.ts closes them, after the bus.
    async close() {},
  };
}

function redisEngine(publisher: Redis, subscriber: Redis, logger: Logger, onReconnected: () => void): PubSubEngine {
  // The subscriber's connection lost and back: whatever was published meanwhile never arrived.
  let lost = false;
  subscriber.on('close', () => {
    if (subscriber.status !== 'end') lost = true;
  });
  subscriber.on('ready', () => {
    logger.debug({ role: 'subscriber', reconnected: lost }, 'redis ready');
    if (lost) onReconnected();
    lost = false;
  });
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
  return new RedisPubSub({
    publisher,
    subscriber,
    serializer: (payload: unknown) => payload as string,
    deserializer: (source: Buffer | string) => source.toString(),
  });
}
